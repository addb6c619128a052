#include <stdlib.h>
#include <string.h>

#include "db/tlog.h"
#include "db/tlog_util.h"

static const struct db_stmt latest = {
        "tlog_checkpoint_latest",
        "SELECT tree_size, encode(root_hash, 'hex'), note"
        " FROM tlog_checkpoints ORDER BY tree_size DESC LIMIT 1",
        0};
static const struct db_stmt all = {
        "tlog_checkpoints_all",
        "SELECT tree_size, encode(root_hash, 'hex'), note"
        " FROM tlog_checkpoints ORDER BY tree_size",
        0};

static bool
read_row(PGresult *res, int r, struct db_tlog_checkpoint *out)
{
	out->size = strtoull(PQgetvalue(res, r, 0), NULL, 10);
	out->note = strdup(PQgetvalue(res, r, 2));
	return out->note != NULL &&
	       tlog_hex32(PQgetvalue(res, r, 1), out->root);
}

enum db_status
db_tlog_checkpoint_latest(PGconn *c, struct db_tlog_checkpoint *out)
{
	enum db_status st;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(c, &latest, NULL, NULL, NULL, &st)) == NULL)
		return st;
	if (PQntuples(res) == 0)
		st = DB_NOT_FOUND;
	else if (!read_row(res, 0, out))
		st = DB_ERROR;
	PQclear(res);
	if (st != DB_OK) {
		free(out->note);
		out->note = NULL;
	}
	return st;
}

void
db_tlog_checkpoints_free(struct db_tlog_checkpoint *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(p[i].note);
	free(p);
}

enum db_status
db_tlog_checkpoints_all(PGconn *c, struct db_tlog_checkpoint **out, size_t *n)
{
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	if ((res = db_run(c, &all, NULL, NULL, NULL, &st)) == NULL)
		return st;
	rows = (size_t)PQntuples(res);
	if (rows > 0 && (*out = calloc(rows, sizeof(**out))) == NULL)
		st = DB_ERROR;
	for (size_t i = 0; st == DB_OK && i < rows; i++) {
		*n = i + 1;
		if (!read_row(res, (int)i, &(*out)[i]))
			st = DB_ERROR;
	}
	PQclear(res);
	if (st != DB_OK) {
		db_tlog_checkpoints_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return st;
}
