#include <stdio.h>
#include <stdlib.h>

#include "db/db.h"
#include "db/passport_row.h"

/*
 * Keyset pagination: rows strictly older than the cursor's (created_at,
 * id). The status filter takes the lifecycle (active, expired, revoked,
 * superseded)
 * or the EAR tier (affirming, warning).
 */
static const struct db_stmt stmt = {
        "passport_list",
        "SELECT " PASSPORT_COLUMNS " FROM passports"
        " WHERE ($2::text IS NULL OR tee_type = $2)"
        " AND ($3::uuid IS NULL OR endpoint_id = $3::uuid)"
        " AND ($4::text IS NULL"
        "  OR ($4 IN ('revoked', 'superseded') AND status = $4)"
        "  OR ($4 = 'expired' AND status = 'active'"
        "      AND expires_at <= to_timestamp($1::bigint))"
        "  OR ($4 = 'active' AND status = 'active'"
        "      AND expires_at > to_timestamp($1::bigint))"
        "  OR ($4 IN ('affirming', 'warning') AND ear_status = $4))"
        " AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz,"
        " $6::uuid))"
        " AND ($8::bigint IS NULL OR created_at >= to_timestamp($8::bigint))"
        " AND ($9::bigint IS NULL OR created_at < to_timestamp($9::bigint))"
        " ORDER BY created_at DESC, id DESC LIMIT $7::int",
        9};

enum db_status
db_passport_list(PGconn *c, const struct db_passport_filter *f, int64_t now,
                 struct db_passport **out, size_t *n)
{
	char t[24], lim[16];
	const char *v[9];
	enum db_status st;
	PGresult *res;
	struct db_passport *p = NULL;
	size_t count;

	*out = NULL;
	*n = 0;
	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(lim, sizeof(lim), "%d", f->limit);
	v[0] = t;
	v[1] = f->tee_type;
	v[2] = f->endpoint_id;
	v[3] = f->status;
	v[4] = f->after_created;
	v[5] = f->after_id;
	v[6] = lim;
	v[7] = f->since;
	v[8] = f->until;
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((p = calloc(count > 0 ? count : 1, sizeof(*p))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		if (!passport_row_read(&row, &p[i])) {
			st = DB_ERROR;
			goto out;
		}
	}
	*out = p;
	*n = count;
	p = NULL;
	st = DB_OK;
out:
	db_passport_list_free(p, count);
	PQclear(res);
	return st;
}
