/* GET /api/endpoints/{id} (public): the endpoint, its current reference
 * values and passport, and its status. */
#include "db/registry.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"
#include "server/app.h"

enum MHD_Result
handler_endpoints_get(struct request *r)
{
	struct db_endpoint e;
	enum db_status st;
	json_t *view;
	PGconn *c;

	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_endpoint_not_found, NULL);
	if ((c = db_read_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE,
		                    TP_ERR_endpoint_not_found);
	st = db_endpoint_get(c, r->param, config_now(&app.cfg), &e);
	/* Not (yet) on the read replica: perhaps just registered
	 * elsewhere. */
	if ((c = db_read_retry(c, st)) != NULL)
		st = db_endpoint_get(c, r->param, config_now(&app.cfg), &e);
	if (st != DB_OK)
		return reg_reply_db(r, st, TP_ERR_endpoint_not_found);
	view = db_json_endpoint(&e);
	db_endpoint_clear(&e);
	return reply_json(r, 200, view);
}
