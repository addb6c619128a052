#include <stdio.h>
#include <stdlib.h>

#include "db/purge.h"

enum db_status
db_purge(PGconn *c, const struct db_stmt *stmt, int64_t arg, int64_t batch,
         int64_t *n)
{
	char a[24], b[24];
	const char *v[2] = {a, b};
	enum db_status st;
	PGresult *res;

	*n = 0;
	snprintf(a, sizeof(a), "%lld", (long long)arg);
	snprintf(b, sizeof(b), "%lld", (long long)batch);
	if ((res = db_run(c, stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	if (PQnfields(res) > 0 && PQntuples(res) > 0)
		*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		*n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return DB_OK;
}
