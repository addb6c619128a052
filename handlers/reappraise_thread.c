/* The re-appraisal thread (handlers/reappraise.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/log.h"
#include "db/db.h"
#include "handlers/reappraise.h"
#include "server/app.h"

static pthread_t thread;
static bool running;
static bool stopping;
static bool woken;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static void
round_at(int64_t now)
{
	int examined = 0, changed = 0;
	enum db_status st;

	st = reappraise_jobs(&app.cfg, now, (int)app.cfg.reappraisal_batch,
	                     (int)app.cfg.reappraisal_batch, &examined,
	                     &changed);
	if (examined > 0)
		tp_log(TP_LOG_INFO,
		       "reappraisal: %d passports judged again, %d worse",
		       examined, changed);
	if (st != DB_OK) {
		tp_log(TP_LOG_WARN,
		       "reappraisal: database error %d; the job resumes in the "
		       "next round",
		       (int)st);
		db_conn_close();
	}
}

static void *
run(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		woken = false;
		pthread_mutex_unlock(&lock);
		/* The verification clock: pinned in tests. */
		round_at(config_now(&app.cfg));
		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += app.cfg.reappraisal_interval;
		while (!stopping && !woken &&
		       pthread_cond_timedwait(&wake, &lock, &until) !=
		               ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&lock);
	db_conn_close();
	return NULL;
}

bool
reappraise_start(void)
{
	if (app.cfg.reappraisal_interval == 0)
		return true;
	stopping = false;
	if (pthread_create(&thread, NULL, run, NULL) != 0)
		return false;
	running = true;
	return true;
}

void
reappraise_wake(void)
{
	pthread_mutex_lock(&lock);
	woken = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

void
reappraise_stop(void)
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
