#include <stdio.h>

#include "db/collateral.h"

/* hashtextextended: a 64-bit key for the advisory lock, computed by the
 * server so every instance agrees. */
static const struct db_stmt lock_stmt = {
        "collateral_lock",
        "SELECT pg_advisory_lock(hashtextextended('collateral:' || $1 || '/' "
        "|| $2, 0))",
        2};
static const struct db_stmt unlock_stmt = {
        "collateral_unlock",
        "SELECT pg_advisory_unlock(hashtextextended('collateral:' || $1 || "
        "'/' || $2, 0))",
        2};

enum db_status
db_collateral_lock(PGconn *c, const char *kind, const char *key, bool lock)
{
	const char *v[2] = {kind, key};
	enum db_status st;

	PQclear(db_run(c, lock ? &lock_stmt : &unlock_stmt, v, NULL, NULL,
	               &st));
	return st;
}
