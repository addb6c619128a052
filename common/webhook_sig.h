#ifndef TP_WEBHOOK_SIG_H
#define TP_WEBHOOK_SIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Webhook signatures (docs/events.md): every delivery carries
 *   Teepass-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 *                      "<t>.<body>")>
 * where the key is the secret's bytes as returned at creation
 * ("whsec_" and 43 base64url characters: 32 random bytes) and body the
 * exact bytes of the request body. A receiver recomputes the HMAC,
 * compares in constant time and refuses a t too far from its clock.
 */
#define WEBHOOK_SECRET_LEN (6 + 43)
#define WEBHOOK_SIG_MAX    (2 + 20 + 4 + 64 + 1)

/* A new secret into OUT (NUL-terminated); false without randomness. */
bool webhook_secret_generate(char out[WEBHOOK_SECRET_LEN + 1]);

/*
 * The Teepass-Signature header value of BODY (LEN bytes) at T, keyed by
 * SECRET, into OUT (NUL-terminated). False when T is negative or the
 * HMAC fails.
 */
bool webhook_signature(const char *secret, int64_t t, const char *body,
                       size_t len, char out[WEBHOOK_SIG_MAX]);

#endif
