#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "db/row.h"

/* FOR UPDATE: concurrent writers of one endpoint queue on its row. */
static const struct db_stmt stmt = {
        "endpoint_ref",
        "SELECT e.provider_id::text AS provider_id, e.tee_type,"
        " e.reference_version, e.tls_binding, r.doc::text AS doc,"
        " r.sha256"
        " FROM endpoints e JOIN reference_values r ON r.endpoint_id = e.id"
        " AND r.version = e.reference_version"
        " WHERE e.id = $1::uuid AND e.retired_at IS NULL FOR UPDATE OF e",
        1};

enum db_status
db_endpoint_ref(PGconn *c, const char *id, struct db_endpoint_ref *r)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res;
	struct db_row row;
	const char *doc;

	memset(r, 0, sizeof(*r));
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DB_NOT_FOUND;
	}
	row = db_row_at(res, 0);
	db_row_copy(&row, "provider_id", r->provider_id,
	            sizeof(r->provider_id));
	db_row_copy(&row, "tee_type", r->tee_type, sizeof(r->tee_type));
	r->version = (int)db_row_int64(&row, "reference_version");
	db_row_copy(&row, "sha256", r->sha256, sizeof(r->sha256));
	db_row_copy(&row, "tls_binding", r->tls_binding,
	            sizeof(r->tls_binding));
	if ((doc = db_row_text(&row, "doc")) != NULL && row.ok)
		r->doc = json_loads(doc, 0, NULL);
	PQclear(res);
	return r->doc != NULL ? DB_OK : DB_ERROR;
}
