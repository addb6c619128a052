#include "db/registry.h"

/* A provider reaches only its own keys; anything else is "not found". */
static const struct db_stmt stmt = {
        "api_key_revoke",
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at,"
        " clock_timestamp())"
        " WHERE id = $1 AND ($2::uuid IS NULL OR provider_id = $2::uuid)"
        " RETURNING json_build_object('id', id, 'scope', scope,"
        " 'provider_id', provider_id, 'revoked_at',"
        " to_char(revoked_at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text",
        2};

enum db_status
db_api_key_revoke(PGconn *c, const char *id, const char *owner, json_t **out)
{
	const char *v[2] = {id, owner};

	return db_json_row(c, &stmt, v, out);
}
