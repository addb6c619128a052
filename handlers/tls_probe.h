#ifndef TP_TLS_PROBE_H
#define TP_TLS_PROBE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"

/* An endpoint URL's TLS target: https://HOST[:PORT][/...]. */
struct tls_target {
	char host[256]; /* without IPv6 brackets, lower-case */
	char port[6];   /* "443" by default */
};

/*
 * Reads an https:// URL (no user info; an IPv6 literal in brackets) into
 * T. False for any other scheme or a malformed authority.
 */
bool tls_target_parse(const char *url, struct tls_target *t);

/*
 * True when T's host is in ALLOWED, a comma-separated list of host names
 * or addresses (exact, case-insensitive) or "*.domain" (any name under
 * domain). NULL or empty: nothing is allowed.
 */
bool tls_target_allowed(const struct tls_target *t, const char *allowed);

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
