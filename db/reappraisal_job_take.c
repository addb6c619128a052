#include <string.h>

#include "db/reappraisal.h"
#include "db/row.h"

static const struct db_stmt stmt = {
        "reappraisal_job_take",
        "SELECT id, kind, key, sha256, coalesce(cursor::text, '') AS cursor"
        " FROM reappraisal_jobs WHERE done_at IS NULL ORDER BY id"
        " LIMIT 1 FOR UPDATE SKIP LOCKED",
        0};

enum db_status
db_reappraisal_job_take(PGconn *c, struct db_reappraisal_job *out)
{
	enum db_status st;
	PGresult *res;
	struct db_row row;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(c, &stmt, NULL, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	out->id = db_row_int64(&row, "id");
	db_row_copy(&row, "kind", out->kind, sizeof(out->kind));
	db_row_copy(&row, "key", out->key, sizeof(out->key));
	db_row_copy(&row, "sha256", out->sha256, sizeof(out->sha256));
	db_row_copy(&row, "cursor", out->cursor, sizeof(out->cursor));
	st = row.ok ? DB_OK : DB_ERROR;
out:
	PQclear(res);
	return st;
}
