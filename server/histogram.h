#ifndef TP_HISTOGRAM_H
#define TP_HISTOGRAM_H
/* Prometheus histograms (fixed buckets, atomic; any thread). */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#define HISTOGRAM_MAX_BUCKETS 16

struct histogram {
	const double *bounds; /* upper bounds in seconds, increasing */
	size_t n_bounds;      /* at most HISTOGRAM_MAX_BUCKETS */
	atomic_ulong counts[HISTOGRAM_MAX_BUCKETS + 1]; /* last: +Inf */
	atomic_ullong sum_ns;
};

/* Counts one observation of SECONDS (negative counts as 0). */
void histogram_observe(struct histogram *h, double seconds);

/* Total observations. */
unsigned long histogram_count(struct histogram *h);

/* Writes the _bucket, _sum and _count lines of NAME with LABELS (NULL
 * or "key=\"value\"", our own fixed names only). HELP and TYPE are the
 * caller's. */
void histogram_render(FILE *f, const char *name, const char *labels,
                      struct histogram *h);

#endif
