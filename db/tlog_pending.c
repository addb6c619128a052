#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/tlog.h"

static const struct db_stmt stmt = {
        "tlog_pending",
        "SELECT id, leaf FROM tlog_entries WHERE leaf_index IS NULL"
        " ORDER BY id LIMIT $1::int",
        1};
static const struct db_stmt any_stmt = {
        "tlog_has_pending",
        "SELECT EXISTS (SELECT 1 FROM tlog_entries WHERE leaf_index IS NULL)",
        0};

void
db_tlog_pending_free(struct db_tlog_pending *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		PQfreemem(p[i].leaf);
	free(p);
}

enum db_status
db_tlog_pending(PGconn *c, int limit, struct db_tlog_pending **out, size_t *n)
{
	char lim[16];
	const char *v[1] = {lim};
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	rows = (size_t)PQntuples(res);
	if (rows > 0 && (*out = calloc(rows, sizeof(**out))) == NULL) {
		PQclear(res);
		return DB_ERROR;
	}
	for (size_t i = 0; i < rows; i++) {
		(*out)[i].id = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
		(*out)[i].leaf = PQunescapeBytea(
		        (const unsigned char *)PQgetvalue(res, (int)i, 1),
		        &(*out)[i].leaf_len);
		*n = i + 1;
		if ((*out)[i].leaf == NULL) {
			st = DB_ERROR;
			break;
		}
	}
	PQclear(res);
	if (st != DB_OK) {
		db_tlog_pending_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return st;
}

enum db_status
db_tlog_has_pending(PGconn *c, bool *pending)
{
	enum db_status st;
	PGresult *res = db_run(c, &any_stmt, NULL, NULL, NULL, &st);

	if (res == NULL)
		return st;
	*pending = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return DB_OK;
}
