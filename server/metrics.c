#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collateral/collateral.h"
#include "server/metrics.h"

static atomic_long requests[6]; /* by status class 1xx..5xx */
static atomic_long verifications[TP_PROVIDER__COUNT][2];
static atomic_long passports_issued;
static atomic_long db_unavailable;
static atomic_long connections_open;
static atomic_long connections_cut;

void
metrics_request(int status)
{
	int c = status / 100;

	if (c >= 1 && c <= 5)
		atomic_fetch_add(&requests[c], 1);
}

void
metrics_verification(enum tp_provider p, bool valid)
{
	if ((unsigned)p < TP_PROVIDER__COUNT)
		atomic_fetch_add(&verifications[p][valid ? 1 : 0], 1);
}

/* Verdicts by EAR status (issue 14), in the order of ear_statuses. */
static const char *const ear_statuses[] = {"affirming", "warning",
                                           "contraindicated", "none"};
static atomic_long by_ear_status[4];

void
metrics_ear_status(const char *status)
{
	for (size_t i = 0; status != NULL && i < 4; i++)
		if (strcmp(status, ear_statuses[i]) == 0)
			atomic_fetch_add(&by_ear_status[i], 1);
}

static void
render_ear_status(FILE *f)
{
	fprintf(f, "# HELP teepass_verifications_by_status_total Verdicts by "
	           "EAR status.\n# TYPE teepass_verifications_by_status_total "
	           "counter\n");
	for (size_t i = 0; i < 4; i++)
		fprintf(f,
		        "teepass_verifications_by_status_total{status=\"%s\"} "
		        "%ld\n",
		        ear_statuses[i], atomic_load(&by_ear_status[i]));
}

void
metrics_passport_issued(void)
{
	atomic_fetch_add(&passports_issued, 1);
}

void
metrics_db_unavailable(void)
{
	atomic_fetch_add(&db_unavailable, 1);
}

void
metrics_connection(int delta)
{
	atomic_fetch_add(&connections_open, delta);
}

void
metrics_connection_cut(void)
{
	atomic_fetch_add(&connections_cut, 1);
}

char *
metrics_render(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fprintf(f,
	        "# HELP teepass_http_requests_total HTTP requests by "
	        "status class.\n# TYPE teepass_http_requests_total counter\n");
	for (int c = 1; c <= 5; c++)
		fprintf(f, "teepass_http_requests_total{class=\"%dxx\"} %ld\n",
		        c, atomic_load(&requests[c]));
	fprintf(f, "# HELP teepass_verifications_total Verdicts by provider "
	           "and result.\n# TYPE teepass_verifications_total counter\n");
	for (int p = 0; p < TP_PROVIDER__COUNT; p++) {
		for (int v = 0; v < 2; v++) {
			long n = atomic_load(&verifications[p][v]);
			if (n == 0)
				continue;
			fprintf(f,
			        "teepass_verifications_total{provider=\"%s\","
			        "valid=\"%s\"} %ld\n",
			        p == 0 ? "unknown" : provider_name(p),
			        v ? "true" : "false", n);
		}
	}
	fprintf(f,
	        "# HELP teepass_passports_issued_total Passports "
	        "committed.\n# TYPE teepass_passports_issued_total "
	        "counter\nteepass_passports_issued_total %ld\n",
	        atomic_load(&passports_issued));
	fprintf(f,
	        "# HELP teepass_db_unavailable_total Requests answered "
	        "503 for want of the database.\n# TYPE "
	        "teepass_db_unavailable_total counter\n"
	        "teepass_db_unavailable_total %ld\n",
	        atomic_load(&db_unavailable));
	fprintf(f,
	        "# HELP teepass_connections_open Client connections open."
	        "\n# TYPE teepass_connections_open gauge\n"
	        "teepass_connections_open %ld\n",
	        atomic_load(&connections_open));
	fprintf(f,
	        "# HELP teepass_connections_cut_total Connections closed "
	        "for missing the request deadline or while draining.\n"
	        "# TYPE teepass_connections_cut_total counter\n"
	        "teepass_connections_cut_total %ld\n",
	        atomic_load(&connections_cut));
	render_ear_status(f);
	coll_metrics_render(f);
	fclose(f);
	return buf;
}
