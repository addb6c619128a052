#include <stdio.h>
#include <stdlib.h>

#include "db/events.h"

/* One key for every instance: sequencers run one at a time. */
static const struct db_stmt lock_stmt = {
        "event_lock",
        "SELECT pg_advisory_xact_lock(hashtextextended("
        "'teepass:events', 0))",
        0};

/* An endpoint whose current passport expired (and was not revoked: that
 * has its own event) goes stale, once per passport. Only expiries in the
 * window (since the caller's previous sweep; never older than the event
 * retention, so a purged stale event is not appended again): a range of
 * passports_expiry, then endpoints_current_passport. */
static const struct db_stmt stale_stmt = {
        "event_stale",
        "INSERT INTO events (type, passport_id, endpoint_id, status,"
        " dedup_key)"
        " SELECT 'endpoint.stale', p.id, e.id, 'stale',"
        " 'endpoint.stale:' || p.id || ':' || e.id"
        " FROM endpoints e JOIN passports p ON p.id = e.current_passport_id"
        " WHERE e.retired_at IS NULL AND e.status = 'attested'"
        " AND p.status <> 'revoked'"
        " AND p.expires_at <= to_timestamp($1::bigint)"
        " AND p.expires_at > to_timestamp($1::bigint - $2::bigint)"
        " ON CONFLICT (dedup_key) DO NOTHING",
        2};

/*
 * Under the lock, the rows pending are exactly the committed ones not
 * yet numbered (an uncommitted row is invisible and waits for the next
 * round): they get ids above every id committed before. The deliveries
 * of each numbered event are made in the same statement.
 */
static const struct db_stmt number_stmt = {
        "event_number",
        "WITH b AS (SELECT id FROM events WHERE seq IS NULL"
        " ORDER BY id LIMIT $1::int),"
        " n AS (SELECT id, nextval('event_seq') AS seq"
        " FROM (SELECT id FROM b ORDER BY id) o),"
        " u AS (UPDATE events ev SET seq = n.seq,"
        " sequenced_at = clock_timestamp(),"
        " provider_id = (SELECT x.provider_id FROM endpoints x"
        " WHERE x.id = ev.endpoint_id)"
        " FROM n WHERE ev.id = n.id"
        " RETURNING ev.seq, ev.type, ev.provider_id, " EVENT_DATA_EV
        " AS data),"
        " d AS (INSERT INTO webhook_deliveries (webhook_id, event_seq,"
        " event_type, body)"
        " SELECT w.id, u.seq, u.type, u.data FROM u JOIN webhooks w"
        " ON w.deleted_at IS NULL AND u.type = ANY (w.types)"
        " AND (w.provider_id IS NULL OR w.provider_id = u.provider_id)"
        " RETURNING 1)"
        " SELECT (SELECT count(*) FROM u) AS numbered,"
        " (SELECT count(*) FROM d) AS deliveries",
        1};

enum db_status
db_event_sequence(int64_t now, int64_t stale_window, int64_t batch, int64_t *n)
{
	char t[24], w[24], b[24];
	const char *sv[2] = {t, w}, *nv[1] = {b};
	PGconn *c = db_conn();
	PGresult *res = NULL;
	enum db_status st;

	*n = 0;
	if (c == NULL)
		return DB_UNAVAILABLE;
	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(w, sizeof(w), "%lld", (long long)stale_window);
	snprintf(b, sizeof(b), "%lld", (long long)batch);
	/* READ COMMITTED: the lock, not the snapshot, orders sequencers;
	 * each statement after it sees every earlier commit. */
	if ((st = db_exec(c, "BEGIN ISOLATION LEVEL READ COMMITTED")) != DB_OK)
		goto out;
	PQclear(db_run(c, &lock_stmt, NULL, NULL, NULL, &st));
	if (st == DB_OK && stale_window > 0)
		PQclear(db_run(c, &stale_stmt, sv, NULL, NULL, &st));
	if (st == DB_OK &&
	    (res = db_run(c, &number_stmt, nv, NULL, NULL, &st)) != NULL) {
		if (PQntuples(res) == 1)
			*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	if (st == DB_OK)
		st = db_exec(c, "COMMIT");
	else
		db_exec(c, "ROLLBACK");
	if (st != DB_OK)
		*n = 0;
out:
	if (st == DB_UNAVAILABLE)
		db_conn_close();
	return st;
}
