#ifndef TP_TLS_PROBE_H
#define TP_TLS_PROBE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"
#include "common/tls_target.h"

/*
 * Connects to T and completes a TLS handshake (SNI: the host), within
 * TIMEOUT_MS in all (name lookup excepted, which the allow-list bounds),
 * then closes: no HTTP request is sent, so nothing can redirect it. The
 * certificate chain is not validated: what is trusted is the key that
 * the attestation binds. Fills SPKI with the SHA-256 of the leaf
 * certificate's DER SubjectPublicKeyInfo. TP_ERR_none, or
 * TP_ERR_tls_unreachable with the reason in WHY.
 */
enum tp_err tls_probe_spki(const struct tls_target *t, long timeout_ms,
                           uint8_t spki[32], char *why, size_t whylen);

#endif
