#ifndef TP_RATELIMIT_H
#define TP_RATELIMIT_H
#include <stdbool.h>

#include "server/http.h"

/*
 * Admits at most PER_MINUTE requests per client address per minute
 * (fixed one-minute windows, per teepassd process; 0 admits
 * everything). Thread-safe. When the table of addresses is full, the
 * oldest window is dropped.
 */
bool ratelimit_admit(struct request *r, unsigned per_minute);

#endif
