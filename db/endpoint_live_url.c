#include <stdio.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "endpoint_live_url",
        "SELECT id::text FROM endpoints WHERE provider_id = $1::uuid"
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
	if (st == DB_OK)
		snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return st;
}
