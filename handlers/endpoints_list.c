/*
 * GET /api/endpoints?tee_type=&model=&status=&provider_id=&limit=&cursor=
 * (public): endpoints newest first. model matches the model name or
 * digest; without status, every live (not retired) endpoint; "cursor" is
 * the "next_cursor" of the previous page.
 */
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"
#include "server/app.h"
#include "verify/provider.h"

enum MHD_Result
handler_endpoints_list(struct request *r)
{
	static const char *const statuses[] = {"attested", "stale", "revoked",
	                                       "failed", "retired"};
	struct db_endpoint_filter f = {0};
	enum tp_provider tee;
	enum db_status st;
	const char *s;
	struct db_endpoint *rows = NULL;
	json_t *arr;
	size_t n = 0;
	PGconn *c;

	f.limit = 50;
	if ((s = request_query(r, "limit")) != NULL) {
		char *end;
		long l = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || l < 1 || l > 100)
			return reply_error(r, TP_ERR_invalid_limit, "limit");
		f.limit = (int)l;
	}
	/* "provider", or its deprecated alias "tee_type". */
	if ((s = request_query(r, "provider")) != NULL ||
	    (s = request_query(r, "tee_type")) != NULL) {
		const char *q = request_query(r, "provider") != NULL
		                        ? "provider"
		                        : "tee_type";
		if (!provider_parse(s, &tee))
			return reply_error(r, TP_ERR_invalid_query, q);
		f.tee_type = provider_name(tee);
	}
	if ((s = request_query(r, "status")) != NULL) {
		for (size_t i = 0; i < 5 && f.status == NULL; i++)
			if (strcmp(s, statuses[i]) == 0)
				f.status = statuses[i];
		if (f.status == NULL)
			return reply_error(r, TP_ERR_invalid_query, "status");
	}
	if ((s = request_query(r, "model")) != NULL) {
		if (*s == '\0' || strlen(s) > 200)
			return reply_error(r, TP_ERR_invalid_query, "model");
		f.model = s;
	}
	if ((s = request_query(r, "provider_id")) != NULL) {
		if (!reg_is_uuid(s))
			return reply_error(r, TP_ERR_invalid_query,
			                   "provider_id");
		f.provider_id = s;
	}
	if ((s = request_query(r, "cursor")) != NULL) {
		if (!reg_is_uuid(s))
			return reply_error(r, TP_ERR_invalid_cursor, "cursor");
		f.after_id = s;
	}
	if ((c = db_read_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE,
		                    TP_ERR_endpoint_not_found);
	st = db_endpoint_list(c, &f, config_now(&app.cfg), &rows, &n);
	if (st != DB_NOT_FOUND && (c = db_read_retry(c, st)) != NULL)
		st = db_endpoint_list(c, &f, config_now(&app.cfg), &rows, &n);
	if (st == DB_INVALID)
		return reply_error(r, TP_ERR_invalid_query, NULL);
	if (st != DB_OK)
		return reg_reply_db(r, st, TP_ERR_endpoint_not_found);
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(arr, db_json_endpoint(&rows[i])) !=
		    0) {
			json_decref(arr);
			arr = NULL;
		}
	/* A full page may have a next one: its cursor is the last id. */
	if (arr != NULL)
		arr = json_pack("{s:o, s:s?}", "endpoints", arr, "next_cursor",
		                n > 0 && n == (size_t)f.limit ? rows[n - 1].id
		                                              : NULL);
	db_endpoint_list_free(rows, n);
	return reply_json(r, 200, arr);
}
