#include <stdio.h>

#include "db/db.h"

static const struct db_stmt stmt = {
        "challenge_insert",
        "INSERT INTO challenges (nonce, created_at, expires_at)"
        " VALUES ($1::bytea, to_timestamp($2::bigint), "
        "to_timestamp($3::bigint))",
        3};

enum db_status
db_challenge_insert(PGconn *c, const uint8_t nonce[32], int64_t created,
                    int64_t expires)
{
	char a[24], b[24];
	const char *v[3] = {(const char *)nonce, a, b};
	int len[3] = {32, 0, 0}, fmt[3] = {1, 0, 0};
	enum db_status st;

	snprintf(a, sizeof(a), "%lld", (long long)created);
	snprintf(b, sizeof(b), "%lld", (long long)expires);
	PQclear(db_run(c, &stmt, v, len, fmt, &st));
	return st;
}
