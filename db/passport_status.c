#include <stdio.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "passport_status",
        "SELECT json_build_object('id', id, 'status', CASE WHEN"
        " status = 'revoked' THEN 'revoked' WHEN expires_at <="
        " to_timestamp($1::bigint) THEN 'expired' ELSE 'active' END,"
        " 'expires_at', to_char(expires_at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'revoked_at',"
        " to_char(revoked_at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'revocation_reason',"
        " revocation_reason, 'endpoint_id', endpoint_id,"
        " 'checked_at', to_char(to_timestamp($1::bigint) AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text"
        " FROM passports WHERE id = $2::uuid",
        2};

enum db_status
db_passport_status(PGconn *c, const char *id, int64_t now, json_t **out)
{
	char t[24];
	const char *v[2] = {t, id};

	snprintf(t, sizeof(t), "%lld", (long long)now);
	return db_json_row(c, &stmt, v, out);
}
