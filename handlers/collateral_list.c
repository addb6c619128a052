/*
 * GET /api/collateral: the cached collateral artifacts with their
  * validity at the verification clock ("valid": usable now). Admin only
 * (issue 7); bodies are never listed.
 */
#include "collateral/collateral.h"
#include "db/collateral.h"
#include "handlers/auth.h"
#include "handlers/handlers.h"
#include "server/app.h"
#include "server/metrics.h"

enum MHD_Result
handler_collateral_list(struct request *r)
{
	struct auth who;
	PGconn *c;
	json_t *arr = NULL;

	if (!auth_require_admin(r, &who))
		return MHD_YES;
	c = db_conn();
	if (c == NULL ||
	    db_collateral_list(c, config_now(&app.cfg), false, &arr) != DB_OK) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	return reply_json(r, 200, json_pack("{s:o}", "artifacts", arr));
}
