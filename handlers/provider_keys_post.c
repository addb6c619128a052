/*
 * POST /api/providers/{id}/keys (admin, or the provider itself): a new
 * API key for rotation, shown once. Another provider's id answers 404
 * as an unknown one does.
 */
#include <string.h>
#include <strings.h>

#include "common/apikey.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

static const struct json_field fields[] = {
        {"label", JSON_STRING, false, false},
};

struct tx_args {
	const struct auth *who;
	const char *provider_id;
	const char *label;
	const char *key_id;
	const char *key_sha256;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;
	json_t *detail;

	if ((st = db_provider_exists(c, a->provider_id)) != DB_OK)
		return st;
	if ((st = db_api_key_insert(c, a->key_id, a->key_sha256, a->provider_id,
	                            a->label)) != DB_OK)
		return st;
	detail = json_pack("{s:s, s:s}", "scope", "provider", "provider_id",
	                   a->provider_id);
	st = db_audit_insert(c, a->who->actor, "api_key.created", a->key_id,
	                     detail);
	json_decref(detail);
	return st;
}

enum MHD_Result
handler_provider_keys_post(struct request *r)
{
	struct auth who;
	struct tx_args a = {0};
	char key_id[APIKEY_ID_LEN + 1], token[APIKEY_TOKEN_LEN + 1], sha[65];
	enum MHD_Result ret;
	enum db_status st;
	bool bad = false;
	json_t *doc;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if (!reg_is_uuid(r->param) ||
	    (!who.admin && strcasecmp(r->param, who.provider_id) != 0))
		return reply_error(r, TP_ERR_provider_not_found, NULL);
	if ((doc = request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                        true)) == NULL)
		return MHD_YES;
	a.label = reg_string(r, doc, "label", 200, &bad);
	if (bad) {
		json_decref(doc);
		return MHD_YES;
	}
	if (!apikey_generate(key_id, token, sha)) {
		json_decref(doc);
		return reply_error(r, TP_ERR_internal_error, NULL);
	}
	a.who = &who;
	a.provider_id = r->param;
	a.key_id = key_id;
	a.key_sha256 = sha;
	if ((st = db_tx(transaction, &a)) != DB_OK)
		ret = reg_reply_db(r, st, TP_ERR_provider_not_found);
	else
		ret = reply_json(r, 201,
		                 json_pack("{s:s, s:s, s:s, s:s}", "id", key_id,
		                           "token", token, "scope", "provider",
		                           "provider_id", r->param));
	json_decref(doc);
	explicit_bzero(token, sizeof(token));
	return ret;
}
