/*
 * GET /api/passports/{id}/appraisal?at=issued|now|<RFC 3339> (public):
 * the passport's stored evidence judged again, without changing
 * anything (docs/reappraisal.md): "issued" (the default) with what it
 * used at its own verification time, "now" with the current collateral
 * and reference values, a time with what it used at that time.
 */
#include <string.h>

#include "common/tptime.h"
#include "handlers/handlers.h"
#include "handlers/ratelimit.h"
#include "handlers/reappraise.h"
#include "handlers/registry_util.h"
#include "server/app.h"

enum MHD_Result
handler_passport_appraisal_get(struct request *r)
{
	const char *s = request_query(r, "at");
	enum reappraise_when when = REAPPRAISE_ISSUED;
	int64_t at = 0;
	struct reappraisal ra;
	enum db_status st;
	char t[32];
	json_t *out;
	PGconn *c;

	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_passport_not_found, NULL);
	/* A verification per request: limited as open verification is. */
	if (!ratelimit_admit(r, app.cfg.verify_rate_limit))
		return reply_error(r, TP_ERR_rate_limited, NULL);
	if (s == NULL || strcmp(s, "issued") == 0) {
		when = REAPPRAISE_ISSUED;
	} else if (strcmp(s, "now") == 0) {
		when = REAPPRAISE_NOW;
		at = config_now(&app.cfg);
	} else if (tptime_parse(s, &at)) {
		when = REAPPRAISE_AT;
	} else {
		return reply_error(r, TP_ERR_appraisal_at_invalid, "at");
	}
	if ((c = db_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE,
		                    TP_ERR_passport_not_found);
	st = reappraise_passport(c, &app.cfg, r->param, when, at, &ra);
	if (st != DB_OK)
		return reg_reply_db(r, st, TP_ERR_passport_not_found);
	if (ra.outcome == REAPPRAISE_UNSUPPORTED) {
		reappraisal_clear(&ra);
		return reply_error(r, TP_ERR_appraisal_unavailable, NULL);
	}
	tptime_format(ra.at, t);
	out = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O}", "passport_id",
	                r->param, "as_of",
	                when == REAPPRAISE_ISSUED ? "issued"
	                : when == REAPPRAISE_NOW  ? "now"
	                                          : "time",
	                "at", t, "outcome", reappraise_outcome_name(ra.outcome),
	                "verdict", ra.verdict, "compared", ra.compared);
	reappraisal_clear(&ra);
	return reply_json(r, 200, out);
}
