#include <errno.h>
#include <time.h>

#include "common/log.h"
#include "db/db.h"
#include "server/periodic.h"

static void *
run(void *arg)
{
	struct periodic *p = arg;
	struct timespec until;

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		p->woken = false;
		pthread_mutex_unlock(&p->lock);
		p->fn(p->arg);
		pthread_mutex_lock(&p->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += p->interval;
		while (!p->stopping && !p->woken &&
		       pthread_cond_timedwait(&p->cond, &p->lock, &until) !=
		               ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&p->lock);
	db_conn_close();
	return NULL;
}

bool
periodic_start(struct periodic *p, const char *name, int64_t interval,
               void (*fn)(void *arg), void *arg)
{
	pthread_condattr_t ca;
	bool ok = false;

	p->name = name;
	p->interval = interval;
	p->fn = fn;
	p->arg = arg;
	p->running = p->stopping = p->woken = false;
	if (pthread_condattr_init(&ca) != 0)
		return false;
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&p->cond, &ca) != 0)
		goto out;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		pthread_cond_destroy(&p->cond);
		goto out;
	}
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		tp_log(TP_LOG_ERROR, "%s: cannot start its thread", name);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		goto out;
	}
	p->running = true;
	ok = true;
out:
	pthread_condattr_destroy(&ca);
	return ok;
}

void
periodic_wake(struct periodic *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->woken = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

bool
periodic_stopping(struct periodic *p)
{
	bool stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stopping;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

void
periodic_stop(struct periodic *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	p->running = false;
}
