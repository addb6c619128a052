#include <stdio.h>

#include "db/endpoint_view.h"
#include "db/registry.h"

/* Without a status filter: every live endpoint (retired ones only when
 * asked for with status=retired). Keyset pagination: rows strictly older
 * than the cursor endpoint's (created_at, id). */
static const struct db_stmt stmt = {
        "endpoint_list",
        "SELECT j FROM (SELECT " ENDPOINT_JSON " AS j, " ENDPOINT_STATUS
        " AS st, e.tee_type, e.model_name, e.model_digest, e.provider_id,"
        " e.created_at, e.id" ENDPOINT_FROM ") x"
        " WHERE ($2::text IS NULL OR tee_type = $2)"
        " AND ($3::text IS NULL OR model_name = $3 OR model_digest = $3)"
        " AND (($4::text IS NULL AND st <> 'retired') OR st = $4)"
        " AND ($5::uuid IS NULL OR provider_id = $5::uuid)"
        " AND ($7::uuid IS NULL OR (created_at, id) < (SELECT c.created_at,"
        " c.id FROM endpoints c WHERE c.id = $7::uuid))"
        " ORDER BY created_at DESC, id DESC LIMIT $6::int",
        7};

enum db_status
db_endpoint_list(PGconn *c, const struct db_endpoint_filter *f, int64_t now,
                 json_t **out)
{
	char t[24], lim[16];
	const char *v[7] = {t,          f->tee_type,    f->model,
	                    f->status,  f->provider_id, lim,
	                    f->after_id};

	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(lim, sizeof(lim), "%d", f->limit);
	return db_json_rows(c, &stmt, v, out);
}
