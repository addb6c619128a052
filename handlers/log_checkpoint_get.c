/*
 * GET /api/log/checkpoint (public): the latest signed checkpoint, a
 * C2SP tlog-checkpoint note as text/plain. Entries committed but not yet
 * sequenced are sequenced first, so the checkpoint covers every passport
 * whose reply has been sent.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "handlers/handlers.h"
#include "handlers/log.h"
#include "handlers/registry_util.h"

enum MHD_Result
handler_log_checkpoint_get(struct request *r)
{
	struct db_tlog_checkpoint cp;
	enum MHD_Result ret;
	enum db_status st;
	bool pending = true;
	PGconn *c;

	if (!log_enabled())
		return reply_error(r, log_off_code(), NULL);
	if ((c = db_conn()) == NULL)
		return reg_reply_db(r, DB_UNAVAILABLE, TP_ERR_log_unavailable);
	st = db_tlog_has_pending(c, &pending);
	if (st == DB_OK) {
		st = db_tlog_checkpoint_latest(c, &cp);
		free(cp.note);
	}
	/* Nothing waits and a checkpoint exists: no write needed. */
	if (st != DB_OK || pending) {
		if (log_sequence() != DB_OK)
			tp_log(TP_LOG_WARN,
			       "transparency log: sequencing "
			       "failed; serving the last checkpoint");
		if ((c = db_conn()) == NULL)
			return reg_reply_db(r, DB_UNAVAILABLE,
			                    TP_ERR_log_unavailable);
	}
	if ((st = db_tlog_checkpoint_latest(c, &cp)) != DB_OK)
		return reg_reply_db(r, st == DB_NOT_FOUND ? DB_ERROR : st,
		                    TP_ERR_log_unavailable);
	ret = reply_bytes(r, 200, "text/plain; charset=utf-8", cp.note,
	                  strlen(cp.note));
	free(cp.note);
	return ret;
}
