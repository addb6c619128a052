/*
 * GET /api/collateral: the cached collateral artifacts with their
  * validity at the verification clock ("valid": usable now). Admin only
 * (issue 7); bodies are never listed.
 */
#include "collateral/collateral.h"
#include "db/collateral.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "server/app.h"
#include "server/metrics.h"

enum MHD_Result
handler_collateral_list(struct request *r)
{
	struct auth who;
	PGconn *c;
	struct db_collateral_entry *rows = NULL;
	size_t n = 0;
	json_t *arr;

	if (!auth_require_admin(r, &who))
		return MHD_YES;
	c = db_conn();
	if (c == NULL || db_collateral_list(c, config_now(&app.cfg), false,
	                                    &rows, &n) != DB_OK) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	arr = db_json_collateral_list(rows, n, false);
	db_collateral_list_free(rows, n);
	return reply_json(r, 200,
	                  arr != NULL ? json_pack("{s:o}", "artifacts", arr)
	                              : NULL);
}
