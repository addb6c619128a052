#include <stdio.h>

#include "db/registry.h"

/*
 * One statement: the passport is revoked only when the caller may (any
 * for an admin; for a provider, only passports of its own endpoints), so
 * "not yours" and "no such passport" look the same.
 */
static const struct db_stmt stmt = {
        "passport_revoke",
        "UPDATE passports p SET status = 'revoked',"
        " revoked_at = coalesce(p.revoked_at, clock_timestamp()),"
        " revocation_reason = coalesce(p.revocation_reason, $3)"
        " WHERE p.id = $2::uuid AND ($4::uuid IS NULL OR EXISTS"
        " (SELECT 1 FROM endpoints e WHERE e.id = p.endpoint_id"
        " AND e.provider_id = $4::uuid))"
        " RETURNING json_build_object('id', p.id, 'status', 'revoked',"
        " 'expires_at', to_char(p.expires_at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'revoked_at',"
        " to_char(p.revoked_at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'revocation_reason',"
        " p.revocation_reason, 'endpoint_id', p.endpoint_id,"
        " 'checked_at', to_char(to_timestamp($1::bigint) AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text",
        4};

enum db_status
db_passport_revoke(PGconn *c, const char *id, const char *owner,
                   const char *reason, int64_t now, json_t **out)
{
	char t[24];
	const char *v[4] = {t, id, reason, owner};

	snprintf(t, sizeof(t), "%lld", (long long)now);
	return db_json_row(c, &stmt, v, out);
}
