#include <stdatomic.h>

#include "db/db.h"

typedef void (*commit_hook)(void);
static _Atomic(commit_hook) hook;
static _Thread_local bool appended;

void
db_event_set_commit_hook(void (*fn)(void))
{
	atomic_store(&hook, fn);
}

void
db_event_tx_end(bool committed)
{
	commit_hook fn = atomic_load(&hook);

	if (committed && appended && fn != NULL)
		fn();
	appended = false;
}

void
db_event_appended(void)
{
	appended = true;
}

/* The provider is filled in when the event is numbered: an endpoint's
 * row may be inserted after its first passport in the same transaction. */
static const struct db_stmt stmt = {
        "event_append",
        "INSERT INTO events (type, passport_id, endpoint_id, status,"
        " dedup_key)"
        " VALUES ($1::text, $2::text::uuid, $3::text::uuid, $4::text,"
        " CASE WHEN $5::boolean THEN $1::text || ':' ||"
        " coalesce($2::text, '') || ':' || coalesce($3::text, '') END)"
        " ON CONFLICT (dedup_key) DO NOTHING",
        5};

enum db_status
db_event_append(PGconn *c, const char *type, const char *passport_id,
                const char *endpoint_id, const char *status, bool once)
{
	const char *v[5] = {type, passport_id, endpoint_id, status,
	                    once ? "true" : "false"};
	enum db_status st;

	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	if (st == DB_OK)
		appended = true;
	return st;
}
