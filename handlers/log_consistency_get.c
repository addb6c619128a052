/*
 * GET /api/log/consistency?from=M&to=N (public): the RFC 9162
 * consistency proof that the tree of M leaves is a prefix of the tree of
 * N leaves, 1 <= M <= N <= the latest checkpoint's size (default N: that
 * size): {"from", "to", "hashes": [base64...]}.
 */
#include <stdlib.h>

#include "handlers/handlers.h"
#include "handlers/log.h"
#include "handlers/registry_util.h"

enum MHD_Result
handler_log_consistency_get(struct request *r)
{
	uint8_t proof[TLOG_MAX_PROOF][TLOG_HASH_LEN];
	struct db_tlog_checkpoint cp = {0};
	const char *fs = request_query(r, "from"), *ts = request_query(r, "to");
	json_t *hashes;
	enum db_status st;
	uint64_t from, to, size;
	size_t len = 0;
	PGconn *c;

	if (!log_enabled())
		return reply_error(r, log_off_code(), NULL);
	if (!log_parse_size(fs, &from) || from == 0)
		return reply_error(r, TP_ERR_log_range_invalid, "from");
	if (ts != NULL && (!log_parse_size(ts, &to) || to < from))
		return reply_error(r, TP_ERR_log_range_invalid, "to");
	if ((c = db_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE, TP_ERR_log_unavailable);
	if ((st = db_tlog_checkpoint_latest(c, &cp)) != DB_OK)
		return reg_reply_db(r, st == DB_NOT_FOUND ? DB_ERROR : st,
		                    TP_ERR_log_unavailable);
	size = cp.size;
	free(cp.note);
	if (ts == NULL)
		to = size;
	if (to > size || from > to)
		return reply_error(r, TP_ERR_log_range_invalid,
		                   ts == NULL ? "from" : "to");
	if ((st = log_consistency(c, from, to, proof, &len)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_log_unavailable);
	{
		json_t *p = log_proof_json(0, 0, proof, len);
		if (p == NULL)
			return reply_error(r, TP_ERR_internal_error, NULL);
		hashes = json_incref(json_object_get(p, "hashes"));
		json_decref(p);
	}
	return reply_json(r, 200,
	                  json_pack("{s:I, s:I, s:o}", "from", (json_int_t)from,
	                            "to", (json_int_t)to, "hashes", hashes));
}
