#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/events.h"
#include "db/row.h"

/* A lease, not a lock held over the HTTP exchange: the claimed rows'
 * next attempt moves LEASE seconds ahead, so an instance that dies
 * mid-delivery leaves them to be claimed again then. */
static const struct db_stmt stmt = {
        "webhook_claim",
        "UPDATE webhook_deliveries d SET attempts = d.attempts + 1,"
        " next_attempt_at = clock_timestamp() + make_interval(secs =>"
        " $2::bigint)"
        " FROM webhooks w WHERE w.id = d.webhook_id AND w.deleted_at IS NULL"
        " AND d.id IN"
        " (SELECT x.id FROM webhook_deliveries x WHERE x.status = 'pending'"
        " AND x.next_attempt_at <= clock_timestamp()"
        " ORDER BY x.next_attempt_at LIMIT $1::int FOR UPDATE SKIP LOCKED)"
        " RETURNING d.id, d.attempts, w.url, w.secret, d.body",
        2};

void
db_claim_list_free(struct db_claim *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].url);
		if (c[i].secret != NULL) {
			memset(c[i].secret, 0, strlen(c[i].secret));
			free(c[i].secret);
		}
		free(c[i].body);
	}
	free(c);
}

enum db_status
db_webhook_claim(PGconn *c, int limit, int64_t lease, struct db_claim **out,
                 size_t *n)
{
	char l[16], s[24];
	const char *v[2] = {l, s};
	struct db_claim *d = NULL;
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	snprintf(l, sizeof(l), "%d", limit);
	snprintf(s, sizeof(s), "%lld", (long long)lease);
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
		d[i].attempts = (int)db_row_int64(&row, "attempts");
		d[i].url = db_row_strdup(&row, "url");
		d[i].secret = db_row_strdup(&row, "secret");
		d[i].body = db_row_strdup(&row, "body");
		if (!row.ok || d[i].url == NULL || d[i].secret == NULL ||
		    d[i].body == NULL) {
			db_claim_list_free(d, rows);
			PQclear(res);
			return DB_ERROR;
		}
	}
	PQclear(res);
	*out = d;
	*n = rows;
	return DB_OK;
}
