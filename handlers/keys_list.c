/*
 * GET /api/keys?provider_id=&limit=&cursor=: the API keys, newest first
 * (admin: every key, or one provider's; a provider key: its provider's
 * keys only). Each key's id, scope, provider, label, creation and
 * revocation time; never a token or its hash. The cursor is
 * "<created_at in Unix microseconds>.<key id>" of a page's last key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/apikey.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

/* "<digits>.<16 hex>" into its two parts. */
static bool
cursor_decode(const char *s, char us[20], char id[APIKEY_ID_LEN + 1])
{
	const char *dot = strchr(s, '.');
	size_t n;

	if (dot == NULL || (n = (size_t)(dot - s)) == 0 || n > 18 ||
	    strspn(s, "0123456789") != n || strlen(dot + 1) != APIKEY_ID_LEN ||
	    strspn(dot + 1, "0123456789abcdef") != APIKEY_ID_LEN)
		return false;
	memcpy(us, s, n);
	us[n] = '\0';
	memcpy(id, dot + 1, APIKEY_ID_LEN + 1);
	return true;
}

static json_t *
key_json(const struct db_api_key_entry *k)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "id", k->id, "scope",
	                 k->scope, "provider_id",
	                 db_json_text(k->provider_id, true), "label",
	                 k->label != NULL ? json_string(k->label) : json_null(),
	                 "created_at", db_json_time_us(k->created_at),
	                 "revoked_at", db_json_time_us(k->revoked_at));
}

enum MHD_Result
handler_keys_list(struct request *r)
{
	struct auth who;
	enum db_status st;
	const char *s, *owner;
	char us[20], id[APIKEY_ID_LEN + 1], next[48];
	bool paged = false;
	struct db_api_key_entry *rows = NULL;
	json_t *arr;
	int limit = 50;
	size_t n = 0;
	PGconn *c;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	owner = auth_owner(&who);
	if ((s = request_query(r, "provider_id")) != NULL) {
		if (!reg_is_uuid(s))
			return reply_error(r, TP_ERR_invalid_query,
			                   "provider_id");
		/* A provider key names only its own provider. */
		if (owner != NULL && strcmp(owner, s) != 0)
			return reply_error(r, TP_ERR_forbidden, "provider_id");
		owner = s;
	}
	if ((s = request_query(r, "limit")) != NULL) {
		char *end;
		long l = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || l < 1 || l > 100)
			return reply_error(r, TP_ERR_invalid_limit, "limit");
		limit = (int)l;
	}
	if ((s = request_query(r, "cursor")) != NULL) {
		if (!cursor_decode(s, us, id))
			return reply_error(r, TP_ERR_invalid_cursor, "cursor");
		paged = true;
	}
	if ((c = db_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE, TP_ERR_not_found);
	st = db_api_key_list(c, owner, paged ? us : NULL, paged ? id : NULL,
	                     limit, &rows, &n);
	if (st != DB_OK)
		return reg_reply_db(r, st, TP_ERR_not_found);
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(arr, key_json(&rows[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	/* A full page may have a next one: after its last key. */
	if (n > 0 && n == (size_t)limit)
		snprintf(next, sizeof(next), "%" PRId64 ".%s",
		         rows[n - 1].created_at, rows[n - 1].id);
	if (arr != NULL)
		arr = json_pack("{s:o, s:o}", "keys", arr, "next_cursor",
		                n > 0 && n == (size_t)limit ? json_string(next)
		                                            : json_null());
	db_api_key_list_free(rows, n);
	return reply_json(r, 200, arr);
}
