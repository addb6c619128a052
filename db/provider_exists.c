#include "db/registry.h"

static const struct db_stmt stmt = {
        "provider_exists", "SELECT 1 FROM providers WHERE id = $1::uuid", 1};

enum db_status
db_provider_exists(PGconn *c, const char *id)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res = db_run(c, &stmt, v, NULL, NULL, &st);

	if (res == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	st = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	return st;
}
