#ifndef TP_DAEMON_H
#define TP_DAEMON_H
#include <stdbool.h>

/*
 * Starts serving on the configured address with a thread pool (one
 * database connection per worker thread). False with ERR on failure.
 */
bool daemon_start(char *err, size_t errlen);

/*
 * Stops accepting, lets in-flight requests finish (up to GRACE_S
 * seconds), then stops the workers.
 */
void daemon_stop(int grace_s);

/*
 * SIGHUP: reloads tls_cert_file and tls_key_file for the next
 * handshakes. False with ERR (not serving TLS, or bad material: the
 * material in use stays).
 */
bool daemon_reload_tls(char *err, size_t errlen);

#endif
