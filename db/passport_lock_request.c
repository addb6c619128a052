#include "db/db.h"

/*
 * A transaction-scoped advisory lock on the request digest, in the
 * two-key space (first key: "teep" in ASCII) so it never meets the
 * one-key locks of migrations and collateral. Only transactions that
 * issue for the same request wait for each other.
 */
static const struct db_stmt stmt = {
        "passport_lock_request",
        "SELECT pg_advisory_xact_lock(1952802160, hashtext($1))", 1};

enum db_status
db_passport_lock_request(PGconn *c, const char *request_sha256)
{
	const char *v[1] = {request_sha256};
	enum db_status st;

	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
