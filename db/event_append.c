#include "db/db.h"

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
	return st;
}
