#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/log.h"
#include "db/db.h"
#include "db/events.h"
#include "handlers/retention.h"
#include "server/app.h"

/* Batches per table per round: a backlog drains over several rounds
 * instead of holding the thread (and the database) for long. */
#define MAX_BATCHES 100

static pthread_t thread;
static bool running;
static bool stopping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

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

static void *
run(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		/* The verification clock: pinned in tests, the wall clock
		 * otherwise. */
		round_at(config_now(&app.cfg));
		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += app.cfg.retention_interval;
		while (!stopping && pthread_cond_timedwait(&wake, &lock,
		                                           &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&lock);
	db_conn_close();
	return NULL;
}

bool
retention_start(void)
{
	if (app.cfg.retention_interval == 0)
		return true;
	stopping = false;
	if (pthread_create(&thread, NULL, run, NULL) != 0)
		return false;
	running = true;
	return true;
}

void
retention_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = false;
}
