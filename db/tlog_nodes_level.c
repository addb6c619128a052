#include <stdio.h>
#include <stdlib.h>

#include "db/tlog.h"
#include "db/tlog_util.h"

static const struct db_stmt stmt = {
        "tlog_nodes_level",
        "SELECT idx, encode(hash, 'hex') FROM tlog_nodes"
        " WHERE level = $1::smallint ORDER BY idx",
        1};

enum db_status
db_tlog_nodes_level(PGconn *c, unsigned level, struct db_tlog_node **out,
                    size_t *n)
{
	char lv[8];
	const char *v[1] = {lv};
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	snprintf(lv, sizeof(lv), "%u", level);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	rows = (size_t)PQntuples(res);
	if (rows > 0 && (*out = calloc(rows, sizeof(**out))) == NULL)
		st = DB_ERROR;
	for (size_t i = 0; st == DB_OK && i < rows; i++) {
		(*out)[i].level = level;
		(*out)[i].idx = strtoull(PQgetvalue(res, (int)i, 0), NULL, 10);
		(*out)[i].found = true;
		if (!tlog_hex32(PQgetvalue(res, (int)i, 1), (*out)[i].hash))
			st = DB_ERROR;
	}
	*n = st == DB_OK ? rows : 0;
	if (st != DB_OK) {
		free(*out);
		*out = NULL;
	}
	PQclear(res);
	return st;
}
