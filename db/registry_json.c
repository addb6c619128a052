#include "db/registry.h"

enum db_status
db_json_rows(PGconn *c, const struct db_stmt *stmt, const char *const *values,
             json_t **out)
{
	enum db_status st;
	PGresult *res;
	json_t *arr = NULL;

	*out = NULL;
	if ((res = db_run(c, stmt, values, NULL, NULL, &st)) == NULL)
		return st;
	if ((arr = json_array()) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *o = json_loads(PQgetvalue(res, i, 0), 0, NULL);
		if (o == NULL) {
			st = DB_ERROR;
			goto out;
		}
		json_array_append_new(arr, o);
	}
	*out = arr;
	arr = NULL;
	st = DB_OK;
out:
	json_decref(arr);
	PQclear(res);
	return st;
}

enum db_status
db_json_row(PGconn *c, const struct db_stmt *stmt, const char *const *values,
            json_t **out)
{
	json_t *arr = NULL;
	enum db_status st = db_json_rows(c, stmt, values, &arr);

	*out = NULL;
	if (st == DB_INVALID)
		return DB_NOT_FOUND;
	if (st != DB_OK)
		return st;
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return DB_NOT_FOUND;
	}
	*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return DB_OK;
}
