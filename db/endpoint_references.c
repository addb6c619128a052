#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "db/row.h"

/* Every version of an endpoint's reference values, newest first (at most
 * LIMIT). Who made each is in the audit log, not here (public view). */
static const struct db_stmt stmt_exists = {
        "endpoint_references_exists",
        "SELECT 1 FROM endpoints WHERE id = $1::uuid", 1};

static const struct db_stmt stmt = {
        "endpoint_references",
        "SELECT version, sha256, doc::text AS doc,"
        " (extract(epoch FROM created_at) * 1000000)::bigint AS created_at"
        " FROM reference_values WHERE endpoint_id = $1::uuid"
        " ORDER BY version DESC LIMIT $2::int",
        2};

void
db_endpoint_references_free(struct db_reference_version *r, size_t n)
{
	for (size_t i = 0; r != NULL && i < n; i++)
		free(r[i].doc_json);
	free(r);
}

enum db_status
db_endpoint_references(PGconn *c, const char *id, int limit,
                       struct db_reference_version **out, size_t *n)
{
	char lim[16];
	const char *v[2] = {id, lim};
	enum db_status st;
	PGresult *res;
	struct db_reference_version *r = NULL;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if ((res = db_run(c, &stmt_exists, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	st = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	if (st != DB_OK)
		return st;
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((r = calloc(count > 0 ? count : 1, sizeof(*r))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		r[i].version = (int)db_row_int64(&row, "version");
		db_row_copy(&row, "sha256", r[i].sha256, sizeof(r[i].sha256));
		r[i].doc_json = db_row_strdup(&row, "doc");
		r[i].created_at = db_row_time(&row, "created_at");
		if (!row.ok || r[i].doc_json == NULL) {
			st = DB_ERROR;
			goto out;
		}
	}
	*out = r;
	*n = count;
	r = NULL;
	st = DB_OK;
out:
	db_endpoint_references_free(r, count);
	PQclear(res);
	return st;
}
