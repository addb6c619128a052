#include <stdio.h>
#include <string.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "api_key_find",
        "SELECT token_sha256, scope, coalesce(provider_id::text, ''),"
        " revoked_at IS NOT NULL FROM api_keys WHERE id = $1",
        1};

enum db_status
db_api_key_find(PGconn *c, const char *id, struct db_api_key *k)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res;

	memset(k, 0, sizeof(*k));
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DB_NOT_FOUND;
	}
	snprintf(k->token_sha256, sizeof(k->token_sha256), "%s",
	         PQgetvalue(res, 0, 0));
	k->admin = strcmp(PQgetvalue(res, 0, 1), "admin") == 0;
	snprintf(k->provider_id, sizeof(k->provider_id), "%s",
	         PQgetvalue(res, 0, 2));
	k->revoked = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	PQclear(res);
	return DB_OK;
}
