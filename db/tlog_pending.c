#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/tlog.h"
#include "db/tlog_util.h"

/* The log's state and its oldest pending entries in one round trip: the
 * first row carries the state, and the entry columns are NULL when none
 * is pending. Leaf hashes only (migration 0016), not the leaves. */
static const struct db_stmt stmt = {
        "tlog_pending",
        "SELECT s.cp_size, s.cp_root, s.leaves, p.id, p.passport_id,"
        " encode(p.leaf_hash, 'hex')"
        " FROM (SELECT coalesce(c.tree_size, -1) AS cp_size,"
        " encode(c.root_hash, 'hex') AS cp_root,"
        " (SELECT coalesce(max(leaf_index) + 1, 0) FROM tlog_entries)"
        " AS leaves FROM (SELECT 1) o LEFT JOIN LATERAL (SELECT tree_size,"
        " root_hash FROM tlog_checkpoints ORDER BY tree_size DESC LIMIT 1)"
        " c ON true) s LEFT JOIN LATERAL (SELECT id, passport_id::text,"
        " leaf_hash FROM tlog_entries WHERE leaf_index IS NULL ORDER BY id"
        " LIMIT $1::int) p ON true ORDER BY p.id",
        1};
static const struct db_stmt any_stmt = {
        "tlog_has_pending",
        "SELECT EXISTS (SELECT 1 FROM tlog_entries WHERE leaf_index IS NULL)",
        0};

void
db_tlog_pending_free(struct db_tlog_pending *p)
{
	free(p);
}

static bool
read_state(PGresult *res, struct db_tlog_state *s)
{
	memset(s, 0, sizeof(*s));
	s->has_checkpoint = PQgetvalue(res, 0, 0)[0] != '-';
	if (s->has_checkpoint) {
		s->checkpoint_size = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		if (!tlog_hex32(PQgetvalue(res, 0, 1), s->root))
			return false;
	}
	s->leaves = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
	return true;
}

enum db_status
db_tlog_pending(PGconn *c, int limit, struct db_tlog_state *state,
                struct db_tlog_pending **out, size_t *n)
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
	if (PQntuples(res) < 1 || !read_state(res, state)) {
		PQclear(res);
		return DB_ERROR;
	}
	rows = PQgetisnull(res, 0, 3) ? 0 : (size_t)PQntuples(res);
	if (rows > 0 && (*out = calloc(rows, sizeof(**out))) == NULL) {
		PQclear(res);
		return DB_ERROR;
	}
	for (size_t i = 0; i < rows; i++) {
		struct db_tlog_pending *e = &(*out)[i];
		e->id = strtoll(PQgetvalue(res, (int)i, 3), NULL, 10);
		if (!PQgetisnull(res, (int)i, 4))
			snprintf(e->passport_id, sizeof(e->passport_id), "%s",
			         PQgetvalue(res, (int)i, 4));
		if (!tlog_hex32(PQgetvalue(res, (int)i, 5), e->leaf_hash)) {
			st = DB_ERROR;
			break;
		}
	}
	PQclear(res);
	if (st != DB_OK) {
		free(*out);
		*out = NULL;
	} else {
		*n = rows;
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
