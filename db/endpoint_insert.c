#include <stdio.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "endpoint_insert",
        "WITH e AS (INSERT INTO endpoints (id, provider_id, url, model_name,"
        " model_digest, tee_type, status, reference_version,"
        " current_passport_id, last_attested_at)"
        " VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, 'attested', 1,"
        " $7::uuid, to_timestamp($8::bigint))"
        " RETURNING id, last_attested_at, current_passport_id)"
        /* The registration's attestation opens the history. */
        " INSERT INTO endpoint_attestations (endpoint_id, at, status,"
        " passport_id, reference_version)"
        " SELECT id, last_attested_at, 'attested', current_passport_id, 1"
        " FROM e",
        8};

enum db_status
db_endpoint_insert(PGconn *c, const struct db_endpoint_row *e)
{
	char at[24];
	const char *v[8] = {
	        e->id,           e->provider_id, e->url,         e->model_name,
	        e->model_digest, e->tee_type,    e->passport_id, at};
	enum db_status st;

	snprintf(at, sizeof(at), "%lld", (long long)e->attested_at);
	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	if (st == DB_OK) /* docs/events.md */
		st = db_event_append(c, "endpoint.registered", e->passport_id,
		                     e->id, "attested", false);
	return st;
}
