/*
 * POST /api/providers (admin): a provider and its first API key, shown
 * once.
 */
#include <string.h>

#include "common/apikey.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

static const struct json_field fields[] = {
        {"name", JSON_STRING, true, false},
        {"key_label", JSON_STRING, false, false},
};

struct tx_args {
	const struct auth *who;
	const char *id;
	const char *name;
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

	if ((st = db_provider_insert(c, a->id, a->name)) != DB_OK)
		return st;
	if ((st = db_api_key_insert(c, a->key_id, a->key_sha256, a->id,
	                            a->label)) != DB_OK)
		return st;
	detail = json_pack("{s:s}", "name", a->name);
	st = db_audit_insert(c, a->who->actor, "provider.created", a->id,
	                     detail);
	json_decref(detail);
	if (st != DB_OK)
		return st;
	detail = json_pack("{s:s, s:s}", "scope", "provider", "provider_id",
	                   a->id);
	st = db_audit_insert(c, a->who->actor, "api_key.created", a->key_id,
	                     detail);
	json_decref(detail);
	return st;
}

enum MHD_Result
handler_providers_post(struct request *r)
{
	struct auth who;
	struct tx_args a = {0};
	char id[37], key_id[APIKEY_ID_LEN + 1], token[APIKEY_TOKEN_LEN + 1];
	char sha[65];
	enum MHD_Result ret;
	enum db_status st;
	bool bad = false;
	json_t *doc;

	if (!auth_require_admin(r, &who))
		return MHD_YES;
	if ((doc = request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                        false)) == NULL)
		return MHD_YES;
	a.name = reg_string(r, doc, "name", 200, &bad);
	if (!bad)
		a.label = reg_string(r, doc, "key_label", 200, &bad);
	if (bad) {
		json_decref(doc);
		return MHD_YES;
	}
	if (!apikey_generate(key_id, token, sha)) {
		json_decref(doc);
		return reply_error(r, TP_ERR_internal_error, NULL);
	}
	reg_uuid(id);
	a.who = &who;
	a.id = id;
	a.key_id = key_id;
	a.key_sha256 = sha;
	if ((st = db_tx(transaction, &a)) != DB_OK)
		ret = reg_reply_db(r, st, TP_ERR_provider_not_found);
	else
		ret = reply_json(r, 201,
		                 json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}}",
		                           "id", id, "name", a.name, "api_key",
		                           "id", key_id, "token", token,
		                           "scope", "provider", "provider_id",
		                           id));
	json_decref(doc);
	explicit_bzero(token, sizeof(token));
	return ret;
}
