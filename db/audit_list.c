#include <stdio.h>
#include <stdlib.h>

#include "db/registry.h"
#include "db/row.h"

static const struct db_stmt stmt = {
        "audit_list",
        "SELECT id, (extract(epoch FROM at) * 1000000)::bigint AS at,"
        " actor, action, target, detail::text AS detail"
        " FROM audit_log WHERE ($1::bigint IS NULL OR id < $1::bigint)"
        " ORDER BY id DESC LIMIT $2::int",
        2};

void
db_audit_list_free(struct db_audit_entry *e, size_t n)
{
	for (size_t i = 0; e != NULL && i < n; i++) {
		free(e[i].actor);
		free(e[i].action);
		free(e[i].target);
		free(e[i].detail_json);
	}
	free(e);
}

enum db_status
db_audit_list(PGconn *c, const char *before, int limit,
              struct db_audit_entry **out, size_t *n)
{
	char lim[16];
	const char *v[2] = {before, lim};
	enum db_status st;
	PGresult *res;
	struct db_audit_entry *e = NULL;
	size_t count;

	*out = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((e = calloc(count > 0 ? count : 1, sizeof(*e))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		e[i].id = db_row_int64(&row, "id");
		e[i].at = db_row_time(&row, "at");
		e[i].actor = db_row_strdup(&row, "actor");
		e[i].action = db_row_strdup(&row, "action");
		e[i].target = db_row_strdup(&row, "target");
		e[i].detail_json = db_row_strdup(&row, "detail");
		if (!row.ok || e[i].actor == NULL || e[i].action == NULL ||
		    e[i].detail_json == NULL) {
			st = DB_ERROR;
			goto out;
		}
	}
	*out = e;
	*n = count;
	e = NULL;
	st = DB_OK;
out:
	db_audit_list_free(e, count);
	PQclear(res);
	return st;
}
