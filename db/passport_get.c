#include <stdio.h>

#include "db/db.h"
#include "db/passport_row.h"

static const struct db_stmt stmt = {"passport_get",
                                    "SELECT " PASSPORT_COLUMNS
                                    ", claims::text, token, revoked_at::text"
                                    " FROM passports WHERE id = $2::uuid",
                                    2};

enum db_status
db_passport_get(PGconn *c, const char *id, int64_t now, json_t **out)
{
	char t[24];
	const char *v[2] = {t, id};
	enum db_status st;
	PGresult *res;
	json_t *o = NULL, *claims;

	*out = NULL;
	snprintf(t, sizeof(t), "%lld", (long long)now);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	if ((o = passport_row_summary(res, 0)) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	claims = json_loads(PQgetvalue(res, 0, 11), 0, NULL);
	json_object_set_new(o, "claims", claims != NULL ? claims : json_null());
	json_object_set_new(o, "token", json_string(PQgetvalue(res, 0, 12)));
	if (!PQgetisnull(res, 0, 13))
		json_object_set_new(o, "revoked_at",
		                    json_string(PQgetvalue(res, 0, 13)));
	*out = o;
	o = NULL;
	st = DB_OK;
out:
	json_decref(o);
	PQclear(res);
	return st;
}
