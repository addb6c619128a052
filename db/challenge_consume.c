#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db/row.h"

/*
 * One statement decides: the row is marked used only if it exists, is
 * unused and unexpired, so concurrent requests on any number of
 * instances see exactly one success. The CTE reports why it failed.
 */
static const struct db_stmt stmt = {
        "challenge_consume",
        "WITH used AS (UPDATE challenges SET used_at = to_timestamp($2::bigint)"
        " WHERE nonce = $1::bytea AND used_at IS NULL"
        " AND expires_at > to_timestamp($2::bigint) RETURNING 1)"
        " SELECT (SELECT count(*) FROM used) AS consumed,"
        " (SELECT CASE WHEN used_at IS NOT NULL THEN 'replayed'"
        "  ELSE 'expired' END FROM challenges WHERE nonce = $1::bytea)"
        " AS refused",
        2};

enum db_status
db_challenge_consume(PGconn *c, const uint8_t *nonce, size_t len, int64_t now,
                     enum db_nonce_result *r)
{
	char t[24];
	const char *v[2] = {(const char *)nonce, t};
	int lens[2] = {(int)len, 0}, fmt[2] = {1, 0};
	enum db_status st;
	PGresult *res;
	struct db_row row;
	int64_t consumed;
	const char *refused;

	snprintf(t, sizeof(t), "%lld", (long long)now);
	if ((res = db_run(c, &stmt, v, lens, fmt, &st)) == NULL)
		return st;
	row = db_row_at(res, 0);
	consumed = db_row_int64(&row, "consumed");
	refused = db_row_text(&row, "refused");
	if (!row.ok)
		st = DB_ERROR;
	else if (consumed == 1)
		*r = DB_NONCE_OK;
	else if (refused == NULL)
		*r = DB_NONCE_UNKNOWN;
	else if (strcmp(refused, "replayed") == 0)
		*r = DB_NONCE_REPLAYED;
	else
		*r = DB_NONCE_EXPIRED;
	PQclear(res);
	return st;
}
