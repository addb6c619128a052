#ifndef TP_PERIODIC_H
#define TP_PERIODIC_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A background thread that calls FN(ARG) at once and then every INTERVAL
 * seconds, or sooner when woken (server/periodic.c): the retention, the
 * attested TLS checks and the re-appraisal threads. It waits on a
 * condition variable (the monotonic clock), so stopping it is prompt;
 * the thread closes its database connection when it ends.
 */
struct periodic {
	const char *name;
	int64_t interval; /* seconds */
	void (*fn)(void *arg);
	void *arg;
	/* private */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running, stopping, woken;
};

/* Starts P's thread (P lives until periodic_stop); false when it cannot. */
bool periodic_start(struct periodic *p, const char *name, int64_t interval,
                    void (*fn)(void *arg), void *arg);

/* Makes P's next round start now (a no-op when it is not running). */
void periodic_wake(struct periodic *p);

/* True once periodic_stop was called: a long round may end early. */
bool periodic_stopping(struct periodic *p);

/* Stops P's thread and waits for it; safe when it never started. */
void periodic_stop(struct periodic *p);

#endif
