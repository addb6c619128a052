#include <stdio.h>
#include <stdlib.h>

#include "db/db.h"

/*
 * Each batch is one autocommit DELETE of at most $2 rows whose ids a
 * subquery picks FOR UPDATE SKIP LOCKED: rows another transaction holds
 * (a nonce being consumed, a passport being revoked) are left for a
 * later round, so the purge never waits on — nor blocks — verification.
 */
static const struct db_stmt challenges_stmt = {
        "retention_challenges",
        "DELETE FROM challenges WHERE nonce IN (SELECT nonce FROM challenges"
        " WHERE expires_at < to_timestamp($1::bigint)"
        " ORDER BY expires_at LIMIT $2::int FOR UPDATE SKIP LOCKED)",
        2};

/* A passport an endpoint still names as its current one is kept. The
 * evidence the purged passports named (stored once, migrations/0007) goes
 * with the last of them: a blob no other passport names, and that no
 * transaction holds — db/passport_insert.c locks the blob it reuses until
 * it commits, so a passport being issued with the same evidence keeps it
 * (SKIP LOCKED), and a blob purged first is inserted again by it. */
static const struct db_stmt passports_stmt = {
        "retention_passports",
        "WITH d AS (DELETE FROM passports WHERE id IN (SELECT p.id"
        " FROM passports p WHERE p.expires_at < to_timestamp($1::bigint)"
        " AND NOT EXISTS (SELECT 1 FROM endpoints e"
        " WHERE e.current_passport_id = p.id)"
        " ORDER BY p.expires_at LIMIT $2::int FOR UPDATE OF p SKIP LOCKED)"
        " RETURNING id, evidence_sha256),"
        " b AS (DELETE FROM evidence_blobs WHERE sha256 IN (SELECT x.sha256"
        " FROM evidence_blobs x WHERE x.sha256 IN"
        " (SELECT evidence_sha256 FROM d) AND NOT EXISTS (SELECT 1"
        " FROM passports p WHERE p.evidence_sha256 = x.sha256"
        " AND p.id NOT IN (SELECT id FROM d))"
        " FOR UPDATE OF x SKIP LOCKED) RETURNING 1)"
        " SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM b)",
        2};

/* An endpoint's history entries (0010) go with the passports of their
 * time: the entry of an endpoint's current passport is kept. */
static const struct db_stmt attempts_stmt = {
        "retention_endpoint_attestations",
        "DELETE FROM endpoint_attestations WHERE id IN (SELECT a.id"
        " FROM endpoint_attestations a"
        " WHERE a.at < to_timestamp($1::bigint)"
        " AND NOT EXISTS (SELECT 1 FROM endpoints e"
        " WHERE e.current_passport_id = a.passport_id)"
        " ORDER BY a.at LIMIT $2::int FOR UPDATE OF a SKIP LOCKED)",
        2};

static enum db_status
purge(PGconn *c, const struct db_stmt *stmt, int64_t before, int64_t batch,
      int64_t *n)
{
	char t[24], b[24];
	const char *v[2] = {t, b};
	enum db_status st;
	PGresult *res;

	snprintf(t, sizeof(t), "%lld", (long long)before);
	snprintf(b, sizeof(b), "%lld", (long long)batch);
	if ((res = db_run(c, stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	*n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return DB_OK;
}

enum db_status
db_retention_purge_challenges(PGconn *c, int64_t before, int64_t batch,
                              int64_t *n)
{
	return purge(c, &challenges_stmt, before, batch, n);
}

enum db_status
db_retention_purge_passports(PGconn *c, int64_t before, int64_t batch,
                             int64_t *n)
{
	char t[24], b[24];
	const char *v[2] = {t, b};
	enum db_status st;
	PGresult *res;

	snprintf(t, sizeof(t), "%lld", (long long)before);
	snprintf(b, sizeof(b), "%lld", (long long)batch);
	if ((res = db_run(c, &passports_stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return DB_OK;
}

enum db_status
db_retention_purge_endpoint_attestations(PGconn *c, int64_t before,
                                         int64_t batch, int64_t *n)
{
	return purge(c, &attempts_stmt, before, batch, n);
}
