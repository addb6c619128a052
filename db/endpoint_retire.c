#include "db/registry.h"

static const struct db_stmt stmt = {
        "endpoint_retire",
        "UPDATE endpoints SET retired_at = clock_timestamp()"
        " WHERE id = $1::uuid AND retired_at IS NULL",
        1};

enum db_status
db_endpoint_retire(PGconn *c, const char *id)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res;

	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	st = PQcmdTuples(res)[0] == '1' ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	if (st == DB_OK) /* docs/events.md */
		st = db_event_append(c, "endpoint.retired", NULL, id, "retired",
		                     false);
	return st;
}
