#include <string.h>

#include "db/registry.h"
#include "db/row.h"

static const struct db_stmt stmt = {
        "api_key_find",
        "SELECT token_sha256, scope, provider_id::text AS provider_id,"
        " revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1",
        1};

enum db_status
db_api_key_find(PGconn *c, const char *id, struct db_api_key *k)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res;
	struct db_row row;
	const char *scope;

	memset(k, 0, sizeof(*k));
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DB_NOT_FOUND;
	}
	row = db_row_at(res, 0);
	db_row_copy(&row, "token_sha256", k->token_sha256,
	            sizeof(k->token_sha256));
	scope = db_row_text(&row, "scope");
	k->admin = scope != NULL && strcmp(scope, "admin") == 0;
	db_row_copy(&row, "provider_id", k->provider_id,
	            sizeof(k->provider_id));
	k->revoked = db_row_bool(&row, "revoked");
	st = row.ok ? DB_OK : DB_ERROR;
	if (st != DB_OK)
		memset(k, 0, sizeof(*k));
	PQclear(res);
	return st;
}
