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

/* A passport an endpoint still names as its current one is kept. */
static const struct db_stmt passports_stmt = {
        "retention_passports",
        "DELETE FROM passports WHERE id IN (SELECT p.id FROM passports p"
        " WHERE p.expires_at < to_timestamp($1::bigint)"
        " AND NOT EXISTS (SELECT 1 FROM endpoints e"
        " WHERE e.current_passport_id = p.id)"
        " ORDER BY p.expires_at LIMIT $2::int FOR UPDATE OF p SKIP LOCKED)",
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
	return purge(c, &passports_stmt, before, batch, n);
}

enum db_status
db_retention_purge_endpoint_attestations(PGconn *c, int64_t before,
                                         int64_t batch, int64_t *n)
{
	return purge(c, &attempts_stmt, before, batch, n);
}
