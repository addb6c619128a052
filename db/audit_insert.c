#include <stdlib.h>

#include "db/registry.h"

static const struct db_stmt stmt = {
        "audit_insert",
        "INSERT INTO audit_log (actor, action, target, detail)"
        " VALUES ($1, $2, $3, $4::jsonb)",
        4};

enum db_status
db_audit_insert(PGconn *c, const char *actor, const char *action,
                const char *target, const json_t *detail)
{
	char *d = detail != NULL ? json_dumps(detail, JSON_COMPACT) : NULL;
	const char *v[4] = {actor, action, target, d != NULL ? d : "{}"};
	enum db_status st;

	if (detail != NULL && d == NULL)
		return DB_ERROR;
	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	free(d);
	return st;
}
