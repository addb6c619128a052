#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/collateral.h"
#include "db/row.h"

static const struct db_stmt stmt = {
        "collateral_get",
        "SELECT body, issuer_chain, sha256,"
        " extract(epoch FROM issue_date)::bigint AS issue_date,"
        " extract(epoch FROM next_update)::bigint AS next_update,"
        " extract(epoch FROM fetched_at)::bigint AS fetched_at, source"
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
	struct db_row row;

	memset(out, 0, sizeof(*out));
	snprintf(t, sizeof(t), "%lld", (long long)at);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	row = db_row_at(res, 0);
	db_row_bytea(&row, "body", &out->body, &out->body_len);
	out->issuer_chain = db_row_strdup(&row, "issuer_chain");
	snprintf(out->kind, sizeof(out->kind), "%s", kind);
	snprintf(out->key, sizeof(out->key), "%s", key);
	db_row_copy(&row, "sha256", out->sha256, sizeof(out->sha256));
	out->issue_date = db_row_int64(&row, "issue_date");
	out->next_update = db_row_int64(&row, "next_update");
	out->fetched_at = db_row_int64(&row, "fetched_at");
	db_row_copy(&row, "source", out->source, sizeof(out->source));
	st = row.ok ? DB_OK : DB_ERROR;
out:
	if (st != DB_OK)
		db_collateral_row_clear(out);
	PQclear(res);
	return st;
}
