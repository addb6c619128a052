#ifndef TP_ECDSA_H
#define TP_ECDSA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/*
 * Verifies an ECDSA signature given as raw big-endian r and s of N bytes
 * each (r||s, as in DCAP and COSE) over MSG with digest MD. Returns true
 * only when the signature verifies.
 */
bool ecdsa_verify_raw(EVP_PKEY *pub, const EVP_MD *md, const uint8_t *msg,
                      size_t msglen, const uint8_t *r, const uint8_t *s,
                      size_t n);

/*
 * Signs MSG with PRIV and digest MD, writing raw r||s (2*N bytes, N the
 * curve's field size) into SIG. Returns false on failure.
 */
bool ecdsa_sign_raw(EVP_PKEY *priv, const EVP_MD *md, const uint8_t *msg,
                    size_t msglen, uint8_t *sig, size_t n);

/*
 * A public key on curve GROUP ("P-256", "P-384") from an uncompressed
 * point: x||y (2*N bytes) or 0x04||x||y. NULL when not on the curve.
 */
EVP_PKEY *ecdsa_pub_from_point(const char *group, const uint8_t *pt,
                               size_t len);

/* DER SubjectPublicKeyInfo of KEY; *out malloc'd. */
bool ecdsa_spki_der(EVP_PKEY *key, uint8_t **out, size_t *outlen);

#endif
