/*
 * GET /api/audit?limit=&before= (admin): the audit log newest first;
 * "next_before" pages on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

enum MHD_Result
handler_audit_get(struct request *r)
{
	struct auth who;
	enum db_status st;
	const char *s, *before = NULL;
	struct db_audit_entry *rows = NULL;
	json_t *arr;
	int limit = 50;
	size_t n = 0;
	PGconn *c;

	if (!auth_require_admin(r, &who))
		return MHD_YES;
	if ((s = request_query(r, "limit")) != NULL) {
		char *end;
		long l = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || l < 1 || l > 100)
			return reply_error(r, TP_ERR_invalid_limit, "limit");
		limit = (int)l;
	}
	if ((s = request_query(r, "before")) != NULL) {
		if (*s == '\0' || strlen(s) > 18 ||
		    strspn(s, "0123456789") != strlen(s))
			return reply_error(r, TP_ERR_invalid_query, "before");
		before = s;
	}
	if ((c = db_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE, TP_ERR_not_found);
	if ((st = db_audit_list(c, before, limit, &rows, &n)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_not_found);
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(arr, db_json_audit_entry(&rows[i])) !=
		    0) {
			json_decref(arr);
			arr = NULL;
		}
	/* A full page may have a next one: entries before the last id. */
	if (arr != NULL)
		arr = json_pack("{s:o, s:o}", "entries", arr, "next_before",
		                n > 0 && n == (size_t)limit
		                        ? json_integer(rows[n - 1].id)
		                        : json_null());
	db_audit_list_free(rows, n);
	return reply_json(r, 200, arr);
}
