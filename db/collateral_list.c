#include <stdio.h>
#include <stdlib.h>

#include "db/collateral.h"
#include "db/row.h"

/* Times in whole seconds, rounded down (as the API prints them). */
static const struct db_stmt stmt = {
        "collateral_list",
        "SELECT kind, key, sha256,"
        " floor(extract(epoch FROM issue_date))::bigint AS issue_date,"
        " floor(extract(epoch FROM next_update))::bigint AS next_update,"
        " floor(extract(epoch FROM fetched_at))::bigint AS fetched_at,"
        " source,"
        " issue_date <= to_timestamp($1::bigint)"
        " AND next_update > to_timestamp($1::bigint) AS valid,"
        " CASE WHEN $2::boolean THEN body END AS body,"
        " CASE WHEN $2::boolean THEN issuer_chain END AS issuer_chain"
        " FROM collateral_artifacts ORDER BY kind, key",
        2};

void
db_collateral_list_free(struct db_collateral_entry *e, size_t n)
{
	for (size_t i = 0; e != NULL && i < n; i++)
		db_collateral_row_clear(&e[i].row);
	free(e);
}

/* Reads row R into E; false (r->ok) on a missing or malformed column. */
static bool
entry_read(struct db_row *r, bool bodies, struct db_collateral_entry *e)
{
	struct db_collateral_row *w = &e->row;

	db_row_copy(r, "kind", w->kind, sizeof(w->kind));
	db_row_copy(r, "key", w->key, sizeof(w->key));
	db_row_copy(r, "sha256", w->sha256, sizeof(w->sha256));
	w->issue_date = db_row_int64(r, "issue_date");
	w->next_update = db_row_int64(r, "next_update");
	w->fetched_at = db_row_int64(r, "fetched_at");
	db_row_copy(r, "source", w->source, sizeof(w->source));
	e->valid = db_row_bool(r, "valid");
	if (bodies) {
		db_row_bytea(r, "body", &w->body, &w->body_len);
		w->issuer_chain = db_row_strdup(r, "issuer_chain");
	}
	return r->ok;
}

enum db_status
db_collateral_list(PGconn *c, int64_t at, bool bodies,
                   struct db_collateral_entry **out, size_t *n)
{
	char t[24];
	const char *v[2] = {t, bodies ? "true" : "false"};
	enum db_status st;
	PGresult *res;
	struct db_collateral_entry *e = NULL;
	size_t count;

	*out = NULL;
	*n = 0;
	snprintf(t, sizeof(t), "%lld", (long long)at);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((e = calloc(count > 0 ? count : 1, sizeof(*e))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		if (!entry_read(&row, bodies, &e[i])) {
			st = DB_ERROR;
			goto out;
		}
	}
	*out = e;
	*n = count;
	e = NULL;
	st = DB_OK;
out:
	db_collateral_list_free(e, count);
	PQclear(res);
	return st;
}
