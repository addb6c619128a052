#ifndef TP_PSA_CLAIMS_H
#define TP_PSA_CLAIMS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/errors.h"

#include "verify/core/verdict.h"
#include "verify/verify.h"

/*
 * PSA attestation token claims (RFC 9783, "Arm's Platform Security
 * Architecture (PSA) Attestation Token", §4; profile
 * "http://arm.com/psa/2.0.0"), the legacy PSA_IOT_PROFILE_1 keys
 * (-75000 - n, TF-M attest_iat_defs.h), and the CCA platform token claims
 * that reuse them (Arm CCA Security Model / RMM specification, A7.2.3.1:
 * platform config 2401, hash algorithm 2402).
 *
 *   psa-token = {
 *     profile 265 (-75000): tstr          nonce 10 (-75008): bstr 32/48/64
 *     instance-id 256 (-75009): bstr 33   implementation-id 2396 (-75003)
 *     client-id 2394 (-75001): int        security-lifecycle 2395 (-75002)
 *     ? boot-seed 2397 (-75004): bstr     ? certification-ref 2398 (-75005)
 *     software-components 2399 (-75006): [+ {1 type, 2 value, 4 version,
 *                                            5 signer-id, 6 description}]
 *     / no-sw-measurements (-75007): 1
 *     ? verification-service 2400 (-75010): tstr
 *   }
 *
 * All pointers borrow the parsed buffer.
 */
#define PSA_MAX_SWCOMP 32

enum psa_kind {
	PSA_KIND_TOKEN,        /* PSA attestation token */
	PSA_KIND_CCA_PLATFORM, /* CCA platform token */
};

struct psa_bytes {
	const uint8_t *p; /* NULL when absent */
	size_t n;
};

struct psa_swcomp {
	struct psa_bytes type, value, version, signer_id, description;
};

struct psa_claims {
	struct psa_bytes profile; /* text */
	bool legacy;              /* PSA_IOT_PROFILE_1 keys were used */
	struct psa_bytes nonce, instance_id, implementation_id, boot_seed;
	struct psa_bytes cert_ref, vsi;   /* text */
	struct psa_bytes platform_config; /* CCA */
	struct psa_bytes hash_alg;        /* CCA, text */
	bool has_client_id, has_lifecycle;
	int64_t client_id;
	uint64_t lifecycle;
	bool no_sw_measurements;
	struct psa_swcomp sw[PSA_MAX_SWCOMP];
	size_t n_sw;
};

/*
 * Parses a claims map of KIND (all of BUF). Unknown claims are skipped
 * (bounded); duplicate keys, a claim given under both its PSA 2.0 and
 * legacy key, wrong types and sizes, and missing required claims are
 * refused with the claim named in WHY.
 */
bool psa_claims_parse(const uint8_t *buf, size_t len, enum psa_kind kind,
                      struct psa_claims *c, char *why, size_t whylen);

/* PSA security lifecycle name (RFC 9783 §4.3.1): "secured", ... */
const char *psa_lifecycle_name(uint64_t lifecycle);

/* True unless the lifecycle state is "secured" (0x3000..0x30ff). */
bool psa_lifecycle_is_debug(uint64_t lifecycle);

/*
 * Adds the claims to V, each name prefixed with PREFIX ("" for PSA,
 * "platform_" for CCA): profile, challenge, instance_id,
 * implementation_id, client_id, security_lifecycle (name) and
 * security_lifecycle_value, boot_seed, certification_reference,
 * software_components (array of objects), verification_service_indicator,
 * config, hash_algorithm.
 */
void psa_claims_to_verdict(const struct psa_claims *c, const char *prefix,
                           struct verdict *v);

/*
 * What load/arm.c records (artifact_set_malformed, ARTIFACT_ARM_KEY) when
 * a path yields no key at all: a directory holding no key file it can
 * read, or a key file it cannot read. psa_key_load reports them as a
 * missing key ("no provisioned key: collateral_path/iak_pub.pem is not
 * readable"), not as an invalid one.
 */
#define PSA_KEY_NOTE_DIR  "collateral_path: no Arm key file can be read"
#define PSA_KEY_NOTE_FILE "collateral_path: the key file cannot be read"

/*
 * The provisioned verification key for a token, from the ARTIFACT_ARM_KEY
 * artifacts of SET (keys and bodies: verify/core/artifact.h): the
 * request's key JSON_KEY ("iak", "cpak"), else its endorsement store
 * entry "<JSON_KEY>/<lower-case hex of INSTANCE_ID>", else the operator's
 * FILE_NAME ("iak_pub.pem", "cpak_pub.pem") from a directory, else the
 * operator's single key file (key ""). Each may be a PEM EC public key
 * or a JWK / JWKS (verify/arm/arm_jwk.h; in the directory also as
 * iak_pub.jwk, cpak_pub.jwk), a JWKS's key chosen by KID (the token's
 * COSE kid; NULL or p NULL: none) or INSTANCE_ID.
 * Returns the key (caller frees), a description of where it came from in
 * SRC ("collateral.iak", "collateral.iak[instance_id]",
 * "collateral_path/iak_pub.pem", "collateral_path") and in *PROVISIONED
 * whether the operator's store supplied it (source "directory" or
 * "file"); or NULL with *MISSING true when none was supplied (or false
 * when one was supplied but is not a PEM EC public key, or the loaders
 * recorded one they could not read) and WHY; *JWK_CODE is
 * arm_jwk_invalid or arm_jwk_kid_unknown when a JWK or JWKS was refused,
 * else TP_ERR_none.
 */
EVP_PKEY *psa_key_load(const struct artifact_set *set, const char *json_key,
                       const char *file_name,
                       const struct psa_bytes *instance_id,
                       const struct psa_bytes *kid, char *src, size_t srclen,
                       bool *provisioned, bool *missing, enum tp_err *jwk_code,
                       char *why, size_t whylen);

/*
 * Records the provisioned KEY in V: the collateral item ITEM (the SHA-256
 * of its SubjectPublicKeyInfo DER) and the claims attestation_key_source
 * (SRC) and attestation_key_sha256.
 */
void psa_key_record(struct verdict *v, EVP_PKEY *key, const char *item,
                    const char *src);

/*
 * Sets hardware_verified from where the attestation key came from
 * (PROVISIONED as psa_key_load wrote it): true only for the operator's
 * provisioned store (a directory or a file); a key supplied in the
 * request's collateral gives hardware_verified false and at most EAR
 * "warning".
 */
void psa_key_trust(struct verdict *v, bool provisioned);

#endif
