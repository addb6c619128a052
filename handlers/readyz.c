#include "db/db.h"
#include "handlers/handlers.h"
#include "server/metrics.h"

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
	                  json_pack("{s:s, s:i}", "status", "ready",
	                            "schema_version", version));
}
