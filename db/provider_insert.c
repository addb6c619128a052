#include "db/registry.h"

static const struct db_stmt stmt = {
        "provider_insert",
        "INSERT INTO providers (id, name) VALUES ($1::uuid, $2)", 2};

enum db_status
db_provider_insert(PGconn *c, const char *id, const char *name)
{
	const char *v[2] = {id, name};
	enum db_status st;

	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
