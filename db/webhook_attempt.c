#include <stdio.h>

#include "db/events.h"

static const struct db_stmt stmt = {
        "webhook_attempt",
        "WITH a AS (INSERT INTO webhook_attempts (delivery_id, status_code,"
        " error, duration_ms)"
        " VALUES ($1::bigint, nullif($2::int, 0), $3, $4::int))"
        " UPDATE webhook_deliveries SET status = $5,"
        " finished_at = CASE WHEN $5 = 'pending' THEN NULL"
        " ELSE clock_timestamp() END,"
        " next_attempt_at = CASE WHEN $5 = 'pending' THEN clock_timestamp()"
        " + make_interval(secs => $6::bigint / 1000.0)"
        " ELSE next_attempt_at END"
        /* a delivery ended meanwhile (its webhook deleted) stays so */
        " WHERE id = $1::bigint AND status = 'pending'",
        6};

enum db_status
db_webhook_attempt(PGconn *c, int64_t id, int status_code, const char *error,
                   int64_t duration_ms, const char *status, int64_t retry_ms)
{
	char i[24], sc[16], d[24], r[24];
	const char *v[6] = {i, sc, error, d, status, r};
	enum db_status st;

	snprintf(i, sizeof(i), "%lld", (long long)id);
	snprintf(sc, sizeof(sc), "%d", status_code);
	snprintf(d, sizeof(d), "%lld", (long long)duration_ms);
	snprintf(r, sizeof(r), "%lld", (long long)retry_ms);
	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
