#ifndef TP_TLS_TARGET_H
#define TP_TLS_TARGET_H
#include <stdbool.h>

/*
 * The TLS target of a registered endpoint's URL (attested TLS,
 * docs/registry.md): pure string rules, no network (the probe is
 * handlers/tls_probe.c).
 */

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

#endif
