#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "db/collateral.h"

static const struct db_stmt stmt = {
        "collateral_list",
        "SELECT kind, key, sha256,"
        " to_char(issue_date AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " to_char(next_update AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " to_char(fetched_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " source,"
        " issue_date <= to_timestamp($1::bigint)"
        " AND next_update > to_timestamp($1::bigint),"
        " CASE WHEN $2::boolean THEN body END, issuer_chain"
        " FROM collateral_artifacts ORDER BY kind, key",
        2};

enum db_status
db_collateral_list(PGconn *c, int64_t at, bool bodies, json_t **out)
{
	char t[24];
	const char *v[2] = {t, bodies ? "true" : "false"};
	enum db_status st;
	PGresult *res;
	json_t *arr = json_array();

	*out = NULL;
	snprintf(t, sizeof(t), "%lld", (long long)at);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL) {
		json_decref(arr);
		return st;
	}
	for (int i = 0; arr != NULL && i < PQntuples(res); i++) {
		json_t *o = json_pack(
		        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "kind",
		        PQgetvalue(res, i, 0), "key", PQgetvalue(res, i, 1),
		        "sha256", PQgetvalue(res, i, 2), "issue_date",
		        PQgetvalue(res, i, 3), "next_update",
		        PQgetvalue(res, i, 4), "fetched_at",
		        PQgetvalue(res, i, 5), "source", PQgetvalue(res, i, 6),
		        "valid", strcmp(PQgetvalue(res, i, 7), "t") == 0);
		if (o == NULL) {
			st = DB_ERROR;
			break;
		}
		if (bodies) {
			size_t n = 0;
			unsigned char *bin = PQunescapeBytea(
			        (const unsigned char *)PQgetvalue(res, i, 8),
			        &n);
			char *b64 = bin != NULL ? codec_base64_encode(bin, n)
			                        : NULL;
			json_object_set_new(o, "body",
			                    b64 != NULL ? json_string(b64)
			                                : json_null());
			free(b64);
			PQfreemem(bin);
			if (!PQgetisnull(res, i, 9))
				json_object_set_new(
				        o, "issuer_chain",
				        json_string(PQgetvalue(res, i, 9)));
		}
		json_array_append_new(arr, o);
	}
	PQclear(res);
	if (st != DB_OK || arr == NULL) {
		json_decref(arr);
		return st != DB_OK ? st : DB_ERROR;
	}
	*out = arr;
	return DB_OK;
}
