#ifndef TP_DB_EVENTS_H
#define TP_DB_EVENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "db/db.h"

/*
 * The event log and webhooks (migrations/0006, docs/events.md): one
 * query family per file, db/<name>.c for db_<name>.
 */

/* The JSON document of event row "ev", as text: what the stream sends
 * as data and a webhook as its body. Ids and status only, never a
 * token or a secret. */
#define EVENT_DATA_EV                                                          \
	"(jsonb_build_object('id', ev.seq, 'type', ev.type,"                   \
	" 'created_at', to_char(ev.created_at AT TIME ZONE 'UTC',"             \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) || jsonb_strip_nulls("         \
	"jsonb_build_object('passport_id', ev.passport_id,"                    \
	" 'endpoint_id', ev.endpoint_id, 'provider_id', ev.provider_id,"       \
	" 'status', ev.status)))::text"

/* An event as streamed and delivered: its id (seq), type and the JSON
 * document sent (db_event_list). */
struct db_event {
	int64_t seq;
	char type[40];
	char *data; /* JSON text; caller frees */
};

/* Frees N events; NULL-safe. */
void db_event_list_free(struct db_event *e, size_t n);

/*
 * Numbers the committed events not yet numbered, in one transaction under
 * the events' advisory lock (db/event_sequence.c): first appends
 * endpoint.stale for every live endpoint whose current passport expired
 * at or before NOW (Unix seconds) and less than STALE_WINDOW seconds
 * before it (once per endpoint and passport; 0: no sweep), then gives up
 * to BATCH
 * pending events the next ids of event_seq in insertion order, fills in
 * their provider and makes one delivery per matching webhook. *N counts
 * the events numbered.
 */
enum db_status db_event_sequence(int64_t now, int64_t stale_window,
                                 int64_t batch, int64_t *n);

/* The highest event id (0 when none) (db/event_list.c). */
enum db_status db_event_last_seq(PGconn *c, int64_t *seq);

/*
 * Up to LIMIT numbered events with id above AFTER, oldest first, of the
 * types in TYPES (a PostgreSQL text array literal "{a,b}", NULL: all)
 * (db/event_list.c): *out (db_event_list_free) holds *n.
 */
enum db_status db_event_list(PGconn *c, int64_t after, const char *types,
                             int limit, struct db_event **out, size_t *n);

/* --- webhooks --- */

struct db_webhook {
	char id[37];
	char provider_id[37]; /* "" for an admin's webhook */
	char *url;
	char *types_json;   /* JSON array text */
	int64_t created_at; /* Unix microseconds */
};

void db_webhook_clear(struct db_webhook *w);
void db_webhook_list_free(struct db_webhook *w, size_t n);

/* Stores a webhook (db/webhook_insert.c): PROVIDER_ID NULL for an
 * admin's; TYPES a text array literal. */
enum db_status db_webhook_insert(PGconn *c, const char *id,
                                 const char *provider_id, const char *url,
                                 const char *types, const char *secret,
                                 const char *actor);

/* The live webhook ID when OWNER (NULL: any) owns it (db/webhook_get.c):
 * DB_NOT_FOUND otherwise. */
enum db_status db_webhook_get(PGconn *c, const char *id, const char *owner,
                              struct db_webhook *out);

/* Up to LIMIT live webhooks of OWNER (NULL: all), newest first
 * (db/webhook_list.c). */
enum db_status db_webhook_list(PGconn *c, const char *owner, int limit,
                               struct db_webhook **out, size_t *n);

/* Deletes webhook ID of OWNER (NULL: any) and ends its pending
 * deliveries as failed (db/webhook_delete.c); DB_NOT_FOUND when none. */
enum db_status db_webhook_delete(PGconn *c, const char *id, const char *owner);

/* A delivery as listed (db_webhook_deliveries). */
struct db_delivery {
	int64_t id;
	int64_t event_seq;
	char event_type[40];
	char status[12]; /* pending, delivered or failed */
	int attempts;
	int64_t created_at, finished_at, next_attempt_at; /* Unix µs */
	char *attempts_json; /* [{at, status_code, error, duration_ms}] */
};

void db_delivery_list_free(struct db_delivery *d, size_t n);

/* Up to LIMIT deliveries of webhook ID, newest first
 * (db/webhook_deliveries.c). */
enum db_status db_webhook_deliveries(PGconn *c, const char *id, int limit,
                                     struct db_delivery **out, size_t *n);

/* A delivery claimed for an attempt (db_webhook_claim). */
struct db_claim {
	int64_t id;
	int attempts; /* including this one */
	char *url;
	char *secret;
	char *body;
};

void db_claim_list_free(struct db_claim *c, size_t n);

/*
 * Claims up to LIMIT due pending deliveries for LEASE seconds (another
 * instance takes them only after) and counts the attempt
 * (db/webhook_claim.c).
 */
enum db_status db_webhook_claim(PGconn *c, int limit, int64_t lease,
                                struct db_claim **out, size_t *n);

/*
 * Records an attempt of delivery ID (STATUS_CODE 0: none came back;
 * ERROR NULL: none) and its outcome: STATUS "delivered", "failed" or
 * "pending" again in RETRY_MS (db/webhook_attempt.c).
 */
enum db_status db_webhook_attempt(PGconn *c, int64_t id, int status_code,
                                  const char *error, int64_t duration_ms,
                                  const char *status, int64_t retry_ms);

/* Retention (db/event_purge.c): up to BATCH events created, or finished
 * deliveries finished, more than KEEP seconds ago by the database's
 * clock; *n counts them. */
enum db_status db_event_purge(PGconn *c, int64_t keep, int64_t batch,
                              int64_t *n);
enum db_status db_delivery_purge(PGconn *c, int64_t keep, int64_t batch,
                                 int64_t *n);

#endif
