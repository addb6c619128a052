#include "db/purge.h"

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

/*
 * A passport an endpoint still names as its current one is kept. What the
 * purged passports named, stored once by digest (migrations/0007), goes
 * with the last of them, in the same statement:
 *
 * - their evidence blob (evidence_blobs), when no other passport names it;
 * - their collateral set (collateral_sets, with its items and its list of
 *   blobs, collateral_set_blobs of 0011), when no other passport names it;
 * - their inputs, a composite's device evidence and their purged sets'
 *   artifact bytes (appraisal_blobs), when no other passport (by the
 *   appraisal's digests, 0011's indexes and 0014's of the devices) and no
 *   other set names them.
 *
 * A row some transaction holds is skipped: db/passport_insert.c locks the
 * evidence, blobs and set it reuses until it commits, so a passport being
 * issued with the same inputs keeps them (SKIP LOCKED), and one purged
 * first is inserted again by it. The statement sees the rows it deletes
 * (one snapshot), hence the "not among the deleted" conditions.
 */
static const struct db_stmt passports_stmt = {
        "retention_passports",
        "WITH d AS (DELETE FROM passports WHERE id IN (SELECT p.id"
        " FROM passports p WHERE p.expires_at < to_timestamp($1::bigint)"
        " AND NOT EXISTS (SELECT 1 FROM endpoints e"
        " WHERE e.current_passport_id = p.id)"
        " ORDER BY p.expires_at LIMIT $2::int FOR UPDATE OF p SKIP LOCKED)"
        " RETURNING id, evidence_sha256, collateral_set, appraisal),"
        " b AS (DELETE FROM evidence_blobs WHERE sha256 IN (SELECT x.sha256"
        " FROM evidence_blobs x WHERE x.sha256 IN"
        " (SELECT evidence_sha256 FROM d) AND NOT EXISTS (SELECT 1"
        " FROM passports p WHERE p.evidence_sha256 = x.sha256"
        " AND p.id NOT IN (SELECT id FROM d))"
        " FOR UPDATE OF x SKIP LOCKED) RETURNING 1),"
        " s AS (DELETE FROM collateral_sets WHERE sha256 IN (SELECT x.sha256"
        " FROM collateral_sets x WHERE x.sha256 IN"
        " (SELECT collateral_set FROM d) AND NOT EXISTS (SELECT 1"
        " FROM passports p WHERE p.collateral_set = x.sha256"
        " AND p.id NOT IN (SELECT id FROM d))"
        " FOR UPDATE OF x SKIP LOCKED) RETURNING sha256),"
        " si AS (DELETE FROM collateral_set_items"
        " WHERE set_sha256 IN (SELECT sha256 FROM s)),"
        " sb AS (DELETE FROM collateral_set_blobs"
        " WHERE set_sha256 IN (SELECT sha256 FROM s) RETURNING sha256),"
        " k AS (SELECT sha256 FROM sb UNION SELECT d.appraisal->>m FROM d,"
        " unnest(ARRAY['runtime_data', 'expected', 'event_log',"
        " 'event_log_table']) m"
        " UNION SELECT v->>'evidence' FROM d,"
        " jsonb_array_elements(d.appraisal->'devices') v"
        " WHERE jsonb_typeof(d.appraisal->'devices') = 'array'),"
        " a AS (DELETE FROM appraisal_blobs WHERE sha256 IN (SELECT x.sha256"
        " FROM appraisal_blobs x WHERE x.sha256 IN (SELECT sha256 FROM k)"
        " AND NOT EXISTS (SELECT 1 FROM collateral_set_blobs l"
        " WHERE l.sha256 = x.sha256"
        " AND l.set_sha256 NOT IN (SELECT sha256 FROM s))"
        " AND NOT EXISTS (SELECT 1 FROM passports p"
        " WHERE p.appraisal->>'runtime_data' = x.sha256"
        " AND p.id NOT IN (SELECT id FROM d))"
        " AND NOT EXISTS (SELECT 1 FROM passports p"
        " WHERE p.appraisal->>'expected' = x.sha256"
        " AND p.id NOT IN (SELECT id FROM d))"
        " AND NOT EXISTS (SELECT 1 FROM passports p"
        " WHERE p.appraisal->>'event_log' = x.sha256"
        " AND p.id NOT IN (SELECT id FROM d))"
        " AND NOT EXISTS (SELECT 1 FROM passports p"
        " WHERE p.appraisal->>'event_log_table' = x.sha256"
        " AND p.id NOT IN (SELECT id FROM d))"
        " AND NOT EXISTS (SELECT 1 FROM passports p"
        " WHERE jsonb_typeof(p.appraisal->'devices') = 'array'"
        " AND p.appraisal->'devices' @> jsonb_build_array("
        "jsonb_build_object('evidence', x.sha256))"
        " AND p.id NOT IN (SELECT id FROM d))"
        " FOR UPDATE OF x SKIP LOCKED) RETURNING 1)"
        " SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM b),"
        " (SELECT count(*) FROM s), (SELECT count(*) FROM a)",
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

enum db_status
db_retention_purge_challenges(PGconn *c, int64_t before, int64_t batch,
                              int64_t *n)
{
	return db_purge(c, &challenges_stmt, before, batch, n);
}

enum db_status
db_retention_purge_passports(PGconn *c, int64_t before, int64_t batch,
                             int64_t *n)
{
	return db_purge(c, &passports_stmt, before, batch, n);
}

enum db_status
db_retention_purge_endpoint_attestations(PGconn *c, int64_t before,
                                         int64_t batch, int64_t *n)
{
	return db_purge(c, &attempts_stmt, before, batch, n);
}
