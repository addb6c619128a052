/*
 * POST /api/webhooks (a provider key: the events of its endpoints; an
 * admin key: every event): {url, types?} -> 201 with the signing secret,
 * shown this once (docs/events.md).
 */
#include <string.h>

#include "common/webhook_sig.h"
#include "db/events.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/events.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"
#include "server/app.h"

static const struct json_field fields[] = {
        {"url", JSON_STRING, true, false},
        {"types", JSON_ARRAY, false, false},
};

struct tx_args {
	const struct auth *who;
	const char *id, *url, *types, *secret;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;
	json_t *detail;

	st = db_webhook_insert(c, a->id, auth_owner(a->who), a->url, a->types,
	                       a->secret, a->who->actor);
	if (st != DB_OK)
		return st;
	detail = json_pack("{s:s}", "url", a->url);
	st = db_audit_insert(c, a->who->actor, "webhook.created", a->id,
	                     detail);
	json_decref(detail);
	return st;
}

/* TYPES (an array of strings, or NULL: every type) into the text array
 * literal LIT and the JSON array *OUT. */
static bool
types_read(const json_t *types, char *lit, size_t len, json_t **out)
{
	uint32_t mask = 0;
	size_t o = 0, i;
	json_t *v;

	if (types == NULL) {
		mask = (1u << EVENTS_TYPE_COUNT) - 1;
	} else {
		if (json_array_size(types) == 0)
			return false;
		json_array_foreach(types, i, v)
		{
			const char *s = json_string_value(v);
			int k = s != NULL ? events_type_index(s, strlen(s))
			                  : -1;
			if (k < 0)
				return false;
			mask |= 1u << k;
		}
	}
	*out = json_array();
	lit[o++] = '{';
	for (int k = 0; k < EVENTS_TYPE_COUNT; k++) {
		size_t n = strlen(events_types[k]);
		if ((mask & (1u << k)) == 0)
			continue;
		if (o + n + 3 >= len)
			return false;
		if (o > 1)
			lit[o++] = ',';
		memcpy(lit + o, events_types[k], n);
		o += n;
		json_array_append_new(*out, json_string(events_types[k]));
	}
	lit[o++] = '}';
	lit[o] = '\0';
	return true;
}

enum MHD_Result
handler_webhooks_post(struct request *r)
{
	struct auth who;
	struct tx_args a = {0};
	char id[37], secret[WEBHOOK_SECRET_LEN + 1], lit[512];
	json_t *doc, *types = NULL;
	enum MHD_Result ret;
	enum db_status st;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if ((doc = request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                        false)) == NULL)
		return MHD_YES;
	a.url = json_string_value(json_object_get(doc, "url"));
	if (!webhook_url_allowed(a.url, app.cfg.dev_mode)) {
		json_decref(doc);
		return reply_error(r, TP_ERR_webhook_url_invalid, "url");
	}
	if (!types_read(json_object_get(doc, "types"), lit, sizeof(lit),
	                &types)) {
		json_decref(types);
		json_decref(doc);
		return reply_error(r, TP_ERR_event_type_unknown, "types");
	}
	if (!webhook_secret_generate(secret)) {
		json_decref(types);
		json_decref(doc);
		return reply_error(r, TP_ERR_internal_error, NULL);
	}
	reg_uuid(id);
	a.who = &who;
	a.id = id;
	a.types = lit;
	a.secret = secret;
	if ((st = db_tx(transaction, &a)) != DB_OK) {
		json_decref(types);
		ret = reg_reply_db(r, st, TP_ERR_webhook_not_found);
	} else {
		/* types reference stolen by "o" */
		ret = reply_json(
		        r, 201,
		        json_pack("{s:s, s:o, s:s, s:o, s:s}", "id", id,
		                  "provider_id",
		                  who.admin ? json_null()
		                            : json_string(who.provider_id),
		                  "url", a.url, "types", types, "secret",
		                  secret));
	}
	json_decref(doc);
	explicit_bzero(secret, sizeof(secret));
	return ret;
}
