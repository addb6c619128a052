/*
 * The event hub (docs/events.md). One thread, one database connection:
 * every events_poll_ms it numbers committed events (db_event_sequence,
 * shared by all instances under one advisory lock), reads the ones
 * numbered since its last read into a ring of the newest RING events
 * and resumes the streams waiting for them.
 *
 * A stream is an MHD response whose content reader takes what the ring
 * holds past the stream's cursor; with nothing to send it suspends its
 * connection (under the hub lock, so the hub never resumes one that is
 * not suspended) and the hub resumes it on a new event, a heartbeat due
 * or the drain. A stream that falls behind the ring (more than RING
 * events unread) is ended with a retry hint: the client reconnects with
 * Last-Event-ID and its backlog is read from the database once, at
 * connection. The ids are those of db_event_sequence, increasing in
 * commit order, so resuming after id N never misses an event.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/tptime.h"
#include "db/events.h"
#include "handlers/events.h"
#include "server/app.h"

#define RING         4096
#define BACKLOG      500   /* events read from the database at connection */
#define CHUNK        32768 /* bytes a reader call prepares at most */
#define SEQUENCE_MAX 1000  /* events numbered per statement */
/* A poked round starts no sooner than this after the previous one ended:
 * under load one round numbers what many commits appended (one
 * transaction and one WAL flush for all of them, not one a passport);
 * when idle, a commit's round starts at once. */
#define COALESCE_MS 20

const char *const events_types[EVENTS_TYPE_COUNT] = {
        "passport.issued",
        "passport.revoked",
        "passport.superseded",
        "endpoint.registered",
        "endpoint.attested",
        "endpoint.failed",
        "endpoint.stale",
        "endpoint.retired",
        "endpoint.reference_changed",
};

struct ring_event {
	int64_t seq;
	uint32_t bit;
	char *text; /* the SSE record: id, event and data lines */
	size_t len;
};

struct events_stream {
	struct events_stream *prev, *next;
	struct MHD_Connection *conn;
	int64_t cursor;   /* last event id looked at */
	uint32_t mask;    /* 0: every type */
	bool suspended;   /* by its reader; only the hub resumes it */
	bool ending;      /* what is buffered is the last */
	atomic_bool dead; /* MHD freed the response: the hub frees it */
	char *buf;
	size_t len, off, cap;
	struct timespec last_write;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct ring_event ring[RING];
static size_t ring_head, ring_n;
static int64_t ring_low;  /* every event above it is in the ring or unread */
static int64_t ring_high; /* the last event read */
static bool hub_up, drained, stopping, running, poked;
static struct events_stream *streams;
static atomic_long n_streams;
static atomic_long refused, events_read;
static pthread_t thread;

int
events_type_index(const char *name, size_t len)
{
	for (int i = 0; i < EVENTS_TYPE_COUNT; i++)
		if (strlen(events_types[i]) == len &&
		    memcmp(events_types[i], name, len) == 0)
			return i;
	return -1;
}

bool
events_types_parse(const char *list, uint32_t *mask, char *literal, size_t len)
{
	size_t o = 0;

	*mask = 0;
	if (literal != NULL && len < 3)
		return false;
	if (literal != NULL)
		literal[o++] = '{';
	for (const char *p = list;;) {
		size_t n = strcspn(p, ",");
		int i = events_type_index(p, n);
		if (i < 0)
			return false;
		if (literal != NULL && (*mask & (1u << i)) == 0) {
			size_t need = strlen(events_types[i]) + 2;
			if (o + need >= len)
				return false;
			if (o > 1)
				literal[o++] = ',';
			memcpy(literal + o, events_types[i], need - 2);
			o += need - 2;
		}
		*mask |= 1u << i;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if (literal != NULL) {
		literal[o++] = '}';
		literal[o] = '\0';
	}
	return true;
}

static bool
buf_add(struct events_stream *s, const char *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *nb;
		while (cap < s->len + n)
			cap *= 2;
		if ((nb = realloc(s->buf, cap)) == NULL)
			return false;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return true;
}

/* "id: N\nevent: TYPE\ndata: JSON\n\n" (the JSON is one line). */
static char *
sse_record(int64_t seq, const char *type, const char *data, size_t *len)
{
	size_t n = strlen(type) + strlen(data) + 64;
	char *t = malloc(n);
	int w;

	if (t == NULL)
		return NULL;
	w = snprintf(t, n, "id: %" PRId64 "\nevent: %s\ndata: %s\n\n", seq,
	             type, data);
	if (w < 0 || (size_t)w >= n) {
		free(t);
		return NULL;
	}
	*len = (size_t)w;
	return t;
}

/* The index of the first ring event above SEQ (ring_n when none). */
static size_t
ring_after(int64_t seq)
{
	size_t lo = 0, hi = ring_n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ring[(ring_head + mid) % RING].seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Prepares S's next bytes; the hub lock is held. */
static void
stream_fill(struct events_stream *s)
{
	static const char behind[] =
	        "retry: 1000\n: too far behind: reconnect with "
	        "Last-Event-ID\n\n";
	static const char heartbeat[] = ": heartbeat\n\n";

	if (drained || stopping) {
		s->ending = true;
		return;
	}
	if (s->cursor < ring_low) {
		buf_add(s, behind, sizeof(behind) - 1);
		s->ending = true;
		return;
	}
	for (size_t i = ring_after(s->cursor); i < ring_n && s->len < CHUNK;
	     i++) {
		const struct ring_event *e = &ring[(ring_head + i) % RING];
		if ((s->mask == 0 || (s->mask & e->bit) != 0) &&
		    !buf_add(s, e->text, e->len))
			break;
		s->cursor = e->seq;
	}
	if (s->len == 0 &&
	    tptime_since(&s->last_write) >= app.cfg.events_heartbeat)
		buf_add(s, heartbeat, sizeof(heartbeat) - 1);
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct events_stream *s = cls;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&lock);
	if (s->off == s->len) {
		s->off = s->len = 0;
		if (!s->ending)
			stream_fill(s);
	}
	if (s->off < s->len) {
		n = s->len - s->off < max ? s->len - s->off : max;
		memcpy(out, s->buf + s->off, n);
		s->off += n;
		clock_gettime(CLOCK_MONOTONIC, &s->last_write);
		pthread_mutex_unlock(&lock);
		return (ssize_t)n;
	}
	if (s->ending) {
		pthread_mutex_unlock(&lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	/* Nothing to send: wait off MHD's threads until the hub resumes. */
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* MHD is done with the stream. No hub lock here (MHD may hold its own):
 * the hub unlinks and frees it. */
static void
stream_free(void *cls)
{
	struct events_stream *s = cls;

	atomic_fetch_sub(&n_streams, 1);
	atomic_store(&s->dead, true);
}

/* Resumes the suspended streams (all, or those due a heartbeat); the
 * hub lock is held. */
static void
resume_locked(bool all)
{
	for (struct events_stream *s = streams; s != NULL; s = s->next) {
		if (!s->suspended || atomic_load(&s->dead))
			continue;
		if (!all &&
		    tptime_since(&s->last_write) < app.cfg.events_heartbeat)
			continue;
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

static void
gc_locked(void)
{
	struct events_stream *s = streams, *next;

	for (; s != NULL; s = next) {
		next = s->next;
		if (!atomic_load(&s->dead))
			continue;
		if (s->prev != NULL)
			s->prev->next = s->next;
		else
			streams = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
		free(s->buf);
		free(s);
	}
}

/* A transaction of this instance committed an event (the db commit
 * hook): run a round now. */
static void
events_poke(void)
{
	pthread_mutex_lock(&lock);
	poked = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

void
events_drain(void)
{
	pthread_mutex_lock(&lock);
	drained = true;
	resume_locked(true);
	pthread_mutex_unlock(&lock);
}

static void
ring_push(const struct db_event *e)
{
	struct ring_event *r;
	int i = events_type_index(e->type, strlen(e->type));
	size_t len;
	char *text = sse_record(e->seq, e->type, e->data, &len);

	if (text == NULL || i < 0) {
		free(text);
		return;
	}
	if (ring_n == RING) {
		r = &ring[ring_head];
		ring_low = r->seq;
		free(r->text);
		ring_head = (ring_head + 1) % RING;
		ring_n--;
	}
	r = &ring[(ring_head + ring_n) % RING];
	r->seq = e->seq;
	r->bit = 1u << i;
	r->text = text;
	r->len = len;
	ring_n++;
}

/* One round; false on a database error. */
static bool
hub_round(void)
{
	static int64_t swept = -1; /* the clock of the last stale sweep */
	int64_t keep = app.cfg.events_retention_days * 86400, n = 0;
	int64_t now = config_now(&app.cfg), window;
	struct db_event *ev = NULL;
	size_t nev = 0;
	enum db_status st;
	PGconn *c;

	if (!hub_up) {
		int64_t seq;
		if ((c = db_conn()) == NULL ||
		    db_event_last_seq(c, &seq) != DB_OK)
			return false;
		pthread_mutex_lock(&lock);
		ring_low = ring_high = seq;
		hub_up = true;
		pthread_mutex_unlock(&lock);
	}
	/* The stale sweep covers the expiries since the previous one (a
	 * minute more, for clock steps), the whole retention at start. */
	window = swept < 0 ? keep : now - swept + 60;
	if (window > keep)
		window = keep;
	for (int i = 0; i < 10; i++) {
		st = db_event_sequence(now, i == 0 ? window : 0, SEQUENCE_MAX,
		                       &n);
		if (st != DB_OK)
			return false;
		if (i == 0)
			swept = now;
		if (n > 0)
			webhook_worker_poke();
		if (n < SEQUENCE_MAX)
			break;
	}
	if ((c = db_conn()) == NULL)
		return false;
	for (int i = 0; i < 10; i++) {
		if (db_event_list(c, ring_high, NULL, 1000, &ev, &nev) != DB_OK)
			return false;
		pthread_mutex_lock(&lock);
		for (size_t k = 0; k < nev; k++)
			ring_push(&ev[k]);
		atomic_fetch_add(&events_read, (long)nev);
		if (nev > 0) {
			ring_high = ev[nev - 1].seq;
			resume_locked(true);
		}
		pthread_mutex_unlock(&lock);
		db_event_list_free(ev, nev);
		if (nev < 1000)
			break;
	}
	return true;
}

static void *
hub_main(void *arg)
{
	struct timespec until, last = {0, 0};
	bool warned = false, due = true;
	/* Heartbeats are checked at least every second, whatever the poll. */
	int64_t sleep_ms =
	        app.cfg.events_poll_ms < 1000 ? app.cfg.events_poll_ms : 1000;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		if (atomic_load(&app.draining))
			events_drain();
		if (due && !hub_round()) {
			if (!warned)
				tp_log(TP_LOG_WARN,
				       "events: database error; retrying");
			warned = true;
			db_conn_close();
		} else if (due) {
			warned = false;
		}
		if (due)
			clock_gettime(CLOCK_MONOTONIC, &last);
		pthread_mutex_lock(&lock);
		resume_locked(false);
		gc_locked();
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(sleep_ms % 1000) * 1000000;
		until.tv_sec += sleep_ms / 1000 + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		if (!stopping && !poked)
			pthread_cond_timedwait(&wake, &lock, &until);
		/* A round when poked (an event committed here) or when the
		 * poll interval is up (events committed by other instances). */
		due = poked || tptime_since(&last) * 1000 >=
		                       (double)app.cfg.events_poll_ms;
		for (double gap;
		     poked && !stopping &&
		     (gap = COALESCE_MS / 1000.0 - tptime_since(&last)) > 0;) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += (long)(gap * 1e9);
			until.tv_sec += until.tv_nsec / 1000000000;
			until.tv_nsec %= 1000000000;
			pthread_cond_timedwait(&wake, &lock, &until);
		}
		poked = false;
	}
	drained = true;
	resume_locked(true);
	pthread_mutex_unlock(&lock);
	db_conn_close();
	return NULL;
}

enum MHD_Result
events_stream_open(struct request *r, int64_t last, uint32_t mask,
                   const char *literal)
{
	static const char hello[] = "retry: 2000\n: teepass events\n\n";
	struct events_stream *s = NULL;
	struct db_event *ev = NULL;
	size_t nev = 0;
	int64_t low, high;
	bool up;
	PGconn *c;

	if (atomic_fetch_add(&n_streams, 1) >= app.cfg.events_max_streams) {
		atomic_fetch_sub(&n_streams, 1);
		atomic_fetch_add(&refused, 1);
		return reply_error(r, TP_ERR_events_too_many_streams, NULL);
	}
	pthread_mutex_lock(&lock);
	up = hub_up && !drained;
	low = ring_low;
	high = ring_high;
	pthread_mutex_unlock(&lock);
	if (!up || (s = calloc(1, sizeof(*s))) == NULL) {
		atomic_fetch_sub(&n_streams, 1);
		return reply_error(r, TP_ERR_events_unavailable, NULL);
	}
	s->conn = r->conn;
	s->mask = mask;
	s->cursor = last < 0 ? high : last;
	clock_gettime(CLOCK_MONOTONIC, &s->last_write);
	if (!buf_add(s, hello, sizeof(hello) - 1))
		goto fail;
	if (s->cursor < low) {
		/* Older than the ring: the backlog from the database. Every
		 * event up to LOW was committed before this read, so when
		 * fewer than BACKLOG come back none is missing up to LOW. */
		if ((c = db_conn()) == NULL ||
		    db_event_list(c, s->cursor, literal, BACKLOG, &ev, &nev) !=
		            DB_OK) {
			free(s->buf);
			free(s);
			atomic_fetch_sub(&n_streams, 1);
			return reply_error(r, TP_ERR_database_unavailable,
			                   NULL);
		}
		for (size_t i = 0; i < nev; i++) {
			size_t len;
			char *t = sse_record(ev[i].seq, ev[i].type, ev[i].data,
			                     &len);
			bool ok = t != NULL && buf_add(s, t, len);
			free(t);
			if (!ok)
				goto fail;
			s->cursor = ev[i].seq;
		}
		if (nev < BACKLOG && s->cursor < low)
			s->cursor = low;
		db_event_list_free(ev, nev);
		ev = NULL;
	}
	pthread_mutex_lock(&lock);
	s->next = streams;
	if (streams != NULL)
		streams->prev = s;
	streams = s;
	pthread_mutex_unlock(&lock);
	/* From here MHD owns S: stream_free marks it for the hub. */
	return reply_stream(r, 200, "text/event-stream", stream_read, s,
	                    stream_free);
fail:
	db_event_list_free(ev, nev);
	free(s->buf);
	free(s);
	atomic_fetch_sub(&n_streams, 1);
	return reply_error(r, TP_ERR_internal_error, NULL);
}

bool
events_start(void)
{
	stopping = false;
	drained = false;
	if (pthread_create(&thread, NULL, hub_main, NULL) != 0)
		return false;
	running = true;
	db_event_set_commit_hook(events_poke);
	if (!webhook_worker_start()) {
		events_stop();
		return false;
	}
	return true;
}

void
events_stop(void)
{
	db_event_set_commit_hook(NULL);
	webhook_worker_stop();
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = false;
	pthread_mutex_lock(&lock);
	gc_locked();
	for (size_t i = 0; i < ring_n; i++)
		free(ring[(ring_head + i) % RING].text);
	ring_n = ring_head = 0;
	hub_up = false;
	pthread_mutex_unlock(&lock);
}

void
events_metrics_render(FILE *f)
{
	fprintf(f,
	        "# HELP teepass_event_streams_open Open GET /api/events "
	        "streams.\n"
	        "# TYPE teepass_event_streams_open gauge\n"
	        "teepass_event_streams_open %ld\n"
	        "# HELP teepass_event_streams_refused_total Streams refused "
	        "beyond events_max_streams.\n"
	        "# TYPE teepass_event_streams_refused_total counter\n"
	        "teepass_event_streams_refused_total %ld\n"
	        "# HELP teepass_events_read_total Numbered events the hub "
	        "read into its ring.\n"
	        "# TYPE teepass_events_read_total counter\n"
	        "teepass_events_read_total %ld\n",
	        atomic_load(&n_streams), atomic_load(&refused),
	        atomic_load(&events_read));
	webhook_metrics_render(f);
}
