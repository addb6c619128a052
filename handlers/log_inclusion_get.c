/*
 * GET /api/passports/{id}/inclusion[?tree_size=N] (public): the RFC 9162
 * inclusion proof of the passport's leaf (its compact JWS bytes) in the
 * tree of N leaves, default the latest checkpoint's size:
 * {"leaf_index", "tree_size", "hashes": [base64...]}.
 */
#include <stdlib.h>

#include "handlers/handlers.h"
#include "handlers/log.h"
#include "handlers/registry_util.h"

enum MHD_Result
handler_log_inclusion_get(struct request *r)
{
	uint8_t proof[TLOG_MAX_PROOF][TLOG_HASH_LEN];
	struct db_tlog_checkpoint cp = {0};
	struct db_tlog_entry e;
	const char *ts = request_query(r, "tree_size");
	enum MHD_Result ret;
	enum db_status st;
	uint64_t size;
	size_t len = 0;
	PGconn *c;

	if (!log_enabled())
		return reply_error(r, log_off_code(), NULL);
	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_log_entry_not_found, NULL);
	if ((c = db_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE,
		                    TP_ERR_log_entry_not_found);
	if ((st = db_tlog_entry_by_passport(c, r->param, &e)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_log_entry_not_found);
	if (!e.sequenced) {
		st = log_sequence_shared();
		if ((c = db_conn()) == NULL)
			return reg_reply_db(r, DB_UNAVAILABLE,
			                    TP_ERR_log_entry_not_found);
		if (st != DB_OK ||
		    (st = db_tlog_entry_by_passport(c, r->param, &e)) != DB_OK)
			return reg_reply_db(r, st, TP_ERR_log_entry_not_found);
		if (!e.sequenced)
			return reply_error(r, TP_ERR_log_entry_pending, NULL);
	}
	if ((st = db_tlog_checkpoint_latest(c, &cp)) != DB_OK)
		return reg_reply_db(r, st == DB_NOT_FOUND ? DB_ERROR : st,
		                    TP_ERR_log_entry_not_found);
	size = cp.size;
	free(cp.note);
	/* A size the log has not reached, or one before the entry, has no
	 * proof: 400, never a proof against another tree. */
	if (ts != NULL) {
		uint64_t want;
		if (!log_parse_size(ts, &want) || want <= e.leaf_index ||
		    want > size)
			return reply_error(r, TP_ERR_log_tree_size_invalid,
			                   "tree_size");
		size = want;
	}
	if ((st = log_inclusion(c, e.leaf_index, size, proof, &len)) != DB_OK)
		return reg_reply_db(r, st, TP_ERR_log_entry_not_found);
	ret = reply_json(r, 200,
	                 log_proof_json(e.leaf_index, size, proof, len));
	return ret;
}
