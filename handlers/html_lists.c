/*
 * GET /passports and GET /endpoints: the dashboard's read-only lists as
 * server-rendered HTML, for browsers without JavaScript (issue 16,
 * docs/dashboard.md). The newest 100 rows, no filters; the JavaScript
 * dashboard at / pages further. Every string from the database is
 * hostile (registry URLs and model names are whatever a provider sent):
 * each goes through html_escape, so no byte of it is markup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tptime.h"
#include "db/db.h"
#include "db/registry.h"
#include "handlers/handlers.h"
#include "server/app.h"
#include "server/metrics.h"

#define HTML_ROWS 100

struct html {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void
html_raw(struct html *h, const char *s, size_t n)
{
	if (h->failed)
		return;
	if (h->len + n + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 4096;
		char *nb;
		while (cap < h->len + n + 1)
			cap *= 2;
		if ((nb = realloc(h->buf, cap)) == NULL) {
			h->failed = true;
			return;
		}
		h->buf = nb;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

static void
html_lit(struct html *h, const char *s)
{
	html_raw(h, s, strlen(s));
}

/* S as HTML text or attribute value: & < > " ' escaped, control bytes
 * other than tab and newline dropped. */
static void
html_escape(struct html *h, const char *s)
{
	for (const char *p = s != NULL ? s : ""; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		switch (c) {
		case '&':
			html_lit(h, "&amp;");
			break;
		case '<':
			html_lit(h, "&lt;");
			break;
		case '>':
			html_lit(h, "&gt;");
			break;
		case '"':
			html_lit(h, "&quot;");
			break;
		case '\'':
			html_lit(h, "&#39;");
			break;
		default:
			if (c >= 0x20 || c == '\t' || c == '\n')
				html_raw(h, p, 1);
		}
	}
}

static void
html_time(struct html *h, int64_t us)
{
	char t[32];

	if (us == DB_TIME_NULL) {
		html_lit(h, "—");
		return;
	}
	tptime_format(us / 1000000, t);
	html_escape(h, t);
}

static void
html_cell(struct html *h, const char *s)
{
	html_lit(h, "<td>");
	html_escape(h, s);
	html_lit(h, "</td>");
}

static void
html_head(struct html *h, const char *title)
{
	html_lit(h, "<!doctype html>\n<html lang=\"en\"><head>"
	            "<meta charset=\"utf-8\"><title>teepass — ");
	html_escape(h, title);
	html_lit(h, "</title><link rel=\"stylesheet\" href=\"/ui/style.css\">"
	            "</head><body><header><a href=\"/\">teepass</a> "
	            "<nav><a href=\"/passports\">Passports</a> "
	            "<a href=\"/endpoints\">Endpoints</a></nav></header>"
	            "<main><h1>");
	html_escape(h, title);
	html_lit(h, "</h1><p class=\"note\">The newest 100, without "
	            "JavaScript. The dashboard at <a href=\"/\">/</a> filters, "
	            "pages further and verifies signatures.</p>");
}

static enum MHD_Result
html_reply(struct request *r, struct html *h)
{
	enum MHD_Result ret;

	html_lit(h, "</main></body></html>\n");
	if (h->failed) {
		free(h->buf);
		return reply_error(r, TP_ERR_internal_error, NULL);
	}
	ret = reply_bytes(r, 200, "text/html; charset=utf-8", h->buf, h->len);
	free(h->buf);
	return ret;
}

static enum MHD_Result
html_db_down(struct request *r)
{
	metrics_db_unavailable();
	return reply_error(r, TP_ERR_database_unavailable, NULL);
}

enum MHD_Result
handler_html_passports(struct request *r)
{
	struct db_passport_filter f = {.limit = HTML_ROWS};
	struct db_passport *rows = NULL;
	struct html h = {0};
	size_t n = 0;
	PGconn *c;
	enum db_status st;

	if ((c = db_conn()) == NULL)
		return html_db_down(r);
	st = db_passport_list(c, &f, config_now(&app.cfg), &rows, &n);
	if (st != DB_OK) {
		if (st == DB_UNAVAILABLE)
			db_conn_close();
		return html_db_down(r);
	}
	html_head(&h, "Passports");
	html_lit(&h, "<table id=\"passports\"><thead><tr><th>id</th>"
	             "<th>TEE</th><th>status</th><th>EAR</th><th>created</th>"
	             "<th>expires</th><th>endpoint</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		const struct db_passport *p = &rows[i];
		html_lit(&h, "<tr><td><a href=\"/api/passports/");
		html_escape(&h, p->id);
		html_lit(&h, "\">");
		html_escape(&h, p->id);
		html_lit(&h, "</a></td>");
		html_cell(&h, p->tee_type);
		html_cell(&h, p->status);
		html_cell(&h, p->ear_status);
		html_lit(&h, "<td>");
		html_time(&h, p->created_at);
		html_lit(&h, "</td><td>");
		html_time(&h, p->expires_at);
		html_lit(&h, "</td>");
		html_cell(&h, p->endpoint_id);
		html_lit(&h, "</tr>");
	}
	html_lit(&h, "</tbody></table>");
	db_passport_list_free(rows, n);
	return html_reply(r, &h);
}

enum MHD_Result
handler_html_endpoints(struct request *r)
{
	struct db_endpoint_filter f = {.limit = HTML_ROWS};
	struct db_endpoint *rows = NULL;
	struct html h = {0};
	size_t n = 0;
	PGconn *c;
	enum db_status st;
	char ver[16];

	if ((c = db_conn()) == NULL)
		return html_db_down(r);
	st = db_endpoint_list(c, &f, config_now(&app.cfg), &rows, &n);
	if (st != DB_OK) {
		if (st == DB_UNAVAILABLE)
			db_conn_close();
		return html_db_down(r);
	}
	html_head(&h, "Endpoints");
	html_lit(&h, "<table id=\"endpoints\"><thead><tr><th>url</th>"
	             "<th>model</th><th>TEE</th><th>status</th>"
	             "<th>reference version</th><th>last attested</th>"
	             "</tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		const struct db_endpoint *e = &rows[i];
		html_lit(&h, "<tr><td><a href=\"/api/endpoints/");
		html_escape(&h, e->id);
		html_lit(&h, "\">");
		html_escape(&h, e->url);
		html_lit(&h, "</a></td><td>");
		html_escape(&h, e->model_name);
		html_lit(&h, " ");
		html_escape(&h, e->model_digest);
		html_lit(&h, "</td>");
		html_cell(&h, e->tee_type);
		html_cell(&h, e->status);
		snprintf(ver, sizeof(ver), "%d", e->ref_version);
		html_cell(&h, ver);
		html_lit(&h, "<td>");
		html_time(&h, e->last_attested_at);
		html_lit(&h, "</td></tr>");
	}
	html_lit(&h, "</tbody></table>");
	db_endpoint_list_free(rows, n);
	return html_reply(r, &h);
}
