#include <stdio.h>
#include <stdlib.h>

#include "db/events.h"
#include "db/row.h"

static const struct db_stmt last_stmt = {
        "event_last_seq", "SELECT coalesce(max(seq), 0) AS seq FROM events", 0};

static const struct db_stmt list_stmt = {
        "event_list",
        "SELECT ev.seq, ev.type, " EVENT_DATA_EV " AS data"
        " FROM events ev WHERE ev.seq > $1::bigint"
        " AND ($2::text[] IS NULL OR ev.type = ANY ($2::text[]))"
        " ORDER BY ev.seq LIMIT $3::int",
        3};

void
db_event_list_free(struct db_event *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(e[i].data);
	free(e);
}

enum db_status
db_event_last_seq(PGconn *c, int64_t *seq)
{
	enum db_status st;
	PGresult *res;
	struct db_row row;

	if ((res = db_run(c, &last_stmt, NULL, NULL, NULL, &st)) == NULL)
		return st;
	row = db_row_at(res, 0);
	*seq = PQntuples(res) == 1 ? db_row_int64(&row, "seq") : 0;
	st = PQntuples(res) == 1 && row.ok ? DB_OK : DB_ERROR;
	PQclear(res);
	return st;
}

enum db_status
db_event_list(PGconn *c, int64_t after, const char *types, int limit,
              struct db_event **out, size_t *n)
{
	char a[24], l[16];
	const char *v[3] = {a, types, l};
	struct db_event *e = NULL;
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	snprintf(a, sizeof(a), "%lld", (long long)after);
	snprintf(l, sizeof(l), "%d", limit);
	if ((res = db_run(c, &list_stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	rows = (size_t)PQntuples(res);
	if (rows > 0 && (e = calloc(rows, sizeof(*e))) == NULL) {
		PQclear(res);
		return DB_ERROR;
	}
	for (size_t i = 0; i < rows; i++) {
		struct db_row row = db_row_at(res, (int)i);
		e[i].seq = db_row_int64(&row, "seq");
		db_row_copy(&row, "type", e[i].type, sizeof(e[i].type));
		e[i].data = db_row_strdup(&row, "data");
		if (!row.ok || e[i].data == NULL) {
			db_event_list_free(e, rows);
			PQclear(res);
			return DB_ERROR;
		}
	}
	PQclear(res);
	*out = e;
	*n = rows;
	return DB_OK;
}
