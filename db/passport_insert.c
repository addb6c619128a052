#include <stdbool.h>
#include <stdio.h>

#include "db/db.h"

/*
 * One statement: the evidence and every other input stored once by
 * digest (a repeat costs an index probe), the collateral set with its
 * items when it is new, then the passport naming them
 * (migrations/0007). passports.evidence is no longer written. Evidence
 * already stored is locked, not rewritten (DO UPDATE … WHERE false locks
 * the row): the retention purge skips a blob a transaction holds, so it
 * never deletes the evidence of a passport being issued
 * (db/retention_purge.c).
 */
static const struct db_stmt stmt = {
        "passport_insert",
        "WITH ev AS (INSERT INTO evidence_blobs (sha256, body)"
        " VALUES ($11, $10::bytea) ON CONFLICT (sha256) DO UPDATE"
        " SET body = evidence_blobs.body WHERE false),"
        " bl AS (INSERT INTO appraisal_blobs (sha256, body)"
        " SELECT DISTINCT ON (b->>'s') b->>'s', decode(b->>'b', 'base64')"
        " FROM jsonb_array_elements(coalesce($15::jsonb, '[]')) b"
        " ON CONFLICT DO NOTHING),"
        " cs AS (INSERT INTO collateral_sets (sha256, artifacts)"
        " SELECT $16, $17::jsonb WHERE $16::text IS NOT NULL"
        " ON CONFLICT DO NOTHING RETURNING sha256),"
        " ci AS (INSERT INTO collateral_set_items (kind, key, set_sha256,"
        " sha256, chain_sha256)"
        " SELECT DISTINCT ON (a->>'kind', a->>'key') a->>'kind', a->>'key',"
        " cs.sha256, a->>'sha256', a->>'chain_sha256'"
        " FROM cs, jsonb_array_elements($17::jsonb) a"
        " WHERE a->>'key' <> '' ON CONFLICT DO NOTHING)"
        " INSERT INTO passports (id, verified_at, expires_at, ear_status,"
        " tee_type, hardware_attested, claims, token, kid,"
        " evidence_sha256, request_sha256, endpoint_id, appraisal,"
        " collateral_set, jws_header, jws_payload, jws_signature)"
        " VALUES ($1::uuid, to_timestamp($2::bigint), to_timestamp($3::bigint),"
        " $4, $5, $6::boolean, $7::jsonb, $8, $9, $11, $12,"
        " $13::uuid, $14::jsonb, $16, $18, $19, $20::bytea)",
        20};

enum db_status
db_passport_insert(PGconn *c, const struct db_passport_row *r)
{
	char verified[24], expires[24];
	const char *v[20];
	int len[20] = {0}, fmt[20] = {0};
	bool parts = r->jws_header != NULL;
	enum db_status st;
	PGresult *res;

	snprintf(verified, sizeof(verified), "%lld", (long long)r->verified_at);
	snprintf(expires, sizeof(expires), "%lld", (long long)r->expires_at);
	v[0] = r->id;
	v[1] = verified;
	v[2] = expires;
	v[3] = r->ear_status;
	v[4] = r->tee_type;
	v[5] = r->hardware_attested ? "true" : "false";
	/* With the token's parts, neither the token nor the claims (its
	 * payload) are stored again. */
	v[6] = parts ? NULL : r->claims_json;
	v[7] = parts ? NULL : r->token;
	v[8] = r->kid;
	v[9] = (const char *)r->evidence;
	len[9] = (int)r->evidence_len;
	fmt[9] = 1; /* binary bytea */
	v[10] = r->evidence_sha256;
	v[11] = r->request_sha256;
	v[12] = r->endpoint_id;
	v[13] = r->appraisal_json;
	v[14] = r->blobs_json;
	v[15] = r->set_sha256;
	v[16] = r->set_json != NULL ? r->set_json : "[]";
	v[17] = r->jws_header;
	v[18] = parts ? r->jws_payload : NULL;
	v[19] = parts ? (const char *)r->jws_signature : NULL;
	len[19] = parts ? (int)r->jws_signature_len : 0;
	fmt[19] = 1;
	res = db_run(c, &stmt, v, len, fmt, &st);
	PQclear(res);
	if (st == DB_OK) /* docs/events.md */
		st = db_event_append(c, "passport.issued", r->id,
		                     r->endpoint_id, "active", false);
	return st;
}
