#include <ctype.h>
#include <string.h>

#include "db/db.h"
#include "handlers/db_json.h"
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
	struct db_passport p;
	enum db_status st;
	enum MHD_Result ret;

	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_passport_not_found, NULL);
	if ((c = db_read_conn()) == NULL) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	st = db_passport_get(c, r->param, config_now(&app.cfg), &p);
	/* Not (yet) on the read replica: perhaps just issued elsewhere. */
	if ((c = db_read_retry(c, st)) != NULL)
		st = db_passport_get(c, r->param, config_now(&app.cfg), &p);
	if (st == DB_NOT_FOUND)
		return reply_error(r, TP_ERR_passport_not_found, NULL);
	if (st != DB_OK) {
		if (st == DB_UNAVAILABLE)
			db_conn_close();
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	if (wants_jwt(r))
		ret = reply_bytes(r, 200, "application/jwt", p.token,
		                  strlen(p.token));
	else
		ret = reply_json(r, 200, db_json_passport(&p));
	db_passport_clear(&p);
	return ret;
}
