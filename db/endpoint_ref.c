#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"

/* FOR UPDATE: concurrent writers of one endpoint queue on its row. */
static const struct db_stmt stmt = {
        "endpoint_ref",
        "SELECT e.provider_id::text, e.tee_type, e.reference_version,"
        " r.doc::text, r.sha256 FROM endpoints e"
        " JOIN reference_values r ON r.endpoint_id = e.id"
        " AND r.version = e.reference_version"
        " WHERE e.id = $1::uuid AND e.retired_at IS NULL FOR UPDATE OF e",
        1};

enum db_status
db_endpoint_ref(PGconn *c, const char *id, struct db_endpoint_ref *r)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res;

	memset(r, 0, sizeof(*r));
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DB_NOT_FOUND;
	}
	snprintf(r->provider_id, sizeof(r->provider_id), "%s",
	         PQgetvalue(res, 0, 0));
	snprintf(r->tee_type, sizeof(r->tee_type), "%s", PQgetvalue(res, 0, 1));
	r->version = atoi(PQgetvalue(res, 0, 2));
	r->doc = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
	snprintf(r->sha256, sizeof(r->sha256), "%s", PQgetvalue(res, 0, 4));
	PQclear(res);
	return r->doc != NULL ? DB_OK : DB_ERROR;
}
