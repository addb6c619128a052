#include <stdio.h>
#include <string.h>

#include "db/registry.h"

/* A failed attestation keeps the last passport (it still shows what was
 * attested) but the endpoint's status says "failed". Each attempt is
 * also kept in the endpoint's history (migrations/0010). */
static const struct db_stmt stmt = {
        "endpoint_attested",
        "WITH u AS (UPDATE endpoints SET status = $2,"
        " current_passport_id = coalesce($3::uuid, current_passport_id),"
        " last_attested_at = to_timestamp($4::bigint),"
        " last_errors = $5::jsonb"
        " WHERE id = $1::uuid AND retired_at IS NULL"
        " RETURNING id, reference_version)"
        " INSERT INTO endpoint_attestations (endpoint_id, at, status,"
        " passport_id, reference_version, errors)"
        " SELECT id, to_timestamp($4::bigint), $2, $3::uuid,"
        " reference_version, $5::jsonb FROM u",
        5};

enum db_status
db_endpoint_attested(PGconn *c, const char *id, const char *status,
                     const char *passport_id, int64_t at,
                     const char *errors_json)
{
	char t[24];
	const char *v[5] = {id, status, passport_id, t, errors_json};
	enum db_status st;
	PGresult *res;

	snprintf(t, sizeof(t), "%lld", (long long)at);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	st = PQcmdTuples(res)[0] == '1' ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	if (st == DB_OK) /* docs/events.md */
		st = db_event_append(c,
		                     strcmp(status, "failed") == 0
		                             ? "endpoint.failed"
		                             : "endpoint.attested",
		                     passport_id, id, status, false);
	return st;
}
