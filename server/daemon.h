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

#endif
