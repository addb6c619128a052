#include <ctype.h>
#include <string.h>

#include "db/db.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"
#include "server/app.h"
#include "server/metrics.h"

/* True when the client prefers the bare token. */
static bool
wants_jwt(struct request *r)
{
	const char *accept = request_header(r, "Accept");

	return accept != NULL && strstr(accept, "application/jwt") != NULL;
}

enum MHD_Result
handler_passports_get(struct request *r)
{
	PGconn *c;
	json_t *p = NULL;
	enum db_status st;
	enum MHD_Result ret;

	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_passport_not_found, NULL);
	if ((c = db_conn()) == NULL) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	st = db_passport_get(c, r->param, config_now(&app.cfg), &p);
	if (st == DB_NOT_FOUND)
		return reply_error(r, TP_ERR_passport_not_found, NULL);
	if (st != DB_OK) {
		if (st == DB_UNAVAILABLE)
			db_conn_close();
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	if (wants_jwt(r)) {
		const char *tok =
		        json_string_value(json_object_get(p, "token"));
		ret = reply_bytes(r, 200, "application/jwt", tok, strlen(tok));
		json_decref(p);
		return ret;
	}
	return reply_json(r, 200, p);
}
