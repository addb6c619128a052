#ifndef TP_CCA_TOKEN_H
#define TP_CCA_TOKEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "verify/arm/psa_claims.h"

/*
 * Arm CCA attestation token (Arm Realm Management Monitor specification,
 * DEN0137, A7.2 "Attestation token format"; draft-ffm-rats-cca-token):
 *
 *   cca-token = #6.399({ 44234 => bstr .cbor platform COSE_Sign1,
 *                        44241 => bstr .cbor realm COSE_Sign1 })
 *
 *   realm claims = {
 *     10 challenge: bstr .size 64,
 *     44235 personalization value: bstr .size 64,
 *     44236 realm hash algorithm: tstr,
 *     44237 RAK public key: bstr (raw EC point; COSE_Key in the
 *           2023 profile),
 *     44238 realm initial measurement: bstr .size (32/48/64),
 *     44239 REMs: [4 * bstr .size (32/48/64)],
 *     44240 RAK hash algorithm: tstr,
 *     ? 265 profile: tstr,
 *   }
 *
 * All pointers borrow the token buffer.
 */
#define CCA_TAG            399
#define CCA_PLATFORM_LABEL 44234
#define CCA_REALM_LABEL    44241
#define CCA_REM_COUNT      4

struct cca_collection {
	const uint8_t *platform; /* COSE_Sign1 bytes */
	size_t platform_len;
	const uint8_t *realm;
	size_t realm_len;
};

struct cca_realm_claims {
	struct psa_bytes challenge, personalization, hash_alg, rak, rim;
	struct psa_bytes rem[CCA_REM_COUNT];
	struct psa_bytes rak_hash_alg, profile;
};

/* Parses the tag-399 collection (all of BUF). False with WHY on error. */
bool cca_collection_parse(const uint8_t *buf, size_t len,
                          struct cca_collection *c, char *why, size_t whylen);

/* Parses the realm token's claims map (all of BUF). */
bool cca_realm_claims_parse(const uint8_t *buf, size_t len,
                            struct cca_realm_claims *r, char *why,
                            size_t whylen);

/*
 * The RAK from claim 44237: a raw uncompressed P-384 (or P-256) point, or
 * a COSE_Key (RFC 9053 §7.1.1, kty EC2) in a bstr. NULL with WHY when it
 * is neither or not on its curve. The caller frees the key.
 */
EVP_PKEY *cca_rak_key(const struct psa_bytes *rak, char *why, size_t whylen);

/* The digest named by a CCA hash algorithm id ("sha-256", "sha-384",
 * "sha-512"); NULL for anything else. */
const EVP_MD *cca_hash_alg(const struct psa_bytes *name);

#endif
