#include <stdio.h>
#include <string.h>

#include "db/reappraisal.h"

/* The passport and the endpoint that shows it, in one statement. */
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
        " SELECT (SELECT count(*) FROM p) AS n, (SELECT count(*) FROM e) AS m",
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
	st = strcmp(PQgetvalue(res, 0, 0), "1") == 0 ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	return st;
}
