/*
 * GET /api/endpoints/{id}/attestations?limit=&before= (public, as the
 * endpoint is): every attestation of the endpoint, passed or failed,
 * newest first; "next_before" pages on.
 * GET /api/endpoints/{id}/reference-values (public): every version of its
 * reference values, newest first (at most 100).
 * A retired endpoint's history stays readable.
 */
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

enum MHD_Result
handler_endpoint_attestations_get(struct request *r)
{
	enum db_status st;
	const char *s, *before = NULL;
	struct db_endpoint_attempt *rows = NULL;
	json_t *arr;
	int limit = 50;
	size_t n = 0;
	PGconn *c;

	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_endpoint_not_found, NULL);
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
	if ((c = db_read_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE,
		                    TP_ERR_endpoint_not_found);
	st = db_endpoint_history(c, r->param, before, limit, &rows, &n);
	/* Not (yet) on the read replica: perhaps just registered. */
	if ((c = db_read_retry(c, st)) != NULL)
		st = db_endpoint_history(c, r->param, before, limit, &rows, &n);
	if (st != DB_OK)
		return reg_reply_db(r, st, TP_ERR_endpoint_not_found);
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(
		            arr, db_json_endpoint_attempt(&rows[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	if (arr != NULL)
		arr = json_pack("{s:o, s:o}", "attestations", arr,
		                "next_before",
		                n > 0 && n == (size_t)limit
		                        ? json_integer(rows[n - 1].id)
		                        : json_null());
	db_endpoint_history_free(rows, n);
	return reply_json(r, 200, arr);
}

enum MHD_Result
handler_endpoint_references_get(struct request *r)
{
	enum db_status st;
	struct db_reference_version *rows = NULL;
	json_t *arr;
	size_t n = 0;
	PGconn *c;

	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_endpoint_not_found, NULL);
	if ((c = db_read_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE,
		                    TP_ERR_endpoint_not_found);
	st = db_endpoint_references(c, r->param, 100, &rows, &n);
	if ((c = db_read_retry(c, st)) != NULL)
		st = db_endpoint_references(c, r->param, 100, &rows, &n);
	if (st != DB_OK)
		return reg_reply_db(r, st, TP_ERR_endpoint_not_found);
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(
		            arr, db_json_reference_version(&rows[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	if (arr != NULL)
		arr = json_pack("{s:o}", "reference_values", arr);
	db_endpoint_references_free(rows, n);
	return reply_json(r, 200, arr);
}
