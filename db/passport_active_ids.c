#include <stdio.h>
#include <stdlib.h>

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
	enum db_status st;
	PGresult *res;
	size_t count;

	*ids = NULL;
	*n = 0;
	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((*ids = calloc(count > 0 ? count : 1, sizeof(**ids))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		db_row_copy(&row, "id", (*ids)[i], sizeof((*ids)[i]));
		if (!row.ok) {
			free(*ids);
			*ids = NULL;
			st = DB_ERROR;
			goto out;
		}
	}
	*n = count;
	st = DB_OK;
out:
	PQclear(res);
	return st;
}
