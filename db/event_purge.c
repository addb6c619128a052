#include <stdio.h>
#include <stdlib.h>

#include "db/events.h"

/* As db/retention_purge.c: small autocommit batches that skip locked
 * rows. Events are purged by their own clock (the database's), since
 * they carry no verification time. */
static const struct db_stmt events_stmt = {
        "event_purge",
        "DELETE FROM events WHERE id IN (SELECT id FROM events"
        " WHERE seq IS NOT NULL AND created_at < clock_timestamp()"
        " - make_interval(secs => $1::bigint)"
        " ORDER BY created_at LIMIT $2::int FOR UPDATE SKIP LOCKED)",
        2};

static const struct db_stmt deliveries_stmt = {
        "delivery_purge",
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id"
        " FROM webhook_deliveries WHERE status <> 'pending'"
        " AND finished_at < clock_timestamp()"
        " - make_interval(secs => $1::bigint)"
        " ORDER BY finished_at LIMIT $2::int FOR UPDATE SKIP LOCKED)",
        2};

static enum db_status
purge(PGconn *c, const struct db_stmt *stmt, int64_t keep, int64_t batch,
      int64_t *n)
{
	char k[24], b[24];
	const char *v[2] = {k, b};
	enum db_status st;
	PGresult *res;

	*n = 0;
	snprintf(k, sizeof(k), "%lld", (long long)keep);
	snprintf(b, sizeof(b), "%lld", (long long)batch);
	if ((res = db_run(c, stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	*n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return DB_OK;
}

enum db_status
db_event_purge(PGconn *c, int64_t keep, int64_t batch, int64_t *n)
{
	return purge(c, &events_stmt, keep, batch, n);
}

enum db_status
db_delivery_purge(PGconn *c, int64_t keep, int64_t batch, int64_t *n)
{
	return purge(c, &deliveries_stmt, keep, batch, n);
}
