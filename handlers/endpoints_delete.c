/*
 * DELETE /api/endpoints/{id} (admin or the owning provider): retires the
 * endpoint. It stays readable (status "retired"); its passports keep
 * their own status (revoke them with POST /api/passports/{id}/revoke).
 */
#include <string.h>

#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/endpoint_reply.h"
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
	struct db_endpoint_ref ref;
	enum db_status st;

	st = db_endpoint_ref(c, a->id, &ref);
	json_decref(ref.doc);
	if (st != DB_OK)
		return st;
	if (!a->who->admin && strcmp(ref.provider_id, a->who->provider_id) != 0)
		return DB_NOT_FOUND;
	if ((st = db_endpoint_retire(c, a->id)) != DB_OK)
		return st;
	return db_audit_insert(c, a->who->actor, "endpoint.retired", a->id,
	                       NULL);
}

enum MHD_Result
handler_endpoints_delete(struct request *r)
{
	struct auth who;
	struct tx_args a;
	enum db_status st;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_endpoint_not_found, NULL);
	a.who = &who;
	a.id = r->param;
	if ((st = db_tx(transaction, &a)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_endpoint_not_found);
	return endpoint_reply(r, 200, r->param, NULL);
}
