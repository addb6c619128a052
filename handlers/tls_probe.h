#ifndef TP_TLS_PROBE_H
#define TP_TLS_PROBE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netdb.h>

#include "common/errors.h"
#include "common/tls_target.h"

/*
 * Connects to T and completes a TLS handshake (SNI: the host), within
 * TIMEOUT_MS in all (the name lookup included), then closes: no HTTP request is sent, so nothing can redirect it. The
 * certificate chain is not validated: what is trusted is the key that
 * the attestation binds. Fills SPKI with the SHA-256 of the leaf
 * certificate's DER SubjectPublicKeyInfo. TP_ERR_none, or
 * TP_ERR_tls_unreachable with the reason in WHY.
 */
enum tp_err tls_probe_spki(const struct tls_target *t, long timeout_ms,
                           uint8_t spki[32], char *why, size_t whylen);

/* The name resolver (getaddrinfo's signature); NULL: getaddrinfo. A
 * test seam: a resolver that never answers. */
typedef int tls_probe_resolver_fn(const char *host, const char *port,
                                  const struct addrinfo *hints,
                                  struct addrinfo **res);
void tls_probe_set_resolver(tls_probe_resolver_fn *fn);

/* Name lookups still running, those abandoned at a deadline included. */
int tls_probe_lookups_in_flight(void);

#endif
