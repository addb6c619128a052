#include <stdlib.h>
#include <string.h>

#include "db/reappraisal.h"
#include "db/row.h"

/* Evidence from its blob (0007), or the row itself (older passports). */
static const struct db_stmt stmt = {
        "appraisal_get",
        "SELECT p.id::text AS id, p.status, p.ear_status, p.tee_type,"
        " coalesce(p.endpoint_id::text, '') AS endpoint_id,"
        " extract(epoch FROM p.verified_at)::bigint AS verified_at,"
        " extract(epoch FROM p.expires_at)::bigint AS expires_at,"
        " coalesce(e.body, p.evidence) AS evidence,"
        " p.appraisal::text AS appraisal, s.artifacts::text AS artifacts"
        " FROM passports p"
        " LEFT JOIN evidence_blobs e ON e.sha256 = p.evidence_sha256"
        " LEFT JOIN collateral_sets s ON s.sha256 = p.collateral_set"
        " WHERE p.id = $1::uuid",
        1};

void
db_appraisal_clear(struct db_appraisal *a)
{
	if (a == NULL)
		return;
	free(a->evidence);
	json_decref(a->appraisal);
	json_decref(a->artifacts);
	a->evidence = NULL;
	a->appraisal = a->artifacts = NULL;
}

enum db_status
db_appraisal_get(PGconn *c, const char *id, struct db_appraisal *out)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res;
	struct db_row row;
	const char *t;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	db_row_copy(&row, "id", out->id, sizeof(out->id));
	db_row_copy(&row, "status", out->status, sizeof(out->status));
	db_row_copy(&row, "ear_status", out->ear_status,
	            sizeof(out->ear_status));
	db_row_copy(&row, "tee_type", out->tee_type, sizeof(out->tee_type));
	db_row_copy(&row, "endpoint_id", out->endpoint_id,
	            sizeof(out->endpoint_id));
	out->verified_at = db_row_int64(&row, "verified_at");
	out->expires_at = db_row_int64(&row, "expires_at");
	if (!db_row_null(&row, "evidence"))
		db_row_bytea(&row, "evidence", &out->evidence,
		             &out->evidence_len);
	if ((t = db_row_text(&row, "appraisal")) != NULL)
		out->appraisal = json_loads(t, 0, NULL);
	if ((t = db_row_text(&row, "artifacts")) != NULL)
		out->artifacts = json_loads(t, 0, NULL);
	st = row.ok ? DB_OK : DB_ERROR;
	if (st != DB_OK)
		db_appraisal_clear(out);
out:
	PQclear(res);
	return st;
}
