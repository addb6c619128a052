#ifndef TP_NRAS_TOKEN_H
#define TP_NRAS_TOKEN_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/verify.h"

/*
 * Verifies an NVIDIA Remote Attestation Service detached EAT,
 * [["JWT", overall], {"GPU-0": jwt, ...}] (BUF, LEN): every ES384 JWS
 * with the key of its "kid" in JWKS (borrowed; NULL when none was
 * supplied; JWKS_MALFORMED, or NULL, says why the loader could not read
 * the one that was), the overall token's submods digests (SHA-256 of each GPU
 * token's ASCII), nbf/exp at req->now, eat_nonce equal across tokens,
 * x-nvidia-overall-att-result and each GPU's measres. Fills V: checks,
 * claims (overall claims and "gpus": {"GPU-0": {...}}), the "nonce"
 * binding (eat_nonce) and evidence_time (iat).
 */
void nras_verify(const uint8_t *buf, size_t len, const json_t *jwks,
                 const char *jwks_malformed, const struct verify_request *req,
                 struct verdict *v);

#endif
