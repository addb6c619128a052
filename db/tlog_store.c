#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "db/tlog.h"
#include "db/tlog_util.h"

/* Entry ids in order get FIRST, FIRST + 1, ...; the nodes are new (a
 * duplicate is a sequencer bug and fails the batch); the checkpoint of
 * the new size in the same statement (one round trip a batch). */
static const struct db_stmt stmt = {
        "tlog_store",
        "WITH u AS (UPDATE tlog_entries e SET leaf_index = $2::bigint +"
        " v.ord - 1, sequenced_at = clock_timestamp()"
        " FROM unnest($1::bigint[]) WITH ORDINALITY AS v(id, ord)"
        " WHERE e.id = v.id AND e.leaf_index IS NULL RETURNING 1),"
        " cp AS (INSERT INTO tlog_checkpoints (tree_size, root_hash, note)"
        " VALUES ($6::bigint, decode($7, 'hex'), $8))"
        " INSERT INTO tlog_nodes (level, idx, hash)"
        " SELECT l, i, decode(h, 'hex') FROM unnest($3::smallint[],"
        " $4::bigint[], $5::text[]) AS n(l, i, h)"
        " RETURNING (SELECT count(*) FROM u)",
        8};

enum db_status
db_tlog_store(PGconn *c, const int64_t *ids, size_t n_ids, uint64_t first,
              const struct db_tlog_node *nodes, size_t n_nodes, uint64_t size,
              const uint8_t root[32], const char *note)
{
	struct tlog_buf id = {0}, lv = {0}, ix = {0}, hs = {0};
	char firsts[24], sizes[24], roots[65], hex[65];
	enum db_status st = DB_ERROR;
	PGresult *res = NULL;
	const char *v[8];
	bool ok;

	snprintf(firsts, sizeof(firsts), "%" PRIu64, first);
	snprintf(sizes, sizeof(sizes), "%" PRIu64, size);
	for (int b = 0; b < 32; b++)
		snprintf(roots + 2 * b, 3, "%02x", root[b]);
	ok = tlog_buf_printf(&id, "{") && tlog_buf_printf(&lv, "{") &&
	     tlog_buf_printf(&ix, "{") && tlog_buf_printf(&hs, "{");
	for (size_t i = 0; ok && i < n_ids; i++)
		ok = tlog_buf_printf(&id, "%s%" PRId64, i ? "," : "", ids[i]);
	for (size_t i = 0; ok && i < n_nodes; i++) {
		for (int b = 0; b < 32; b++)
			snprintf(hex + 2 * b, 3, "%02x", nodes[i].hash[b]);
		ok = tlog_buf_printf(&lv, "%s%u", i ? "," : "",
		                     nodes[i].level) &&
		     tlog_buf_printf(&ix, "%s%" PRIu64, i ? "," : "",
		                     nodes[i].idx) &&
		     tlog_buf_printf(&hs, "%s%s", i ? "," : "", hex);
	}
	if (!ok || !tlog_buf_printf(&id, "}") || !tlog_buf_printf(&lv, "}") ||
	    !tlog_buf_printf(&ix, "}") || !tlog_buf_printf(&hs, "}"))
		goto out;
	v[0] = id.s;
	v[1] = firsts;
	v[2] = lv.s;
	v[3] = ix.s;
	v[4] = hs.s;
	v[5] = sizes;
	v[6] = roots;
	v[7] = note;
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		goto out;
	/* Every entry must have been pending: another count is a batch
	 * sequenced twice. */
	if (PQntuples(res) < 1 ||
	    strtoull(PQgetvalue(res, 0, 0), NULL, 10) != n_ids)
		st = DB_ERROR;
out:
	PQclear(res);
	free(id.s);
	free(lv.s);
	free(ix.s);
	free(hs.s);
	return st;
}
