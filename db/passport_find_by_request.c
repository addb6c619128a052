#include <stdio.h>

#include "db/db.h"

static const struct db_stmt stmt = {
        "passport_find_by_request",
        "SELECT id::text, token,"
        " to_char(expires_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " FROM passports WHERE request_sha256 = $1 AND status = 'active'"
        " AND expires_at > to_timestamp($2::bigint) AND kid = $3"
        " ORDER BY created_at DESC LIMIT 1",
        3};

enum db_status
db_passport_find_by_request(PGconn *c, const char *request_sha256, int64_t now,
                            const char *kid, json_t **out)
{
	char t[24];
	const char *v[3] = {request_sha256, t, kid};
	enum db_status st;
	PGresult *res;

	*out = NULL;
	snprintf(t, sizeof(t), "%lld", (long long)now);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
	} else {
		*out = json_pack("{s:s, s:s, s:s}", "id", PQgetvalue(res, 0, 0),
		                 "token", PQgetvalue(res, 0, 1), "expires_at",
		                 PQgetvalue(res, 0, 2));
		st = *out != NULL ? DB_OK : DB_ERROR;
	}
	PQclear(res);
	return st;
}
