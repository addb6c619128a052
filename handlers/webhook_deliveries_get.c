/*
 * GET /api/webhooks/{id}/deliveries (provider: its own webhooks; admin:
 * any): the newest 100 deliveries, each with every attempt (HTTP status,
 * error, time, duration).
 */
#include "db/events.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

static json_t *
delivery_json(const struct db_delivery *d)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "id",
	                 (json_int_t)d->id, "event_id",
	                 (json_int_t)d->event_seq, "event_type", d->event_type,
	                 "status", d->status, "attempt_count", d->attempts,
	                 "created_at", db_json_time_us(d->created_at),
	                 "finished_at", db_json_time_us(d->finished_at),
	                 "next_attempt_at", db_json_time_us(d->next_attempt_at),
	                 "attempts", json_loads(d->attempts_json, 0, NULL));
}

enum MHD_Result
handler_webhook_deliveries_get(struct request *r)
{
	struct auth who;
	struct db_webhook w;
	struct db_delivery *d = NULL;
	enum db_status st;
	size_t n = 0;
	json_t *arr;
	PGconn *c;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_webhook_not_found, NULL);
	if ((c = db_conn()) == NULL)
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	if ((st = db_webhook_get(c, r->param, auth_owner(&who), &w)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_webhook_not_found);
	db_webhook_clear(&w);
	if ((st = db_webhook_deliveries(c, r->param, 100, &d, &n)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_webhook_not_found);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, delivery_json(&d[i]));
	db_delivery_list_free(d, n);
	return reply_json(r, 200,
	                  json_pack("{s:s, s:o}", "webhook_id", r->param,
	                            "deliveries", arr));
}
