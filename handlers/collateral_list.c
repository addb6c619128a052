/*
 * GET /api/collateral: the cached collateral artifacts with their
 * validity at the verification clock ("valid": usable now).
 * TODO(issue 6): admin-only once API keys exist; until then it lists
 * only public vendor data (no bodies).
 */
#include "collateral/collateral.h"
#include "db/collateral.h"
#include "handlers/handlers.h"
#include "server/app.h"
#include "server/metrics.h"

enum MHD_Result
handler_collateral_list(struct request *r)
{
	PGconn *c = db_conn();
	json_t *arr = NULL;

	if (c == NULL ||
	    db_collateral_list(c, config_now(&app.cfg), false, &arr) != DB_OK) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	return reply_json(r, 200, json_pack("{s:o}", "artifacts", arr));
}
