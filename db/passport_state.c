#include <stdlib.h>
#include <string.h>

#include "db/passport_row.h"

void
db_passport_state_clear(struct db_passport_state *s)
{
	if (s == NULL)
		return;
	free(s->revocation_reason);
	s->revocation_reason = NULL;
}

enum db_status
passport_state_run(PGconn *c, const struct db_stmt *stmt,
                   const char *const *values, struct db_passport_state *out)
{
	enum db_status st;
	PGresult *res;
	struct db_row row;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(c, stmt, values, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	db_row_copy(&row, "id", out->id, sizeof(out->id));
	db_row_copy(&row, "status", out->status, sizeof(out->status));
	out->expires_at = db_row_time(&row, "expires_at");
	out->revoked_at = db_row_time(&row, "revoked_at");
	out->revocation_reason = db_row_strdup(&row, "revocation_reason");
	db_row_copy(&row, "endpoint_id", out->endpoint_id,
	            sizeof(out->endpoint_id));
	st = row.ok ? DB_OK : DB_ERROR;
	if (st != DB_OK)
		db_passport_state_clear(out);
out:
	PQclear(res);
	return st;
}
