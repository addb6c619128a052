#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/collateral.h"

static const struct db_stmt stmt = {
        "collateral_get",
        "SELECT body, issuer_chain, sha256,"
        " extract(epoch FROM issue_date)::bigint,"
        " extract(epoch FROM next_update)::bigint,"
        " extract(epoch FROM fetched_at)::bigint, source"
        " FROM collateral_artifacts WHERE kind = $1 AND key = $2"
        " AND issue_date <= to_timestamp($3::bigint)"
        " AND next_update > to_timestamp($3::bigint)",
        3};

void
db_collateral_row_clear(struct db_collateral_row *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->issuer_chain);
	r->body = NULL;
	r->issuer_chain = NULL;
}

enum db_status
db_collateral_get(PGconn *c, const char *kind, const char *key, int64_t at,
                  struct db_collateral_row *out)
{
	char t[24];
	const char *v[3] = {kind, key, t};
	enum db_status st;
	PGresult *res;
	unsigned char *bin = NULL;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	snprintf(t, sizeof(t), "%lld", (long long)at);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	/* bytea arrives as text (\x...): unescape it. */
	bin = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &n);
	if (bin == NULL || (out->body = malloc(n + 1)) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	memcpy(out->body, bin, n);
	out->body[n] = '\0';
	out->body_len = n;
	if (!PQgetisnull(res, 0, 1) &&
	    (out->issuer_chain = strdup(PQgetvalue(res, 0, 1))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	snprintf(out->kind, sizeof(out->kind), "%s", kind);
	snprintf(out->key, sizeof(out->key), "%s", key);
	snprintf(out->sha256, sizeof(out->sha256), "%s", PQgetvalue(res, 0, 2));
	out->issue_date = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	out->next_update = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	out->fetched_at = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	snprintf(out->source, sizeof(out->source), "%s", PQgetvalue(res, 0, 6));
	st = DB_OK;
out:
	if (st != DB_OK)
		db_collateral_row_clear(out);
	PQfreemem(bin);
	PQclear(res);
	return st;
}
