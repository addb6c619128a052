#include <stdlib.h>

#include "db/reappraisal.h"
#include "db/row.h"

static const struct db_stmt stmt = {
        "appraisal_blobs_get",
        "SELECT sha256, translate(encode(body, 'base64'), E'\\n', '') AS body"
        " FROM appraisal_blobs"
        " WHERE sha256 IN (SELECT jsonb_array_elements_text($1::jsonb))",
        1};

enum db_status
db_appraisal_blobs_get(PGconn *c, const json_t *digests, json_t **out)
{
	char *arg = json_dumps(digests, JSON_COMPACT);
	const char *v[1] = {arg};
	enum db_status st = DB_ERROR;
	PGresult *res = NULL;
	json_t *obj = json_object();

	*out = NULL;
	if (arg == NULL || obj == NULL)
		goto out;
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		struct db_row row = db_row_at(res, i);
		const char *k = db_row_text(&row, "sha256");
		const char *b = db_row_text(&row, "body");

		if (!row.ok || k == NULL || b == NULL) {
			st = DB_ERROR;
			goto out;
		}
		json_object_set_new(obj, k, json_string(b));
	}
	*out = obj;
	obj = NULL;
	st = DB_OK;
out:
	json_decref(obj);
	PQclear(res);
	free(arg);
	return st;
}
