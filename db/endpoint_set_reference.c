#include <stdio.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "endpoint_set_reference",
        "UPDATE endpoints SET reference_version = $2::int,"
        " model_name = coalesce($3, model_name),"
        " model_digest = coalesce($4, model_digest)"
        " WHERE id = $1::uuid AND retired_at IS NULL",
        4};

enum db_status
db_endpoint_set_reference(PGconn *c, const char *id, int version,
                          const char *model_name, const char *model_digest)
{
	char ver[16];
	const char *v[4] = {id, ver, model_name, model_digest};
	enum db_status st;
	PGresult *res;

	snprintf(ver, sizeof(ver), "%d", version);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	st = PQcmdTuples(res)[0] == '1' ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	if (st == DB_OK) /* docs/events.md */
		st = db_event_append(c, "endpoint.reference_changed", NULL, id,
		                     NULL, false);
	return st;
}
