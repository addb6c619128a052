#include <stdio.h>

#include "db/collateral.h"

static const struct db_stmt stmt = {
        "collateral_put",
        "INSERT INTO collateral_artifacts (kind, key, body, issuer_chain,"
        " sha256, issue_date, next_update, fetched_at, source)"
        " VALUES ($1, $2, $3::bytea, $4, $5, to_timestamp($6::bigint),"
        " to_timestamp($7::bigint), to_timestamp($8::bigint), $9)"
        " ON CONFLICT (kind, key) DO UPDATE SET body = EXCLUDED.body,"
        " issuer_chain = EXCLUDED.issuer_chain, sha256 = EXCLUDED.sha256,"
        " issue_date = EXCLUDED.issue_date,"
        " next_update = EXCLUDED.next_update,"
        " fetched_at = EXCLUDED.fetched_at, source = EXCLUDED.source"
        " WHERE EXCLUDED.next_update >= collateral_artifacts.next_update",
        9};

enum db_status
db_collateral_put(PGconn *c, const struct db_collateral_row *r)
{
	char a[24], b[24], f[24];
	const char *v[9] = {r->kind,
	                    r->key,
	                    (const char *)r->body,
	                    r->issuer_chain,
	                    r->sha256,
	                    a,
	                    b,
	                    f,
	                    r->source};
	int len[9] = {0, 0, (int)r->body_len, 0, 0, 0, 0, 0, 0};
	int fmt[9] = {0, 0, 1, 0, 0, 0, 0, 0, 0};
	enum db_status st;

	snprintf(a, sizeof(a), "%lld", (long long)r->issue_date);
	snprintf(b, sizeof(b), "%lld", (long long)r->next_update);
	snprintf(f, sizeof(f), "%lld", (long long)r->fetched_at);
	PQclear(db_run(c, &stmt, v, len, fmt, &st));
	return st;
}
