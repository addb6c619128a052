#ifndef TP_RETENTION_H
#define TP_RETENTION_H
#include <stdbool.h>

/*
 * The retention thread (handlers/retention.c): every retention_interval
 * seconds, expired challenges and passports past passport_retention_days
 * after expiry are deleted in batches of retention_batch, on a
 * connection of its own. Not started when retention_interval is 0.
 */
bool retention_start(void);

/* Stops the thread and waits for it; safe when it never started. */
void retention_stop(void);

#endif
