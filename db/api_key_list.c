#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "db/row.h"

/*
 * Newest first, keyset-paged on (created_at, id); OWNER (a provider id)
 * narrows to that provider's keys. Never the token's hash.
 */
static const struct db_stmt stmt = {
        "api_key_list",
        "SELECT id, scope, provider_id::text AS provider_id, label,"
        " (extract(epoch FROM created_at) * 1000000)::bigint AS created_at,"
        " (extract(epoch FROM revoked_at) * 1000000)::bigint AS revoked_at"
        " FROM api_keys"
        " WHERE ($1::uuid IS NULL OR provider_id = $1::uuid)"
        " AND ($2::bigint IS NULL OR (created_at, id) <"
        " (timestamptz 'epoch' + $2::bigint * interval '1 microsecond',"
        " $3::text))"
        " ORDER BY created_at DESC, id DESC LIMIT $4::int",
        4};

void
db_api_key_list_free(struct db_api_key_entry *e, size_t n)
{
	for (size_t i = 0; e != NULL && i < n; i++)
		free(e[i].label);
	free(e);
}

enum db_status
db_api_key_list(PGconn *c, const char *owner, const char *before_us,
                const char *before_id, int limit, struct db_api_key_entry **out,
                size_t *n)
{
	char lim[16];
	const char *v[4] = {owner, before_us, before_id, lim};
	enum db_status st;
	PGresult *res;
	struct db_api_key_entry *e = NULL;
	size_t count;

	*out = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((res = db_run(c, &stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((e = calloc(count > 0 ? count : 1, sizeof(*e))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		db_row_copy(&row, "id", e[i].id, sizeof(e[i].id));
		db_row_copy(&row, "scope", e[i].scope, sizeof(e[i].scope));
		db_row_copy(&row, "provider_id", e[i].provider_id,
		            sizeof(e[i].provider_id));
		e[i].label = db_row_strdup(&row, "label");
		e[i].created_at = db_row_time(&row, "created_at");
		e[i].revoked_at = db_row_time(&row, "revoked_at");
		if (!row.ok) {
			st = DB_ERROR;
			goto out;
		}
	}
	*out = e;
	*n = count;
	e = NULL;
	st = DB_OK;
out:
	db_api_key_list_free(e, count);
	PQclear(res);
	return st;
}
