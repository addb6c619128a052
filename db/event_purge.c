#include "db/events.h"
#include "db/purge.h"

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

enum db_status
db_event_purge(PGconn *c, int64_t keep, int64_t batch, int64_t *n)
{
	return db_purge(c, &events_stmt, keep, batch, n);
}

enum db_status
db_delivery_purge(PGconn *c, int64_t keep, int64_t batch, int64_t *n)
{
	return db_purge(c, &deliveries_stmt, keep, batch, n);
}
