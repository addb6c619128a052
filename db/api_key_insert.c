#include "db/registry.h"

static const struct db_stmt stmt = {
        "api_key_insert",
        "INSERT INTO api_keys (id, token_sha256, scope, provider_id, label)"
        " VALUES ($1, $2, CASE WHEN $3::uuid IS NULL THEN 'admin'"
        " ELSE 'provider' END, $3::uuid, $4)",
        4};

enum db_status
db_api_key_insert(PGconn *c, const char *id, const char *token_sha256,
                  const char *provider_id, const char *label)
{
	const char *v[4] = {id, token_sha256, provider_id, label};
	enum db_status st;

	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
