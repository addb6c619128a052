#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db/reappraisal.h"

/* The passport and the endpoint that shows it, in one statement: a row
 * per endpoint made failed (one with a NULL id when none was). */
static const struct db_stmt stmt = {
        "passport_supersede",
        "WITH p AS (UPDATE passports SET status = $2,"
        " superseded_at = to_timestamp($5::bigint),"
        " reappraisal = $3::jsonb,"
        " revoked_at = CASE WHEN $2 = 'revoked' THEN clock_timestamp() END,"
        " revocation_reason = CASE WHEN $2 = 'revoked'"
        " THEN 'reappraisal: a certificate it relied on is revoked' END"
        " WHERE id = $1::uuid AND status = 'active' RETURNING id),"
        " e AS (UPDATE endpoints e SET status = 'failed',"
        " last_errors = $4::jsonb FROM p"
        " WHERE e.current_passport_id = p.id AND e.retired_at IS NULL"
        " RETURNING e.id)"
        " SELECT (SELECT count(*) FROM p) AS n, e.id::text AS endpoint_id"
        " FROM (SELECT 1) one LEFT JOIN e ON true",
        5};

enum db_status
db_passport_supersede(PGconn *c, const char *id, const char *status,
                      const char *reappraisal_json, const char *errors_json,
                      int64_t at)
{
	char t[24];
	const char *v[5] = {id, status, reappraisal_json, errors_json, t};
	enum db_status st;
	PGresult *res;

	snprintf(t, sizeof(t), "%lld", (long long)at);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	st = PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 0), "1") == 0
	             ? DB_OK
	             : DB_NOT_FOUND;
	/* docs/events.md: the passport's new status, then each endpoint it
	 * made failed, in the same transaction. */
	for (int i = 0; st == DB_OK && i < PQntuples(res); i++) {
		const char *e =
		        PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1);
		st = db_event_append(c,
		                     strcmp(status, "revoked") == 0
		                             ? "passport.revoked"
		                             : "passport.superseded",
		                     id, e, status, true);
		if (st == DB_OK && e != NULL)
			st = db_event_append(c, "endpoint.failed", id, e,
			                     "failed", false);
	}
	PQclear(res);
	return st;
}
