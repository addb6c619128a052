#include <stdlib.h>
#include <string.h>

#include "db/tlog.h"

static const struct db_stmt stmt = {
        "tlog_entry_by_passport",
        "SELECT leaf_index FROM tlog_entries WHERE passport_id = $1::uuid", 1};

enum db_status
db_tlog_entry_by_passport(PGconn *c, const char *id, struct db_tlog_entry *out)
{
	const char *v[1] = {id};
	enum db_status st;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) == 0) {
		st = DB_NOT_FOUND;
	} else if (!PQgetisnull(res, 0, 0)) {
		out->sequenced = true;
		out->leaf_index = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	}
	PQclear(res);
	return st;
}
