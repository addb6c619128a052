/*
 * POST /api/passports/{id}/revoke (admin, or the provider owning the
 * passport's endpoint) with {"reason"}: the passport's status becomes
 * "revoked" on every lookup. Idempotent (the first reason stays). A
 * passport the key may not revoke answers 404 as an unknown one does.
 */
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"
#include "server/app.h"

static const struct json_field fields[] = {
        {"reason", JSON_STRING, true, false},
};

struct tx_args {
	const struct auth *who;
	const char *id;
	const char *reason;
	struct db_passport_state out;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;
	json_t *detail;

	db_passport_state_clear(&a->out);
	st = db_passport_revoke(c, a->id, auth_owner(a->who), a->reason,
	                        &a->out);
	if (st != DB_OK)
		return st;
	detail = json_pack("{s:s}", "reason", a->reason);
	st = db_audit_insert(c, a->who->actor, "passport.revoked", a->id,
	                     detail);
	json_decref(detail);
	return st;
}

enum MHD_Result
handler_passport_revoke(struct request *r)
{
	struct auth who;
	struct tx_args a = {0};
	enum db_status st;
	bool bad = false;
	json_t *doc, *out;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_passport_not_found, NULL);
	if ((doc = request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                        false)) == NULL)
		return MHD_YES;
	a.reason = reg_string(r, doc, "reason", 1000, &bad);
	if (bad) {
		json_decref(doc);
		return MHD_YES;
	}
	a.who = &who;
	a.id = r->param;
	st = db_tx(transaction, &a);
	json_decref(doc);
	if (st != DB_OK) {
		db_passport_state_clear(&a.out);
		return reg_reply_db(r, st, TP_ERR_passport_not_found);
	}
	out = db_json_passport_state(&a.out, config_now(&app.cfg));
	db_passport_state_clear(&a.out);
	return reply_json(r, 200, out);
}
