/*
 * Re-appraisal throughput (issue 17) and the stored size of a TDX
 * passport (issue 20), against a real PostgreSQL (TEEPASS_DATABASE_URL,
 * migrated; scripts/bench.sh makes a fresh one): N passports of the real
 * TDX quote of tests/data/tdx/dcapqvl_v4_uptodate, recorded as teepassd
 * records them (appraisal_record, db_passport_insert) with Intel's
 * collateral in the cache; then a superseding TCB Info for the FMSPC
 * (the sample's with every tcbStatus lowered, signature left as it was:
 * no real newer one exists, docs/reappraisal.md) queues a job, and
 * reappraise_jobs works it off as the background thread does, each
 * passport's stored evidence verified again with the current cache and
 * recorded superseded. BENCH_REAPPRAISE_N sets N (default 2000; issue
 * 17's figure is 100,000, docs/performance.md). Rates: wall time, CPU
 * time of this process (the engine: reads, verification, the writes'
 * client side; bench/bench_util.h) and with its PostgreSQL backend's
 * (/proc, same machine), beside the ceiling of the quote's signatures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "bench/bench_util.h"
#include "collateral/collateral.h"
#include "common/codec.h"
#include "config/config.h"
#include "db/db.h"
#include "handlers/attestation.h"
#include "handlers/reappraise.h"
#include "handlers/registry_util.h"
#include "load/load.h"
#include "server/app.h"

/* The daemon's state, which the handlers' objects this links name. */
struct app app;

#define AT 1752105600 /* 2025-07-10T00:00:00Z, inside every window */

/* Wall time: the seeding and the run as a user waits for them. */
static double
mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds (utime + stime) of process PID, from /proc; -1 when it
 * cannot be read (a server on another machine). */
static double
proc_cpu_s(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Fields 14 and 15, after the command name's closing paren. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	           &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Caches artifact IT (named and checked as an import would be); with
 * LOWER, its body with every tcbStatus lowered to OutOfDate. */
static bool
cache_put(PGconn *c, const struct artifact *it, bool lower)
{
	struct db_collateral_row r = {0};
	char why[200], *body = NULL, *p;
	bool stale, ok;
	uint8_t md[32];

	snprintf(r.kind, sizeof(r.kind), "%s", artifact_kind_name(it->kind));
	r.body = it->body;
	r.body_len = it->body_len;
	r.issuer_chain = it->chain;
	snprintf(r.source, sizeof(r.source), "import");
	r.fetched_at = AT;
	if (!coll_artifact_check(&r, AT, &stale, why, sizeof(why))) {
		fprintf(stderr, "bench_reappraise: %s: %s\n", r.kind, why);
		return false;
	}
	if (lower) {
		const char *from = "\"tcbStatus\":\"UpToDate\"";
		const char *to = "\"tcbStatus\":\"OutOfDate\"";
		size_t n = 0;

		if ((body = strdup((const char *)it->body)) == NULL)
			return false;
		/* Same length or longer: rebuild. */
		char *out = malloc(strlen(body) * 2 + 1), *o = out;
		for (p = body; out != NULL && *p;) {
			if (strncmp(p, from, strlen(from)) == 0) {
				memcpy(o, to, strlen(to));
				o += strlen(to);
				p += strlen(from);
				n++;
			} else {
				*o++ = *p++;
			}
		}
		if (out == NULL || n == 0) {
			free(out);
			free(body);
			return false;
		}
		*o = 0;
		free(body);
		body = out;
		r.body = (uint8_t *)body;
		r.body_len = strlen(body);
		SHA256(r.body, r.body_len, md);
		codec_hex_encode_to(md, 32, r.sha256);
	}
	ok = db_collateral_put(c, &r) == DB_OK;
	free(body);
	return ok;
}

struct fill {
	struct attestation *a;
	int from, to;
};

static enum db_status
insert_tx(PGconn *c, void *arg)
{
	struct fill *f = arg;
	enum db_status st = DB_OK;

	for (int i = f->from; i < f->to && st == DB_OK; i++) {
		char id[37], req[65];
		uint8_t md[32];

		reg_uuid(id);
		SHA256((const uint8_t *)id, 36, md);
		codec_hex_encode_to(md, 32, req);
		f->a->row.id = id;
		f->a->row.request_sha256 = req;
		st = db_passport_insert(c, &f->a->row);
		/* Later passports: the set is stored; send no blobs. */
		f->a->row.blobs_json = "[]";
	}
	return st;
}

static long long
q1(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	long long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fprintf(stderr, "bench_reappraise: %s: %s\n", sql,
		        PQerrorMessage(c));
	PQclear(r);
	return v;
}

int
main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : ".";
	const char *url = getenv("TEEPASS_DATABASE_URL");
	const char *ns = getenv("BENCH_REAPPRAISE_N");
	int n = ns != NULL ? atoi(ns) : 2000, examined = 0, changed = 0;
	char path[600], ev_hex[65];
	struct tp_config cfg;
	struct attestation a;
	struct artifact_set set;
	json_t *coll = NULL;
	uint8_t *quote = NULL;
	size_t qlen = 0;
	double t0, t, seed, cpu, cpu0, pg, pg0, p256;
	int pid;
	PGconn *c;
	int rc = 1;

	if (url == NULL || *url == '\0') {
		printf("# bench_reappraise: TEEPASS_DATABASE_URL unset: "
		       "skipped (scripts/bench.sh sets one)\n");
		return 0;
	}
	if (n < 1)
		n = 1;
	config_defaults(&cfg);
	db_configure(url);
	if ((c = db_conn()) == NULL) {
		fprintf(stderr, "bench_reappraise: no database\n");
		return 1;
	}
	snprintf(path, sizeof(path),
	         "%s/tests/data/tdx/dcapqvl_v4_uptodate/quote.bin", root);
	quote = slurp(path, &qlen);
	snprintf(path, sizeof(path),
	         "%s/tests/data/tdx/dcapqvl_v4_uptodate/collateral.json", root);
	coll = json_load_file(path, 0, NULL);
	if (quote == NULL || coll == NULL) {
		fprintf(stderr, "bench_reappraise: %s: unreadable\n", path);
		goto out;
	}
	artifact_set_init(&set);
	load_json(TP_PROVIDER_INTEL_TDX, coll, &set);
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	PQclear(PQexec(c, "TRUNCATE passports, reappraisal_jobs, "
	                  "collateral_artifacts, collateral_sets, "
	                  "collateral_set_items, evidence_blobs, "
	                  "appraisal_blobs, tlog_entries CASCADE"));
	for (size_t i = 0; i < set.n; i++)
		if (!cache_put(c, &set.items[i], false))
			goto out;

	/* The record teepassd makes of one verification of the quote. */
	memset(&a, 0, sizeof(a));
	verdict_init(&a.v, TP_PROVIDER_INTEL_TDX, AT);
	a.verified = true;
	a.evidence = quote;
	a.evidence_len = qlen;
	a.sets = &set;
	SHA256(quote, qlen, a.v.evidence_sha256);
	codec_hex_encode_to(a.v.evidence_sha256, 32, ev_hex);
	if (!appraisal_record(&a))
		goto out;
	a.row.verified_at = AT;
	a.row.expires_at = AT + 86400;
	a.row.ear_status = "affirming";
	a.row.tee_type = "IntelTdx";
	a.row.hardware_attested = true;
	a.row.claims_json = "{}";
	a.row.token = "bench";
	a.row.kid = "bench";
	a.row.evidence = quote;
	a.row.evidence_len = qlen;
	a.row.evidence_sha256 = ev_hex;
	/* The first passport as teepassd records it (db_passport_insert);
	 * the other N - 1 are copies of its row with an id and request
	 * digest of their own, made by one INSERT ... SELECT (triggers
	 * fire per row as for any insert): the same stored evidence and
	 * collateral set, so each is judged again exactly like the
	 * first. */
	t0 = mono();
	{
		struct fill f = {&a, 0, 1};
		char sql[900];
		PGresult *r;

		if (db_tx_read_committed(insert_tx, &f) != DB_OK) {
			fprintf(stderr, "bench_reappraise: insert failed\n");
			goto out;
		}
		snprintf(sql, sizeof(sql),
		         "INSERT INTO passports SELECT (jsonb_populate_record("
		         "p, jsonb_build_object('id', g.nid, 'request_sha256', "
		         "encode(sha256(convert_to(g.nid::text, 'UTF8')), "
		         "'hex')))).* FROM passports p,"
		         " (SELECT gen_random_uuid() AS nid FROM "
		         "generate_series(2, %d)) g",
		         n);
		r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "bench_reappraise: seeding: %s",
			        PQerrorMessage(c));
			PQclear(r);
			goto out;
		}
		PQclear(r);
	}
	PQclear(PQexec(c, "ANALYZE passports"));
	seed = mono() - t0;
	if (q1(c, "SELECT count(*) FROM passports") != n) {
		fprintf(stderr, "bench_reappraise: seeded the wrong count\n");
		goto out;
	}
	/* A superseding TCB Info: the trigger queues one job. */
	for (size_t i = 0; i < set.n; i++)
		if (set.items[i].kind == ARTIFACT_INTEL_TCB_INFO &&
		    !cache_put(c, &set.items[i], true))
			goto out;
	if (q1(c, "SELECT count(*) FROM reappraisal_jobs") != 1) {
		fprintf(stderr, "bench_reappraise: no job queued\n");
		goto out;
	}
	pid = PQbackendPID(c);
	pg0 = proc_cpu_s(pid);
	cpu0 = bench_cpu_s();
	t0 = mono();
	if (reappraise_jobs(&cfg, AT + 3600, 500, n, &examined, &changed) !=
	    DB_OK) {
		fprintf(stderr, "bench_reappraise: reappraise_jobs failed\n");
		goto out;
	}
	t = mono() - t0;
	cpu = bench_cpu_s() - cpu0;
	pg = pg0 >= 0 && proc_cpu_s(pid) >= 0 ? proc_cpu_s(pid) - pg0 : -1;
	if (examined != n || changed != n) {
		fprintf(stderr,
		        "bench_reappraise: %d of %d examined, %d superseded\n",
		        examined, n, changed);
		goto out;
	}
	printf("# %d stored TDX passports (seeded in %.1f s) affected by one "
	       "superseding TCB Info, judged again (stored evidence, current "
	       "cache) and recorded superseded in batches of 500, one "
	       "transaction each, on one connection: %.2f s wall, %.2f CPU-s "
	       "here, %.2f CPU-s in its PostgreSQL backend\n",
	       n, seed, t, cpu, pg);
	p256 = bench_verify_rate("P-256");
	printf("# ceiling: at least the quote's 2 P-256 verifications (quote, "
	       "QE "
	       "report; platform cached) at %.0f per CPU-second: %.0f per_s\n",
	       p256, p256 / 2);
	printf("BENCH reappraise_per_s %.0f per_s\n", (double)examined / t);
	printf("BENCH reappraise_per_cpu_s %.0f per_s\n",
	       (double)examined / cpu);
	if (pg > 0)
		printf("BENCH reappraise_per_cpu_s_with_pg %.0f per_s\n",
		       (double)examined / (cpu + pg));
	rc = 0;
out:
	if (rc == 0)
		printf("# stored: %lld bytes a passport row, %lld bytes of "
		       "evidence (stored once)\n",
		       q1(c, "SELECT sum(pg_column_size(p.*)) / count(*) "
		             "FROM passports p"),
		       q1(c, "SELECT sum(pg_column_size(b.*)) FROM "
		             "evidence_blobs b"));
	free(a.appraisal_json);
	free(a.blobs_json);
	free(a.set_json);
	verdict_free(&a.v);
	artifact_set_clear(&set);
	json_decref(coll);
	free(quote);
	db_conn_close();
	config_free(&cfg);
	return rc;
}
