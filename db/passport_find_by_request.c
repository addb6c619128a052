#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/row.h"

/* The lock, then the lookup in a snapshot taken once it is held
 * (migration 0015). */
static const struct db_stmt stmt = {
        "passport_find_by_request",
        "SELECT id, token, expires_at FROM passport_lock_find($1,"
        " $2::bigint, $3)",
        3};

enum db_status
db_passport_find_by_request(PGconn *c, const char *request_sha256, int64_t now,
                            const char *kid, struct db_passport_issued *out)
{
	char t[24];
	const char *v[3] = {request_sha256, t, kid};
	enum db_status st;
	PGresult *res;
	struct db_row row;

	memset(out, 0, sizeof(*out));
	snprintf(t, sizeof(t), "%lld", (long long)now);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	db_row_copy(&row, "id", out->id, sizeof(out->id));
	out->token = db_row_strdup(&row, "token");
	out->expires_at = db_row_time(&row, "expires_at");
	st = row.ok && out->token != NULL ? DB_OK : DB_ERROR;
	if (st != DB_OK) {
		free(out->token);
		out->token = NULL;
	}
out:
	PQclear(res);
	return st;
}
