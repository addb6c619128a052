#include <string.h>

#include "db/registry.h"
#include "db/row.h"

/* A provider reaches only its own keys; anything else is "not found". */
static const struct db_stmt stmt = {
        "api_key_revoke",
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at,"
        " clock_timestamp())"
        " WHERE id = $1 AND ($2::uuid IS NULL OR provider_id = $2::uuid)"
        " RETURNING id, scope, provider_id::text AS provider_id,"
        " (extract(epoch FROM revoked_at) * 1000000)::bigint AS revoked_at",
        2};

enum db_status
db_api_key_revoke(PGconn *c, const char *id, const char *owner,
                  struct db_api_key_revoked *out)
{
	const char *v[2] = {id, owner};
	enum db_status st;
	PGresult *res;
	struct db_row row;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	db_row_copy(&row, "id", out->id, sizeof(out->id));
	db_row_copy(&row, "scope", out->scope, sizeof(out->scope));
	db_row_copy(&row, "provider_id", out->provider_id,
	            sizeof(out->provider_id));
	out->revoked_at = db_row_time(&row, "revoked_at");
	st = row.ok ? DB_OK : DB_ERROR;
out:
	PQclear(res);
	return st;
}
