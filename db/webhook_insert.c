#include "db/events.h"

static const struct db_stmt stmt = {
        "webhook_insert",
        "INSERT INTO webhooks (id, provider_id, url, types, secret,"
        " created_by) VALUES ($1::uuid, $2::uuid, $3, $4::text[], $5, $6)",
        6};

enum db_status
db_webhook_insert(PGconn *c, const char *id, const char *provider_id,
                  const char *url, const char *types, const char *secret,
                  const char *actor)
{
	const char *v[6] = {id, provider_id, url, types, secret, actor};
	enum db_status st;

	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
