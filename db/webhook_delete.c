#include "db/events.h"

/* Pending deliveries of a deleted webhook end as failed, never sent. */
static const struct db_stmt stmt = {
        "webhook_delete",
        "WITH w AS (UPDATE webhooks SET deleted_at = clock_timestamp()"
        " WHERE id = $1::uuid AND deleted_at IS NULL"
        " AND ($2::uuid IS NULL OR provider_id = $2::uuid) RETURNING id),"
        " d AS (UPDATE webhook_deliveries SET status = 'failed',"
        " finished_at = clock_timestamp()"
        " WHERE webhook_id IN (SELECT id FROM w) AND status = 'pending')"
        " SELECT count(*) AS n FROM w",
        2};

enum db_status
db_webhook_delete(PGconn *c, const char *id, const char *owner)
{
	const char *v[2] = {id, owner};
	enum db_status st;
	PGresult *res;

	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	st = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == '1'
	             ? DB_OK
	             : DB_NOT_FOUND;
	PQclear(res);
	return st;
}
