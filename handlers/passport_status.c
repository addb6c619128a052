/*
 * GET /api/passports/{id}/status (public): the small revocation check
 * for relying parties, cacheable for a minute.
 */
#include "db/registry.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"
#include "server/app.h"

/* How long a relying party may cache the answer: a revocation is seen
 * within this many seconds. */
#define STATUS_MAX_AGE 60

enum MHD_Result
handler_passport_status(struct request *r)
{
	struct db_passport_state s;
	int64_t now = config_now(&app.cfg);
	enum db_status st;
	json_t *out;
	PGconn *c;

	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_passport_not_found, NULL);
	if ((c = db_read_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE,
		                    TP_ERR_passport_not_found);
	st = db_passport_status(c, r->param, now, &s);
	/* Not (yet) on the read replica: perhaps just issued elsewhere. */
	if ((c = db_read_retry(c, st)) != NULL)
		st = db_passport_status(c, r->param, now, &s);
	if (st != DB_OK)
		return reg_reply_db(r, st, TP_ERR_passport_not_found);
	out = db_json_passport_state(&s, now);
	db_passport_state_clear(&s);
	r->max_age = STATUS_MAX_AGE;
	return reply_json(r, 200, out);
}
