#include <stdio.h>

#include "db/endpoint_view.h"
#include "db/registry.h"

static const struct db_stmt stmt = {
        "endpoint_get",
        "SELECT " ENDPOINT_JSON ENDPOINT_FROM " WHERE e.id = $2::uuid", 2};

enum db_status
db_endpoint_get(PGconn *c, const char *id, int64_t now, json_t **out)
{
	char t[24];
	const char *v[2] = {t, id};

	snprintf(t, sizeof(t), "%lld", (long long)now);
	return db_json_row(c, &stmt, v, out);
}
