#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "db/row.h"

/* Newest first, keyset-paged on the history's id. The endpoint may be
 * retired: its history stays readable. */
static const struct db_stmt stmt_exists = {
        "endpoint_history_exists",
        "SELECT 1 FROM endpoints WHERE id = $1::uuid", 1};

static const struct db_stmt stmt = {
        "endpoint_history",
        "SELECT a.id, (extract(epoch FROM a.at) * 1000000)::bigint AS at,"
        " a.status, a.passport_id::text AS passport_id,"
        " a.reference_version, a.errors::text AS errors,"
        /* the TLS key a passed attestation bound (migrations/0008) */
        " k.tls_spki_sha256 FROM endpoint_attestations a"
        " LEFT JOIN endpoint_tls_keys k ON k.passport_id = a.passport_id"
        " WHERE a.endpoint_id = $1::uuid"
        " AND ($2::bigint IS NULL OR a.id < $2::bigint)"
        " ORDER BY a.id DESC LIMIT $3::int",
        3};

void
db_endpoint_history_free(struct db_endpoint_attempt *a, size_t n)
{
	for (size_t i = 0; a != NULL && i < n; i++)
		free(a[i].errors_json);
	free(a);
}

enum db_status
db_endpoint_history(PGconn *c, const char *id, const char *before, int limit,
                    struct db_endpoint_attempt **out, size_t *n)
{
	char lim[16];
	const char *v[3] = {id, before, lim};
	enum db_status st;
	PGresult *res;
	struct db_endpoint_attempt *a = NULL;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if ((res = db_run(c, &stmt_exists, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	st = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	if (st != DB_OK)
		return st;
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((a = calloc(count > 0 ? count : 1, sizeof(*a))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		a[i].id = db_row_int64(&row, "id");
		a[i].at = db_row_time(&row, "at");
		db_row_copy(&row, "status", a[i].status, sizeof(a[i].status));
		db_row_copy(&row, "passport_id", a[i].passport_id,
		            sizeof(a[i].passport_id));
		a[i].reference_version =
		        (int)db_row_int64(&row, "reference_version");
		a[i].errors_json = db_row_strdup(&row, "errors");
		db_row_copy(&row, "tls_spki_sha256", a[i].tls_spki_sha256,
		            sizeof(a[i].tls_spki_sha256));
		if (!row.ok) {
			st = DB_ERROR;
			goto out;
		}
	}
	*out = a;
	*n = count;
	a = NULL;
	st = DB_OK;
out:
	db_endpoint_history_free(a, count);
	PQclear(res);
	return st;
}
