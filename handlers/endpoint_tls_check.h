#ifndef TP_ENDPOINT_TLS_CHECK_H
#define TP_ENDPOINT_TLS_CHECK_H
#include <stdbool.h>

/*
 * The attested-TLS re-check thread (handlers/endpoint_tls_check.c): with
 * endpoint_tls_check on, every endpoint_tls_interval seconds each live,
 * attested endpoint whose evidence binds a TLS key is connected to
 * (allow-listed hosts only, endpoint_tls_timeout_ms each); one that
 * presents another key becomes "failed" with tls_key_mismatch. One that
 * cannot be reached keeps its status (logged): an unreachable server
 * serves no one a wrong key. Not started when the check is off or the
 * interval is 0.
 */
bool endpoint_tls_check_start(void);

/* Stops the thread and waits for it; safe when it never started. */
void endpoint_tls_check_stop(void);

#endif
