#include <stdio.h>
#include <stdlib.h>

#include "db/events.h"
#include "db/row.h"

static const struct db_stmt stmt = {
        "webhook_deliveries",
        "SELECT d.id, d.event_seq, d.event_type, d.status, d.attempts,"
        " (extract(epoch FROM d.created_at) * 1000000)::bigint"
        " AS created_at,"
        " (extract(epoch FROM d.finished_at) * 1000000)::bigint"
        " AS finished_at,"
        " (extract(epoch FROM d.next_attempt_at) * 1000000)::bigint"
        " AS next_attempt_at,"
        " (SELECT coalesce(json_agg(json_build_object('at',"
        " to_char(a.at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'status_code',"
        " a.status_code, 'error', a.error, 'duration_ms', a.duration_ms)"
        " ORDER BY a.id), '[]') FROM webhook_attempts a"
        " WHERE a.delivery_id = d.id)::text AS attempts_json"
        " FROM webhook_deliveries d WHERE d.webhook_id = $1::uuid"
        " ORDER BY d.id DESC LIMIT $2::int",
        2};

void
db_delivery_list_free(struct db_delivery *d, size_t n)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(d[i].attempts_json);
	free(d);
}

enum db_status
db_webhook_deliveries(PGconn *c, const char *id, int limit,
                      struct db_delivery **out, size_t *n)
{
	char l[16];
	const char *v[2] = {id, l};
	struct db_delivery *d = NULL;
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	snprintf(l, sizeof(l), "%d", limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	rows = (size_t)PQntuples(res);
	if (rows > 0 && (d = calloc(rows, sizeof(*d))) == NULL) {
		PQclear(res);
		return DB_ERROR;
	}
	for (size_t i = 0; i < rows; i++) {
		struct db_row row = db_row_at(res, (int)i);
		d[i].id = db_row_int64(&row, "id");
		d[i].event_seq = db_row_int64(&row, "event_seq");
		db_row_copy(&row, "event_type", d[i].event_type,
		            sizeof(d[i].event_type));
		db_row_copy(&row, "status", d[i].status, sizeof(d[i].status));
		d[i].attempts = (int)db_row_int64(&row, "attempts");
		d[i].created_at = db_row_time(&row, "created_at");
		d[i].finished_at = db_row_time(&row, "finished_at");
		d[i].next_attempt_at = db_row_time(&row, "next_attempt_at");
		d[i].attempts_json = db_row_strdup(&row, "attempts_json");
		if (!row.ok || d[i].attempts_json == NULL) {
			db_delivery_list_free(d, rows);
			PQclear(res);
			return DB_ERROR;
		}
	}
	PQclear(res);
	*out = d;
	*n = rows;
	return DB_OK;
}
