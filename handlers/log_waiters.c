/*
 * The log's waiters (handlers/log.h): verifications waiting for their
 * inclusion proof without holding a worker thread. With the proof
 * computed on the worker thread, a batch could hold at most as many
 * passports as there are worker threads, and under load it held about
 * one: a checkpoint, a signature and a commit a passport (issue 17).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/tptime.h"
#include "handlers/log.h"
#include "server/app.h"

struct waiter {
	struct waiter *next;
	char id[37];
	void (*done)(void *arg, json_t *proof);
	void *arg;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct waiter *head, **tail = &head;
static size_t n_waiting; /* in the list */
static bool running, stopping;
static pthread_t thread;

static json_t *
proof_of(const char *id)
{
	struct log_proof p;

	if (log_sequence_lookup(id, &p))
		return log_proof_json(p.leaf_index, p.tree_size, p.hashes,
		                      p.len);
	/* Sequenced in an earlier batch of the run, or by another
	 * instance: from the stored nodes. */
	return log_passport_inclusion(id, false);
}

/* The least time from one run's start to the next's. */
#define GATHER_MS 10

static void *
waiters_main(void *arg)
{
	struct timespec last = {0, 0};

	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		struct waiter *w;

		while (head == NULL && !stopping)
			pthread_cond_wait(&cv, &mu);
		if (head == NULL)
			break;
		/* Under load, runs come back to back and would each serve a
		 * passport or two: while other requests are in flight (they
		 * may commit a passport soon), a run starts no sooner than
		 * GATHER_MS after the previous one started, so it serves what
		 * committed meanwhile. When every request in flight is
		 * waiting here (one client at a time, say), it starts at
		 * once. */
		for (double gap;
		     !stopping &&
		     atomic_load(&app.in_flight) > (long)n_waiting &&
		     (gap = GATHER_MS / 1e3 - tptime_since(&last)) > 0;) {
			struct timespec until;

			/* In slices: in_flight changes unsignalled. */
			if (gap > 1e-3)
				gap = 1e-3;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += (long)(gap * 1e9);
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&cv, &mu, &until);
		}
		clock_gettime(CLOCK_MONOTONIC, &last);
		/* Everyone registered so far committed before this run
		 * starts: one run serves them all. */
		w = head;
		head = NULL;
		tail = &head;
		n_waiting = 0;
		pthread_mutex_unlock(&mu);
		bool ok = log_sequence_shared() == DB_OK;
		while (w != NULL) {
			struct waiter *next = w->next;
			w->done(w->arg, ok ? proof_of(w->id) : NULL);
			free(w);
			w = next;
		}
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

bool
log_waiters_start(void)
{
	pthread_mutex_lock(&mu);
	stopping = false;
	running = pthread_create(&thread, NULL, waiters_main, NULL) == 0;
	pthread_mutex_unlock(&mu);
	return running;
}

void
log_waiters_stop(void)
{
	bool was;

	pthread_mutex_lock(&mu);
	was = running;
	stopping = true;
	running = false;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	/* The thread answers every waiter registered before it ends. */
	if (was)
		pthread_join(thread, NULL);
}

bool
log_wait(const char *passport_id, void (*done)(void *arg, json_t *proof),
         void *arg)
{
	struct waiter *w;

	if (passport_id == NULL || strlen(passport_id) >= sizeof(w->id) ||
	    (w = calloc(1, sizeof(*w))) == NULL)
		return false;
	memcpy(w->id, passport_id, strlen(passport_id) + 1);
	w->done = done;
	w->arg = arg;
	pthread_mutex_lock(&mu);
	if (!running) {
		pthread_mutex_unlock(&mu);
		free(w);
		return false;
	}
	*tail = w;
	tail = &w->next;
	n_waiting++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return true;
}
