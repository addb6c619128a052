#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/events.h"
#include "db/row.h"

/* Never the secret. */
#define WEBHOOK_COLUMNS                                                        \
	"id::text AS id, provider_id::text AS provider_id, url,"               \
	" to_json(types)::text AS types,"                                      \
	" (extract(epoch FROM created_at) * 1000000)::bigint AS created_at"

static const struct db_stmt get_stmt = {
        "webhook_get",
        "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE id = $1::uuid"
        " AND deleted_at IS NULL"
        " AND ($2::uuid IS NULL OR provider_id = $2::uuid)",
        2};

static const struct db_stmt list_stmt = {
        "webhook_list",
        "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE deleted_at IS NULL"
        " AND ($1::uuid IS NULL OR provider_id = $1::uuid)"
        " ORDER BY created_at DESC, id DESC LIMIT $2::int",
        2};

void
db_webhook_clear(struct db_webhook *w)
{
	if (w == NULL)
		return;
	free(w->url);
	free(w->types_json);
	w->url = w->types_json = NULL;
}

void
db_webhook_list_free(struct db_webhook *w, size_t n)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		db_webhook_clear(&w[i]);
	free(w);
}

static bool
webhook_read(struct db_row *r, struct db_webhook *w)
{
	db_row_copy(r, "id", w->id, sizeof(w->id));
	db_row_copy(r, "provider_id", w->provider_id, sizeof(w->provider_id));
	w->url = db_row_strdup(r, "url");
	w->types_json = db_row_strdup(r, "types");
	w->created_at = db_row_time(r, "created_at");
	return r->ok && w->url != NULL && w->types_json != NULL;
}

enum db_status
db_webhook_get(PGconn *c, const char *id, const char *owner,
               struct db_webhook *out)
{
	const char *v[2] = {id, owner};
	enum db_status st;
	PGresult *res;
	struct db_row row;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(c, &get_stmt, v, NULL, NULL, &st)) == NULL)
		return st == DB_INVALID ? DB_NOT_FOUND : st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DB_NOT_FOUND;
	}
	row = db_row_at(res, 0);
	st = webhook_read(&row, out) ? DB_OK : DB_ERROR;
	PQclear(res);
	if (st != DB_OK)
		db_webhook_clear(out);
	return st;
}

enum db_status
db_webhook_list(PGconn *c, const char *owner, int limit,
                struct db_webhook **out, size_t *n)
{
	char l[16];
	const char *v[2] = {owner, l};
	struct db_webhook *w = NULL;
	enum db_status st;
	PGresult *res;
	size_t rows;

	*out = NULL;
	*n = 0;
	snprintf(l, sizeof(l), "%d", limit);
	if ((res = db_run(c, &list_stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	rows = (size_t)PQntuples(res);
	if (rows > 0 && (w = calloc(rows, sizeof(*w))) == NULL) {
		PQclear(res);
		return DB_ERROR;
	}
	for (size_t i = 0; i < rows; i++) {
		struct db_row row = db_row_at(res, (int)i);
		if (!webhook_read(&row, &w[i])) {
			db_webhook_list_free(w, rows);
			PQclear(res);
			return DB_ERROR;
		}
	}
	PQclear(res);
	*out = w;
	*n = rows;
	return DB_OK;
}
