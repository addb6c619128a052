#include <stdio.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "audit_list",
        "SELECT json_build_object('id', id, 'at',"
        " to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
        " 'actor', actor, 'action', action, 'target', target,"
        " 'detail', detail)::text"
        " FROM audit_log WHERE ($1::bigint IS NULL OR id < $1::bigint)"
        " ORDER BY id DESC LIMIT $2::int",
        2};

enum db_status
db_audit_list(PGconn *c, const char *before, int limit, json_t **out)
{
	char lim[16];
	const char *v[2] = {before, lim};

	snprintf(lim, sizeof(lim), "%d", limit);
	return db_json_rows(c, &stmt, v, out);
}
