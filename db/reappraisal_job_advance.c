#include <stdio.h>

#include "db/reappraisal.h"

static const struct db_stmt stmt = {
        "reappraisal_job_advance",
        "UPDATE reappraisal_jobs SET cursor = coalesce($2::uuid, cursor),"
        " examined = examined + $3::int, changed = changed + $4::int,"
        " done_at = CASE WHEN $5::boolean THEN clock_timestamp() END"
        " WHERE id = $1::bigint",
        5};

enum db_status
db_reappraisal_job_advance(PGconn *c, int64_t job, const char *cursor,
                           int examined, int changed, bool done)
{
	char id[24], e[16], ch[16];
	const char *v[5] = {id,
	                    cursor != NULL && cursor[0] != '\0' ? cursor : NULL,
	                    e, ch, done ? "true" : "false"};
	enum db_status st;

	snprintf(id, sizeof(id), "%lld", (long long)job);
	snprintf(e, sizeof(e), "%d", examined);
	snprintf(ch, sizeof(ch), "%d", changed);
	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
