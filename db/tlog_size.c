#include <stdlib.h>

#include "db/tlog.h"

static const struct db_stmt stmt = {
        "tlog_size",
        "SELECT (SELECT coalesce(max(tree_size), -1) FROM tlog_checkpoints),"
        " (SELECT coalesce(max(leaf_index) + 1, 0) FROM tlog_entries)",
        0};

enum db_status
db_tlog_size(PGconn *c, uint64_t *checkpoint_size, uint64_t *leaves,
             bool *has_checkpoint)
{
	enum db_status st;
	PGresult *res = db_run(c, &stmt, NULL, NULL, NULL, &st);

	if (res == NULL)
		return st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DB_ERROR;
	}
	*has_checkpoint = PQgetvalue(res, 0, 0)[0] != '-';
	*checkpoint_size =
	        *has_checkpoint ? strtoull(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	*leaves = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return DB_OK;
}
