#include <stdlib.h>

#include "db/reappraisal.h"

static const struct db_stmt stmt = {
        "reappraisal_pending",
        "SELECT count(*) FROM reappraisal_jobs WHERE done_at IS NULL", 0};

enum db_status
db_reappraisal_pending(PGconn *c, int64_t *jobs)
{
	enum db_status st;
	PGresult *res;

	*jobs = 0;
	if ((res = db_run(c, &stmt, NULL, NULL, NULL, &st)) == NULL)
		return st;
	*jobs = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return DB_OK;
}
