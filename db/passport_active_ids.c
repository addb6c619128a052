#include <stdio.h>

#include "db/reappraisal.h"
#include "db/row.h"

/* Active passports at $1 in id order after the cursor $2 ('' first). */
static const struct db_stmt stmt = {
        "passport_active_ids",
        "SELECT id::text AS id FROM passports WHERE status = 'active'"
        " AND expires_at > to_timestamp($1::bigint)"
        " AND ($2::text = '' OR id > $2::uuid) ORDER BY id LIMIT $3::int",
        3};

enum db_status
db_passport_active_ids(PGconn *c, int64_t now, const char *after, int limit,
                       char (**ids)[37], size_t *n)
{
	char t[24], lim[16];
	const char *v[3] = {t, after, lim};

	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(lim, sizeof(lim), "%d", limit);
	return db_row_ids(c, &stmt, v, ids, n);
}
