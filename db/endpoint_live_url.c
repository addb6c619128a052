#include <stdio.h>

#include "db/registry.h"
#include "db/row.h"

static const struct db_stmt stmt = {
        "endpoint_live_url",
        "SELECT id::text AS id FROM endpoints WHERE provider_id = $1::uuid"
        " AND url = $2 AND retired_at IS NULL",
        2};

enum db_status
db_endpoint_live_url(PGconn *c, const char *provider_id, const char *url,
                     char id[37])
{
	const char *v[2] = {provider_id, url};
	enum db_status st;
	PGresult *res = db_run(c, &stmt, v, NULL, NULL, &st);

	if (res == NULL)
		return st;
	st = PQntuples(res) > 0 ? DB_OK : DB_NOT_FOUND;
	if (st == DB_OK) {
		struct db_row row = db_row_at(res, 0);

		db_row_copy(&row, "id", id, 37);
		st = row.ok ? DB_OK : DB_ERROR;
	}
	PQclear(res);
	return st;
}
