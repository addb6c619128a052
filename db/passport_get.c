#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db/passport_row.h"

static const struct db_stmt stmt = {
        "passport_get",
        "SELECT " PASSPORT_COLUMNS
        ", coalesce(claims, jws_payload::jsonb)::text AS claims,"
        " coalesce(token, passport_jws_of(jws_header, kid,"
        " jws_payload, jws_signature)) AS token,"
        " revoked_at::text AS revoked_at,"
        " reappraisal::text AS reappraisal"
        " FROM passports WHERE id = $2::uuid",
        2};

enum db_status
db_passport_get(PGconn *c, const char *id, int64_t now, struct db_passport *out)
{
	char t[24];
	const char *v[2] = {t, id};
	enum db_status st;
	PGresult *res;
	struct db_row row;

	memset(out, 0, sizeof(*out));
	snprintf(t, sizeof(t), "%lld", (long long)now);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	passport_row_read(&row, out);
	out->claims_json = db_row_strdup(&row, "claims");
	out->token = db_row_strdup(&row, "token");
	out->revoked_at_text = db_row_strdup(&row, "revoked_at");
	out->reappraisal_json = db_row_strdup(&row, "reappraisal");
	st = row.ok && out->claims_json != NULL && out->token != NULL
	             ? DB_OK
	             : DB_ERROR;
out:
	if (st != DB_OK)
		db_passport_clear(out);
	PQclear(res);
	return st;
}
