/*
 * DELETE /api/webhooks/{id} (provider: its own, another's answers 404 as
 * an unknown one does; admin: any): no delivery is attempted after.
 */
#include "db/events.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

struct tx_args {
	const struct auth *who;
	const char *id;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;

	if ((st = db_webhook_delete(c, a->id, auth_owner(a->who))) != DB_OK)
		return st;
	return db_audit_insert(c, a->who->actor, "webhook.deleted", a->id,
	                       NULL);
}

enum MHD_Result
handler_webhooks_delete(struct request *r)
{
	struct auth who;
	struct tx_args a;
	enum db_status st;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_webhook_not_found, NULL);
	a.who = &who;
	a.id = r->param;
	if ((st = db_tx(transaction, &a)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_webhook_not_found);
	return reply_json(
	        r, 200, json_pack("{s:s, s:b}", "id", r->param, "deleted", 1));
}
