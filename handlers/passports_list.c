#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "db/db.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "server/app.h"
#include "server/metrics.h"
#include "verify/provider.h"

/*
 * The cursor is base64url("<created_at as PostgreSQL prints it>|<id>"):
 * opaque to clients, exact for the keyset comparison.
 */
static char *
cursor_encode(const char *created, const char *id)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s|%s", created, id);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	return codec_base64url_encode((const uint8_t *)buf, (size_t)n);
}

static bool
cursor_decode(const char *s, char created[64], char id[40])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *bar;
	bool ok = false;

	if (strlen(s) > 160 || !codec_base64_decode(s, strlen(s), &buf, &len))
		goto out;
	if (len == 0 || len >= 100 || memchr(buf, '\0', len) != NULL)
		goto out;
	buf[len] = '\0'; /* codec allocates one spare byte */
	if ((bar = strchr((char *)buf, '|')) == NULL)
		goto out;
	*bar = '\0';
	if (strlen((char *)buf) >= 64 || strlen(bar + 1) != 36)
		goto out;
	for (const char *p = (char *)buf; *p; p++)
		if (strchr("0123456789-:. +", *p) == NULL)
			goto out;
	for (const char *p = bar + 1; *p; p++)
		if (strchr("0123456789abcdef-", *p) == NULL)
			goto out;
	strcpy(created, (char *)buf);
	strcpy(id, bar + 1);
	ok = true;
out:
	free(buf);
	return ok;
}

enum MHD_Result
handler_passports_list(struct request *r)
{
	static const char *const statuses[] = {"active",    "expired",
	                                       "revoked",   "superseded",
	                                       "affirming", "warning"};
	struct db_passport_filter f = {0};
	char created[64], id[40], since[24], until[24];
	int64_t t;
	const char *s;
	enum tp_provider tee;
	enum db_status st;
	PGconn *c;
	struct db_passport *rows = NULL;
	json_t *arr = NULL, *out;
	char *next = NULL;
	size_t n = 0;

	f.limit = 20;
	if ((s = request_query(r, "limit")) != NULL) {
		char *end;
		long l = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || l < 1 || l > 100)
			return reply_error(r, TP_ERR_invalid_limit, "limit");
		f.limit = (int)l;
	}
	/* "provider", or its deprecated alias "tee_type". */
	if ((s = request_query(r, "provider")) != NULL ||
	    (s = request_query(r, "tee_type")) != NULL) {
		const char *q = request_query(r, "provider") != NULL
		                        ? "provider"
		                        : "tee_type";
		if (!provider_parse(s, &tee))
			return reply_error(r, TP_ERR_invalid_query, q);
		f.tee_type = provider_name(tee);
	}
	if ((s = request_query(r, "status")) != NULL) {
		for (size_t i = 0; i < 5 && f.status == NULL; i++)
			if (strcmp(s, statuses[i]) == 0)
				f.status = statuses[i];
		if (f.status == NULL)
			return reply_error(r, TP_ERR_invalid_query, "status");
	}
	if ((s = request_query(r, "endpoint_id")) != NULL) {
		if (strlen(s) != 36 ||
		    strspn(s, "0123456789abcdefABCDEF-") != 36)
			return reply_error(r, TP_ERR_invalid_query,
			                   "endpoint_id");
		f.endpoint_id = s;
	}
	/* since / until: RFC 3339 instants bounding created_at [since,
	 * until), for the dashboard's time filter. */
	if ((s = request_query(r, "since")) != NULL) {
		if (!tptime_parse(s, &t))
			return reply_error(r, TP_ERR_invalid_query, "since");
		snprintf(since, sizeof(since), "%lld", (long long)t);
		f.since = since;
	}
	if ((s = request_query(r, "until")) != NULL) {
		if (!tptime_parse(s, &t))
			return reply_error(r, TP_ERR_invalid_query, "until");
		snprintf(until, sizeof(until), "%lld", (long long)t);
		f.until = until;
	}
	if ((s = request_query(r, "cursor")) != NULL) {
		if (!cursor_decode(s, created, id))
			return reply_error(r, TP_ERR_invalid_cursor, "cursor");
		f.after_created = created;
		f.after_id = id;
	}
	if ((c = db_read_conn()) == NULL) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	st = db_passport_list(c, &f, config_now(&app.cfg), &rows, &n);
	if (st != DB_NOT_FOUND && (c = db_read_retry(c, st)) != NULL)
		st = db_passport_list(c, &f, config_now(&app.cfg), &rows, &n);
	if (st == DB_INVALID)
		return reply_error(r, TP_ERR_invalid_cursor, "cursor");
	if (st != DB_OK) {
		if (st == DB_UNAVAILABLE)
			db_conn_close();
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	/* A full page may have a next one: its cursor is the last row's. */
	if (n > 0 && n == (size_t)f.limit)
		next = cursor_encode(rows[n - 1].cursor, rows[n - 1].id);
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(
		            arr, db_json_passport_summary(&rows[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	out = arr != NULL ? json_pack("{s:o, s:s?}", "passports", arr,
	                              "next_cursor", next)
	                  : NULL;
	free(next);
	db_passport_list_free(rows, n);
	return reply_json(r, 200, out);
}
