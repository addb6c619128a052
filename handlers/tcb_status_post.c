/*
 * POST /api/tcb-status {"attestation"}: the TCB forecast of an Intel quote
 * against the standard and the early TCB Info (docs/collateral.md), the
 * HTTP twin of `teepass tcb-status`. No verdict and no passport: it says
 * where the platform stands, not that the quote is genuine.
 */
#include <stdlib.h>
#include <string.h>

#include "collateral/collateral.h"
#include "common/codec.h"
#include "handlers/handlers.h"
#include "server/app.h"

static const struct json_field fields[] = {
        {"attestation", JSON_STRING, true, false},
};

enum MHD_Result
handler_tcb_status_post(struct request *r)
{
	json_t *doc = NULL, *out = NULL;
	uint8_t *ev = NULL;
	size_t len = 0;
	const char *s;
	char artifact[200];
	int64_t retry;
	enum coll_status st;
	enum MHD_Result ret;

	if ((doc = request_json(r, fields, 1, false)) == NULL)
		return MHD_YES;
	s = json_string_value(json_object_get(doc, "attestation"));
	if (!codec_evidence_decode(s, strlen(s), &ev, &len)) {
		ret = reply_error(r, TP_ERR_bad_encoding, "attestation");
		goto out;
	}
	st = coll_tcb_forecast(ev, len, config_now(&app.cfg), &out, artifact,
	                       sizeof(artifact), &retry);
	if (st == COLL_BAD_EVIDENCE || st == COLL_NOT_APPLICABLE)
		ret = reply_error(r, TP_ERR_invalid_field, "attestation");
	else if (st != COLL_OK)
		ret = reply_collateral_error(r, (int)st, artifact, retry);
	else {
		ret = reply_json(r, 200, out);
		out = NULL;
	}
out:
	json_decref(out);
	json_decref(doc);
	free(ev);
	return ret;
}
