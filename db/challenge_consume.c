#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db/row.h"

/*
 * One statement decides: the row is marked used only if it exists, is
 * unused and unexpired, so concurrent requests on any number of
 * instances see exactly one success — at READ COMMITTED too, where a
 * concurrent consumer's update makes this one re-check the row and find
 * it used.
 */
static const struct db_stmt consume_stmt = {
        "challenge_consume",
        "UPDATE challenges SET used_at = to_timestamp($2::bigint)"
        " WHERE nonce = $1::bytea AND used_at IS NULL"
        " AND expires_at > to_timestamp($2::bigint)",
        2};

/* Why it was refused, in a snapshot taken after the update. */
static const struct db_stmt why_stmt = {
        "challenge_refused",
        "SELECT CASE WHEN used_at IS NOT NULL THEN 'replayed'"
        " ELSE 'expired' END AS refused FROM challenges WHERE nonce = "
        "$1::bytea",
        1};

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
	const char *refused;
	const char *n;

	snprintf(t, sizeof(t), "%lld", (long long)now);
	if ((res = db_run(c, &consume_stmt, v, lens, fmt, &st)) == NULL)
		return st;
	n = PQcmdTuples(res);
	if (strcmp(n, "1") == 0) {
		*r = DB_NONCE_OK;
		PQclear(res);
		return DB_OK;
	}
	PQclear(res);
	if ((res = db_run(c, &why_stmt, v, lens, fmt, &st)) == NULL)
		return st;
	if (PQntuples(res) == 0) {
		*r = DB_NONCE_UNKNOWN;
		PQclear(res);
		return DB_OK;
	}
	row = db_row_at(res, 0);
	refused = db_row_text(&row, "refused");
	if (!row.ok || refused == NULL)
		st = DB_ERROR;
	else if (strcmp(refused, "replayed") == 0)
		*r = DB_NONCE_REPLAYED;
	else
		*r = DB_NONCE_EXPIRED;
	PQclear(res);
	return st;
}
