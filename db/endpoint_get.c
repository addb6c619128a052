#include <stdio.h>
#include <string.h>

#include "db/endpoint_view.h"

static const struct db_stmt stmt = {
        "endpoint_get",
        "SELECT " ENDPOINT_COLUMNS ENDPOINT_FROM " WHERE e.id = $2::uuid", 2};

enum db_status
db_endpoint_get(PGconn *c, const char *id, int64_t now, struct db_endpoint *out)
{
	char t[24];
	const char *v[2] = {t, id};
	enum db_status st;
	PGresult *res;
	struct db_row row;

	memset(out, 0, sizeof(*out));
	snprintf(t, sizeof(t), "%lld", (long long)now);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	st = endpoint_view_read(&row, out) ? DB_OK : DB_ERROR;
	if (st != DB_OK)
		db_endpoint_clear(out);
out:
	PQclear(res);
	return st;
}
