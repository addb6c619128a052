#ifndef TP_PASSPORT_H
#define TP_PASSPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "verify/core/verdict.h"

#define PASSPORT_MAX_RETIRED 8

/* One signing key (ES256, P-256). */
struct passport_key {
	EVP_PKEY *pkey;
	bool has_private; /* false for a retired key loaded public-only */
	char kid[48];     /* RFC 7638 JWK thumbprint, base64url */
	json_t *jwk;      /* public JWK with kid, alg, use */
};

/*
 * The keys passports are signed and checked with: the current key signs
 * hardware passports; retired keys stay in the JWKS until their
 * passports expire; the mock key signs Mock passports and is never in
 * the JWKS.
 */
struct passport_keyring {
	struct passport_key current;
	struct passport_key retired[PASSPORT_MAX_RETIRED];
	size_t n_retired;
	struct passport_key mock;
	bool has_mock;
};

/*
 * Loads a P-256 private key from a PEM file, refusing files readable by
 * group or others. False with ERR on failure. Free with
 * passport_key_free.
 */
bool passport_key_load(const char *path, struct passport_key *k, char *err,
                       size_t errlen);

/* Loads a retired key (public or private PEM); only its JWK is used. */
bool passport_key_load_public(const char *path, struct passport_key *k,
                              char *err, size_t errlen);

/* Wipes and frees the key; NULL-safe. */
void passport_key_free(struct passport_key *k);

/* Frees every key of the ring. */
void passport_keyring_free(struct passport_keyring *r);

/*
 * Generates a P-256 key into PATH (mode 0600, refusing to overwrite)
 * and writes its thumbprint into KID. False with ERR on failure.
 */
bool passport_key_generate(const char *path, char kid[48], char *err,
                           size_t errlen);

/* RFC 7638 thumbprint of a P-256 public key (base64url SHA-256). */
bool passport_jwk_thumbprint(EVP_PKEY *pkey, char kid[48]);

/* {"keys": [...]}: the current and retired keys, never the mock key. */
json_t *passport_jwks(const struct passport_keyring *r);

/* What a passport states beyond the verdict. */
struct passport_params {
	const char *issuer;
	const char *id;          /* passport id (jti) */
	const char *endpoint_id; /* NULL when none */
	int64_t iat;
	int64_t ttl;             /* seconds, at most 24 h */
	const json_t *policy;    /* what the evidence was appraised
	                            * against (expected values), or NULL */
	const char *policy_json; /* POLICY serialised with JSON_COMPACT |
	                          * JSON_SORT_KEYS, or NULL (then done
	                          * here) */
	const char *nonce_hex;   /* the challenge answered (eat_nonce), or
	                        * NULL */
};

/* The EAT profile of passports: veraison/ear's, which teepass follows
 * (its extra claims are EAR extensions, docs/passport.md). */
#define PASSPORT_EAT_PROFILE "tag:github.com,2023:veraison/ear"

/* RFC 7800 {"jwk": {...}} of a bound public key (a JWK object, or a PEM
 * SubjectPublicKeyInfo of an EC P-256/384/521 or RSA key); NULL when it
 * is neither. */
json_t *passport_cnf(const json_t *public_key);

/*
 * The EAR claims of a passport (API.md, Passports). Its "exp" is no
 * later than iat + ttl and no later than v->expires_at. New reference.
 */
json_t *passport_claims(const struct verdict *v,
                        const struct passport_params *p);

/* Signs CLAIMS with K's pre-parsed private key (ES256, kid header;
 * OpenSSL EVP, not libjwt: sign.c says why). Returns a malloc'd JWS, NULL
 * for a public-only key or on failure. */
char *passport_sign(const struct passport_key *k, const json_t *claims);

/* The same for claims already serialised: PAYLOAD_JSON is the payload
 * signed, byte for byte (passport_sign signs json_dumps(CLAIMS,
 * JSON_COMPACT)). */
char *passport_sign_text(const struct passport_key *k,
                         const char *payload_json);

#endif
