#ifndef TP_TPTIME_H
#define TP_TPTIME_H
#include <stdbool.h>
#include <stdint.h>

/*
 * Parses an RFC 3339 / ISO 8601 instant ("2025-07-19T10:01:17Z",
 * fractions and numeric offsets accepted) into Unix seconds (fractions
 * truncated). Returns false on anything else.
 */
bool tptime_parse(const char *s, int64_t *out);

/* Formats Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into BUF (>= 21 bytes). */
void tptime_format(int64_t t, char buf[32]);

/* The wall clock, Unix seconds. */
int64_t tptime_now(void);

/* Seconds on the monotonic clock since T (a CLOCK_MONOTONIC reading). */
struct timespec;
double tptime_since(const struct timespec *t);

#endif
