#include "db/db.h"
#include "handlers/handlers.h"
#include "server/metrics.h"

/*
 * Where lookups go with database_read_url (docs/operations.md, "Read
 * replicas"); NULL without it. A replica that is down or lags does not
 * make the instance unready: lookups then go to the primary.
 */
static json_t *
read_status_json(void)
{
	struct db_read_status s;

	db_read_status(&s);
	if (!s.configured)
		return NULL;
	return json_pack("{s:s, s:s?, s:b, s:o}", "target",
	                 s.replica ? "replica" : "primary", "fallback",
	                 s.replica ? NULL : db_read_fallback_name(s.reason),
	                 "standby", s.standby, "lag_ms",
	                 s.lag_ms >= 0 ? json_integer(s.lag_ms) : json_null());
}

/* Ready: the database answers and its schema is this build's. */
enum MHD_Result
handler_readyz(struct request *r)
{
	PGconn *c = db_conn();
	int version = 0;

	if (c == NULL || db_schema_version(c, &version) != DB_OK) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	if (version < db_migrations_latest())
		return reply_error(r, TP_ERR_database_behind, NULL);
	return reply_json(r, 200,
	                  json_pack("{s:s, s:i, s:o*}", "status", "ready",
	                            "schema_version", version, "read",
	                            read_status_json()));
}
