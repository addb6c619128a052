#include <stdio.h>

#include "db/db.h"

static const struct db_stmt stmt = {
        "passport_insert",
        "INSERT INTO passports (id, verified_at, expires_at, ear_status,"
        " tee_type, hardware_attested, claims, token, kid, evidence,"
        " evidence_sha256, request_sha256, endpoint_id)"
        " VALUES ($1::uuid, to_timestamp($2::bigint), to_timestamp($3::bigint),"
        " $4, $5, $6::boolean, $7::jsonb, $8, $9, $10::bytea, $11, $12,"
        " $13::uuid)",
        13};

enum db_status
db_passport_insert(PGconn *c, const struct db_passport_row *r)
{
	char verified[24], expires[24];
	const char *v[13];
	int len[13] = {0}, fmt[13] = {0};
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
	v[6] = r->claims_json;
	v[7] = r->token;
	v[8] = r->kid;
	v[9] = (const char *)r->evidence;
	len[9] = (int)r->evidence_len;
	fmt[9] = 1; /* binary bytea */
	v[10] = r->evidence_sha256;
	v[11] = r->request_sha256;
	v[12] = r->endpoint_id;
	res = db_run(c, &stmt, v, len, fmt, &st);
	PQclear(res);
	if (st == DB_OK) /* docs/events.md */
		st = db_event_append(c, "passport.issued", r->id,
		                     r->endpoint_id, "active", false);
	return st;
}
