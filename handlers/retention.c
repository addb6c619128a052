#include <stdbool.h>
#include <stdint.h>

#include "common/log.h"
#include "db/db.h"
#include "db/events.h"
#include "handlers/retention.h"
#include "server/app.h"
#include "server/periodic.h"

static struct periodic thread;

/* Batches per table per round: a backlog drains over several rounds
 * instead of holding the thread (and the database) for long. */
#define MAX_BATCHES 100

/* Deletes what is due at NOW (Unix seconds); false on a database error. */
static bool
round_at(int64_t now)
{
	int64_t keep = app.cfg.passport_retention_days * 86400;
	int64_t batch = app.cfg.retention_batch;
	int64_t n, total_c = 0, total_p = 0, total_a = 0, total_e = 0;
	enum db_status st = DB_OK;
	PGconn *c;

	if ((c = db_conn()) == NULL)
		return false;
	for (int i = 0; i < MAX_BATCHES; i++) {
		st = db_retention_purge_challenges(c, now, batch, &n);
		if (st != DB_OK)
			goto out;
		total_c += n;
		if (n < batch)
			break;
	}
	for (int i = 0; i < MAX_BATCHES; i++) {
		st = db_retention_purge_passports(c, now - keep, batch, &n);
		if (st != DB_OK)
			goto out;
		total_p += n;
		if (n < batch)
			break;
	}
	/* History entries older than any passport still kept (a passport
	 * lives at most a day). */
	for (int i = 0; i < MAX_BATCHES; i++) {
		st = db_retention_purge_endpoint_attestations(
		        c, now - keep - 86400, batch, &n);
		if (st != DB_OK)
			goto out;
		total_a += n;
		if (n < batch)
			break;
	}
	/* Events and finished webhook deliveries (docs/events.md), by the
	 * database's clock. */
	for (int i = 0; i < MAX_BATCHES; i++) {
		st = db_event_purge(c, app.cfg.events_retention_days * 86400,
		                    batch, &n);
		if (st != DB_OK)
			goto out;
		total_e += n;
		if (n < batch)
			break;
	}
	for (int i = 0; i < MAX_BATCHES; i++) {
		st = db_delivery_purge(c, app.cfg.events_retention_days * 86400,
		                       batch, &n);
		if (st != DB_OK)
			goto out;
		total_e += n;
		if (n < batch)
			break;
	}
out:
	if (total_e > 0)
		tp_log(TP_LOG_INFO,
		       "retention: deleted %lld events and webhook deliveries "
		       "older than %lld days",
		       (long long)total_e,
		       (long long)app.cfg.events_retention_days);
	if (total_c > 0 || total_p > 0 || total_a > 0)
		tp_log(TP_LOG_INFO,
		       "retention: deleted %lld expired challenges, %lld "
		       "passports expired more than %lld days ago, %lld "
		       "endpoint history entries",
		       (long long)total_c, (long long)total_p,
		       (long long)app.cfg.passport_retention_days,
		       (long long)total_a);
	if (st != DB_OK) {
		tp_log(TP_LOG_WARN,
		       "retention: database error %d; next round "
		       "retries",
		       (int)st);
		db_conn_close();
	}
	return st == DB_OK;
}

/* periodic's round: at the verification clock (pinned in tests). */
static void
tick(void *arg)
{
	(void)arg;
	round_at(config_now(&app.cfg));
}

bool
retention_start(void)
{
	if (app.cfg.retention_interval == 0)
		return true;
	return periodic_start(&thread, "retention", app.cfg.retention_interval,
	                      tick, NULL);
}

void
retention_stop(void)
{
	periodic_stop(&thread);
}
