#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db/tlog.h"
#include "db/tlog_util.h"

/* The coordinates as two arrays; each row names its position. One
 * primary-key probe a node (the LIMIT keeps the planner from flattening
 * the lateral subquery into a hash join, which scans the whole table:
 * a plan it picks while the tree is small, and which grows with it). */
static const struct db_stmt stmt = {
        "tlog_nodes_get",
        "SELECT q.ord, encode(n.hash, 'hex') FROM unnest($1::smallint[],"
        " $2::bigint[]) WITH ORDINALITY AS q(level, idx, ord)"
        " CROSS JOIN LATERAL (SELECT x.hash FROM tlog_nodes x"
        " WHERE x.level = q.level AND x.idx = q.idx LIMIT 1) n",
        2};

enum db_status
db_tlog_nodes_get(PGconn *c, struct db_tlog_node *nodes, size_t n)
{
	struct tlog_buf lv = {0}, ix = {0};
	enum db_status st = DB_ERROR;
	PGresult *res = NULL;
	const char *v[2];
	bool ok;

	for (size_t i = 0; i < n; i++)
		nodes[i].found = false;
	if (n == 0)
		return DB_OK;
	ok = tlog_buf_printf(&lv, "{") && tlog_buf_printf(&ix, "{");
	for (size_t i = 0; ok && i < n; i++)
		ok = tlog_buf_printf(&lv, "%s%u", i ? "," : "",
		                     nodes[i].level) &&
		     tlog_buf_printf(&ix, "%s%" PRIu64, i ? "," : "",
		                     nodes[i].idx);
	if (!ok || !tlog_buf_printf(&lv, "}") || !tlog_buf_printf(&ix, "}"))
		goto out;
	v[0] = lv.s;
	v[1] = ix.s;
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		goto out;
	for (int r = 0; r < PQntuples(res); r++) {
		long long ord = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		if (ord < 1 || (size_t)ord > n ||
		    !tlog_hex32(PQgetvalue(res, r, 1), nodes[ord - 1].hash)) {
			st = DB_ERROR;
			goto out;
		}
		nodes[ord - 1].found = true;
	}
	st = DB_OK;
out:
	PQclear(res);
	free(lv.s);
	free(ix.s);
	return st;
}
