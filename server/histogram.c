#include "server/histogram.h"

void
histogram_observe(struct histogram *h, double seconds)
{
	size_t i = 0;

	if (!(seconds > 0))
		seconds = 0;
	while (i < h->n_bounds && seconds > h->bounds[i])
		i++;
	atomic_fetch_add(&h->counts[i], 1);
	atomic_fetch_add(&h->sum_ns, (unsigned long long)(seconds * 1e9));
}

unsigned long
histogram_count(struct histogram *h)
{
	unsigned long n = 0;

	for (size_t i = 0; i <= h->n_bounds; i++)
		n += atomic_load(&h->counts[i]);
	return n;
}

void
histogram_render(FILE *f, const char *name, const char *labels,
                 struct histogram *h)
{
	const char *sep = labels != NULL ? "," : "";
	unsigned long cum = 0;

	if (labels == NULL)
		labels = "";
	/* Buckets are cumulative (a le bucket counts every observation at
	 * or below it); +Inf equals _count. */
	for (size_t i = 0; i < h->n_bounds; i++) {
		cum += atomic_load(&h->counts[i]);
		fprintf(f, "%s_bucket{%s%sle=\"%g\"} %lu\n", name, labels, sep,
		        h->bounds[i], cum);
	}
	cum += atomic_load(&h->counts[h->n_bounds]);
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %lu\n", name, labels, sep, cum);
	fprintf(f, "%s_sum%s%s%s %.9f\n", name, *labels ? "{" : "", labels,
	        *labels ? "}" : "", (double)atomic_load(&h->sum_ns) / 1e9);
	fprintf(f, "%s_count%s%s%s %lu\n", name, *labels ? "{" : "", labels,
	        *labels ? "}" : "", cum);
}
