#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collateral/collateral.h"
#include "db/db.h"
#include "handlers/events.h"
#include "server/histogram.h"
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
static void metrics_render_latency(FILE *f);
static void metrics_render_db_read(FILE *f);

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
	metrics_render_latency(f);
	coll_metrics_render(f);
	metrics_render_db_read(f);
	events_metrics_render(f);
	fclose(f);
	return buf;
}

/* ---- latency histograms and build info (issue 14) ---- */

static const double request_bounds[] = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
static const double verification_bounds[] = {
        0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define NBOUNDS(a) (sizeof(a) / sizeof((a)[0]))

static struct histogram request_seconds = {.bounds = request_bounds,
                                           .n_bounds = NBOUNDS(request_bounds)};
static struct histogram verification_seconds[TP_PROVIDER__COUNT] = {
        [0 ... TP_PROVIDER__COUNT -
         1] = {.bounds = verification_bounds,
               .n_bounds = NBOUNDS(verification_bounds)}};

void
metrics_request_seconds(double seconds)
{
	histogram_observe(&request_seconds, seconds);
}

void
metrics_verification_seconds(enum tp_provider p, double seconds)
{
	if ((unsigned)p < TP_PROVIDER__COUNT)
		histogram_observe(&verification_seconds[p], seconds);
}

static void
metrics_render_latency(FILE *f)
{
	fprintf(f,
	        "# HELP teepass_build_info The running build (always 1).\n"
	        "# TYPE teepass_build_info gauge\n"
	        "teepass_build_info{version=\"%s\"} 1\n",
	        TEEPASS_VERSION);
	fprintf(f, "# HELP teepass_http_request_duration_seconds Time from a "
	           "request's arrival to its completion.\n"
	           "# TYPE teepass_http_request_duration_seconds histogram\n");
	histogram_render(f, "teepass_http_request_duration_seconds", NULL,
	                 &request_seconds);
	fprintf(f, "# HELP teepass_verification_duration_seconds Time to a "
	           "verdict (collateral included) by provider.\n"
	           "# TYPE teepass_verification_duration_seconds histogram\n");
	for (int p = 0; p < TP_PROVIDER__COUNT; p++) {
		char labels[64];
		if (histogram_count(&verification_seconds[p]) == 0)
			continue;
		snprintf(labels, sizeof(labels), "provider=\"%s\"",
		         p == 0 ? "unknown" : provider_name(p));
		histogram_render(f, "teepass_verification_duration_seconds",
		                 labels, &verification_seconds[p]);
	}
}

/* ---- the read replica (database_read_url, issue 20) ---- */

static void
metrics_render_db_read(FILE *f)
{
	struct db_read_stats s;

	db_read_stats(&s);
	if (!s.configured)
		return;
	fprintf(f,
	        "# HELP teepass_db_read_replica_total Lookups served by the "
	        "read replica (database_read_url).\n"
	        "# TYPE teepass_db_read_replica_total counter\n"
	        "teepass_db_read_replica_total %ld\n",
	        s.replica);
	fprintf(f, "# HELP teepass_db_read_fallback_total Lookups sent to the "
	           "primary instead, by reason.\n"
	           "# TYPE teepass_db_read_fallback_total counter\n");
	for (int i = 0; i < DB_READ_FALLBACK__COUNT; i++)
		fprintf(f,
		        "teepass_db_read_fallback_total{reason=\"%s\"} %ld\n",
		        db_read_fallback_name((enum db_read_fallback)i),
		        s.fallback[i]);
	fprintf(f,
	        "# HELP teepass_db_read_replica_lag_seconds Replay lag of the "
	        "read replica when last measured (-1: unknown).\n"
	        "# TYPE teepass_db_read_replica_lag_seconds gauge\n"
	        "teepass_db_read_replica_lag_seconds %.3f\n",
	        s.lag_ms >= 0 ? (double)s.lag_ms / 1000.0 : -1.0);
}
