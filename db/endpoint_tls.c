/* Attested TLS: the bound key of an endpoint and its scheduled checks
 * (db/attls.h). */
#include <stdio.h>
#include <stdlib.h>

#include "db/attls.h"
#include "db/row.h"

static const struct db_stmt record = {
        "endpoint_tls_record",
        "WITH e AS (UPDATE endpoints SET tls_binding = $2,"
        " tls_spki_sha256 = $3, tls_checked_at = clock_timestamp()"
        " WHERE id = $1::uuid AND retired_at IS NULL"
        " RETURNING id, current_passport_id, last_attested_at)"
        " INSERT INTO endpoint_tls_keys (passport_id, endpoint_id,"
        " tls_binding, tls_spki_sha256, at)"
        " SELECT current_passport_id, id, $2, $3, last_attested_at FROM e"
        " WHERE $3::text IS NOT NULL AND current_passport_id IS NOT NULL"
        " ON CONFLICT (passport_id) DO NOTHING",
        3};

static const struct db_stmt layout_stmt = {
        "endpoint_tls_layout",
        "SELECT tls_binding, url FROM endpoints WHERE id = $1::uuid"
        " AND retired_at IS NULL",
        1};

/* Claims the endpoints due: several teepassd instances share the
 * registry (SKIP LOCKED, and a claim moves tls_checked_at), so each
 * endpoint is checked about once an interval, not once per instance. */
static const struct db_stmt due = {
        "endpoint_tls_due",
        "UPDATE endpoints SET tls_checked_at = clock_timestamp()"
        " WHERE id IN (SELECT id FROM endpoints"
        " WHERE retired_at IS NULL AND status = 'attested'"
        " AND tls_spki_sha256 IS NOT NULL AND (tls_checked_at IS NULL"
        " OR tls_checked_at <= clock_timestamp()"
        " - make_interval(secs => $2::int / 2.0))"
        " ORDER BY tls_checked_at NULLS FIRST, id LIMIT $1::int"
        " FOR UPDATE SKIP LOCKED)"
        " RETURNING id::text AS id, url, tls_spki_sha256",
        2};

static const struct db_stmt checked = {
        "endpoint_tls_checked",
        "UPDATE endpoints SET tls_checked_at = clock_timestamp()"
        " WHERE id = $1::uuid",
        1};

/* As db_endpoint_attested's "failed", guarded by the key checked. */
static const struct db_stmt fail = {
        "endpoint_tls_fail",
        "WITH u AS (UPDATE endpoints SET status = 'failed',"
        " last_attested_at = to_timestamp($3::bigint),"
        " last_errors = $4::jsonb, tls_checked_at = clock_timestamp()"
        " WHERE id = $1::uuid AND retired_at IS NULL"
        " AND status = 'attested' AND tls_spki_sha256 = $2"
        " RETURNING id, reference_version)"
        " INSERT INTO endpoint_attestations (endpoint_id, at, status,"
        " passport_id, reference_version, errors)"
        " SELECT id, to_timestamp($3::bigint), 'failed', NULL,"
        " reference_version, $4::jsonb FROM u",
        4};

enum db_status
db_endpoint_tls_record(PGconn *c, const char *id, const char *layout,
                       const char *spki_hex)
{
	const char *v[3] = {id, layout, spki_hex};
	enum db_status st;

	PQclear(db_run(c, &record, v, NULL, NULL, &st));
	return st;
}

enum db_status
db_endpoint_tls_layout(PGconn *c, const char *id, char layout[24], char **url)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res = db_run(c, &layout_stmt, v, NULL, NULL, &st);

	if (res == NULL)
		return st;
	st = PQntuples(res) > 0 ? DB_OK : DB_NOT_FOUND;
	if (st == DB_OK) {
		struct db_row row = db_row_at(res, 0);

		db_row_copy(&row, "tls_binding", layout, 24);
		*url = db_row_strdup(&row, "url");
		st = row.ok && *url != NULL ? DB_OK : DB_ERROR;
	}
	PQclear(res);
	return st;
}

enum db_status
db_endpoint_tls_due(PGconn *c, int limit, int interval,
                    struct db_endpoint_tls_due **out, size_t *n)
{
	char lim[16], iv[16];
	const char *v[2] = {lim, iv};
	enum db_status st;
	PGresult *res;
	int rows;

	*out = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(iv, sizeof(iv), "%d", interval);
	if ((res = db_run(c, &due, v, NULL, NULL, &st)) == NULL)
		return st;
	rows = PQntuples(res);
	if (rows > 0 && (*out = calloc((size_t)rows, sizeof(**out))) == NULL) {
		PQclear(res);
		return DB_ERROR;
	}
	for (int i = 0; i < rows; i++) {
		struct db_row row = db_row_at(res, i);
		struct db_endpoint_tls_due *d = &(*out)[i];

		db_row_copy(&row, "id", d->id, sizeof(d->id));
		d->url = db_row_strdup(&row, "url");
		db_row_copy(&row, "tls_spki_sha256", d->spki_hex,
		            sizeof(d->spki_hex));
		*n = (size_t)i + 1;
		if (!row.ok || d->url == NULL) {
			st = DB_ERROR;
			break;
		}
	}
	PQclear(res);
	if (st != DB_OK) {
		db_endpoint_tls_due_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return st;
}

void
db_endpoint_tls_due_free(struct db_endpoint_tls_due *d, size_t n)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(d[i].url);
	free(d);
}

enum db_status
db_endpoint_tls_checked(PGconn *c, const char *id)
{
	const char *v[1] = {id};
	enum db_status st;

	PQclear(db_run(c, &checked, v, NULL, NULL, &st));
	return st;
}

enum db_status
db_endpoint_tls_fail(PGconn *c, const char *id, const char *spki_hex,
                     int64_t at, const char *errors_json)
{
	char t[24];
	const char *v[4] = {id, spki_hex, t, errors_json};
	enum db_status st;
	PGresult *res;

	snprintf(t, sizeof(t), "%lld", (long long)at);
	if ((res = db_run(c, &fail, v, NULL, NULL, &st)) == NULL)
		return st;
	st = PQcmdTuples(res)[0] == '1' ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	if (st == DB_OK) /* docs/events.md */
		st = db_event_append(c, "endpoint.failed", NULL, id, "failed",
		                     false);
	return st;
}
