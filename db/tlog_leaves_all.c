#include <stdlib.h>
#include <string.h>

#include "db/tlog.h"
#include "db/tlog_util.h"

/* The passport row's token and the stored leaf hash beside its leaf: the
 * audit checks all three. */
static const struct db_stmt stmt = {
        "tlog_leaves_all",
        "SELECT e.leaf_index, e.kind, e.leaf, coalesce(p.token,"
        " passport_jws_of(p.jws_header, p.kid, p.jws_payload,"
        " p.jws_signature))"
        " AS token, encode(e.leaf_hash, 'hex') FROM tlog_entries e"
        " LEFT JOIN passports p ON p.id = e.passport_id"
        " WHERE e.leaf_index IS NOT NULL ORDER BY e.leaf_index",
        0};

void
db_tlog_leaves_free(struct db_tlog_leaf *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		PQfreemem(p[i].leaf);
		free(p[i].token);
	}
	free(p);
}

enum db_status
db_tlog_leaves_all(PGconn *c, struct db_tlog_leaf **out, size_t *n)
{
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	if ((res = db_run(c, &stmt, NULL, NULL, NULL, &st)) == NULL)
		return st;
	rows = (size_t)PQntuples(res);
	if (rows > 0 && (*out = calloc(rows, sizeof(**out))) == NULL)
		st = DB_ERROR;
	for (size_t i = 0; st == DB_OK && i < rows; i++) {
		struct db_tlog_leaf *l = &(*out)[i];
		int r = (int)i;
		*n = i + 1;
		l->leaf_index = strtoull(PQgetvalue(res, r, 0), NULL, 10);
		snprintf(l->kind, sizeof(l->kind), "%s", PQgetvalue(res, r, 1));
		l->leaf = PQunescapeBytea(
		        (const unsigned char *)PQgetvalue(res, r, 2),
		        &l->leaf_len);
		if (!PQgetisnull(res, r, 3))
			l->token = strdup(PQgetvalue(res, r, 3));
		if (l->leaf == NULL ||
		    (!PQgetisnull(res, r, 3) && l->token == NULL) ||
		    !tlog_hex32(PQgetvalue(res, r, 4), l->leaf_hash))
			st = DB_ERROR;
	}
	PQclear(res);
	if (st != DB_OK) {
		db_tlog_leaves_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return st;
}
