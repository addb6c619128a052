/*
 * DELETE /api/keys/{id}: revokes an API key (admin: any key; provider:
 * its own keys, another's answers 404 as an unknown one does).
 * Idempotent: revoking a revoked key answers its revocation again.
 */
#include <string.h>

#include "common/apikey.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"

struct tx_args {
	const struct auth *who;
	const char *id;
	struct db_api_key_revoked out;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;

	st = db_api_key_revoke(c, a->id, auth_owner(a->who), &a->out);
	if (st != DB_OK)
		return st;
	return db_audit_insert(c, a->who->actor, "api_key.revoked", a->id,
	                       NULL);
}

enum MHD_Result
handler_keys_delete(struct request *r)
{
	struct auth who;
	struct tx_args a = {0};
	enum db_status st;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if (strlen(r->param) != APIKEY_ID_LEN ||
	    strspn(r->param, "0123456789abcdef") != APIKEY_ID_LEN)
		return reply_error(r, TP_ERR_api_key_not_found, NULL);
	a.who = &who;
	a.id = r->param;
	if ((st = db_tx(transaction, &a)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_api_key_not_found);
	return reply_json(r, 200, db_json_api_key_revoked(&a.out));
}
