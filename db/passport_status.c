#include <stdio.h>

#include "db/passport_row.h"

static const struct db_stmt stmt = {
        "passport_status",
        "SELECT " PASSPORT_STATE_COLUMNS ", CASE WHEN status IN"
        " ('revoked', 'superseded') THEN status"
        " WHEN expires_at <= to_timestamp($1::bigint)"
        " THEN 'expired' ELSE 'active' END AS status"
        " FROM passports WHERE id = $2::uuid",
        2};

enum db_status
db_passport_status(PGconn *c, const char *id, int64_t now,
                   struct db_passport_state *out)
{
	char t[24];
	const char *v[2] = {t, id};

	snprintf(t, sizeof(t), "%lld", (long long)now);
	return passport_state_run(c, &stmt, v, out);
}
