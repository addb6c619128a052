#include <stdio.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "reference_insert",
        "INSERT INTO reference_values (endpoint_id, version, doc, sha256,"
        " created_by) VALUES ($1::uuid, $2::int, $3::jsonb, $4, $5)",
        5};

enum db_status
db_reference_insert(PGconn *c, const char *endpoint_id, int version,
                    const char *doc_json, const char *sha256, const char *actor)
{
	char ver[16];
	const char *v[5] = {endpoint_id, ver, doc_json, sha256, actor};
	enum db_status st;

	snprintf(ver, sizeof(ver), "%d", version);
	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
