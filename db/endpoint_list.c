#include <stdio.h>
#include <stdlib.h>

#include "db/endpoint_view.h"

/* Without a status filter: every live endpoint (retired ones only when
 * asked for with status=retired). Keyset pagination: rows strictly older
 * than the cursor endpoint's (created_at, id). */
static const struct db_stmt stmt = {
        "endpoint_list",
        "SELECT " ENDPOINT_COLUMNS ENDPOINT_FROM
        " WHERE ($2::text IS NULL OR e.tee_type = $2)"
        " AND ($3::text IS NULL OR e.model_name = $3 OR e.model_digest = $3)"
        " AND (($4::text IS NULL AND " ENDPOINT_STATUS " <> 'retired')"
        " OR " ENDPOINT_STATUS " = $4)"
        " AND ($5::uuid IS NULL OR e.provider_id = $5::uuid)"
        " AND ($7::uuid IS NULL OR (e.created_at, e.id) < (SELECT"
        " c.created_at, c.id FROM endpoints c WHERE c.id = $7::uuid))"
        " ORDER BY e.created_at DESC, e.id DESC LIMIT $6::int",
        7};

enum db_status
db_endpoint_list(PGconn *c, const struct db_endpoint_filter *f, int64_t now,
                 struct db_endpoint **out, size_t *n)
{
	char t[24], lim[16];
	const char *v[7] = {t,          f->tee_type,    f->model,
	                    f->status,  f->provider_id, lim,
	                    f->after_id};
	enum db_status st;
	PGresult *res;
	struct db_endpoint *e = NULL;
	size_t count;

	*out = NULL;
	*n = 0;
	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(lim, sizeof(lim), "%d", f->limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((e = calloc(count > 0 ? count : 1, sizeof(*e))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		if (!endpoint_view_read(&row, &e[i])) {
			st = DB_ERROR;
			goto out;
		}
	}
	*out = e;
	*n = count;
	e = NULL;
	st = DB_OK;
out:
	db_endpoint_list_free(e, count);
	PQclear(res);
	return st;
}
