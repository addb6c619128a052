/*
 * GET /api/webhooks (provider: its own; admin: all): the live webhooks,
 * newest first, without their secrets (docs/events.md).
 */
#include "db/events.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/events.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

static json_t *
webhook_json(const struct db_webhook *w)
{
	return json_pack("{s:s, s:o, s:s, s:o, s:o}", "id", w->id,
	                 "provider_id", db_json_text(w->provider_id, true),
	                 "url", w->url, "types",
	                 json_loads(w->types_json, 0, NULL), "created_at",
	                 db_json_time_us(w->created_at));
}

enum MHD_Result
handler_webhooks_list(struct request *r)
{
	struct auth who;
	struct db_webhook *w = NULL;
	enum db_status st;
	size_t n = 0;
	json_t *arr;
	PGconn *c;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if ((c = db_conn()) == NULL)
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	if ((st = db_webhook_list(c, auth_owner(&who), 100, &w, &n)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_webhook_not_found);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, webhook_json(&w[i]));
	db_webhook_list_free(w, n);
	return reply_json(r, 200, json_pack("{s:o}", "webhooks", arr));
}
