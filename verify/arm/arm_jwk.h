#ifndef TP_ARM_JWK_H
#define TP_ARM_JWK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/errors.h"

/*
 * PSA / CCA verification keys provisioned as a JWK (RFC 7517 §4, RFC 7518
 * §6.2: {"kty": "EC", "crv": "P-256"|"P-384", "x", "y"}) or a JWKS
 * ({"keys": [JWK, ...]}), the way Veraison and Trustee provision them.
 */

/* The largest JWK / JWKS text read, and the most keys in a JWKS. */
#define ARM_JWK_MAX_TEXT (64u * 1024u)
#define ARM_JWK_MAX_KEYS 64

/* True when BUF (its first non-blank byte) is a JSON object: a JWK or a
 * JWKS rather than a PEM text. */
bool arm_jwk_is_json(const uint8_t *buf, size_t len);

/*
 * The EC public key of the JWK or JWKS text BUF. A JWKS key is chosen by
 * its "kid": equal to the token's COSE kid KID (when KID is not NULL: its
 * bytes as text, or their lower-case hex), else to the lower-case hex
 * INSTANCE_HEX of the token's instance id (when not NULL), else the one
 * key of a JWKS of one. A JWK is refused when it is no EC P-256/P-384
 * public key (kty, crv, x and y of the curve's size, the point on the
 * curve), carries a private part ("d"), or says it is not for verifying
 * ("use" other than "sig", "key_ops" without "verify", "alg" other than
 * the curve's ES256/ES384).
 * Returns the key (caller frees) or NULL with *CODE (arm_jwk_invalid,
 * arm_jwk_kid_unknown) and WHY.
 */
EVP_PKEY *arm_jwk_key(const uint8_t *buf, size_t len, const uint8_t *kid,
                      size_t kid_len, const char *instance_hex,
                      enum tp_err *code, char *why, size_t whylen);

#endif
