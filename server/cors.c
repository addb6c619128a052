#include <stdbool.h>
#include <string.h>

#include "server/app.h"
#include "server/cors.h"
#include "server/router.h"

/* What a dashboard's script may read beyond the CORS-safelisted
 * headers: the request id to quote in a report, the back-off of a 503
 * or 429. */
#define EXPOSE "X-Request-Id, Retry-After"

/* ORIGIN is one of the comma-separated exact origins of LIST. */
static bool
origin_listed(const char *list, const char *origin)
{
	size_t n;

	if (list == NULL || origin == NULL || (n = strlen(origin)) == 0)
		return false;
	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *e;
		size_t len;
		while (*p == ' ' || *p == ',')
			p++;
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == n && strncmp(p, origin, n) == 0)
			return true;
		p = e;
	}
	return false;
}

static bool
allowlist_set(void)
{
	return strcmp(app.cfg.cors_origins, "*") != 0 ||
	       app.cfg.cors_post_origins != NULL;
}

/* The Access-Control-Allow-Origin for METHOD from ORIGIN, or NULL. */
static const char *
allowed_origin(const char *method, const char *origin)
{
	if (strcmp(method, "POST") == 0)
		return origin_listed(app.cfg.cors_post_origins, origin) ? origin
		                                                        : NULL;
	if (strcmp(app.cfg.cors_origins, "*") == 0)
		return "*";
	return origin_listed(app.cfg.cors_origins, origin) ? origin : NULL;
}

void
cors_headers(struct request *r, struct MHD_Response *resp)
{
	const char *acao;

	/* A cache must not hand one origin's answer to another. */
	if (allowlist_set() && (r->cors || r->max_age > 0))
		MHD_add_response_header(resp, "Vary", "Origin");
	if (!r->cors)
		return;
	acao = allowed_origin(r->method, request_header(r, "Origin"));
	if (acao == NULL)
		return;
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", acao);
	MHD_add_response_header(resp, "Access-Control-Expose-Headers", EXPOSE);
}

enum MHD_Result
cors_preflight(struct request *r)
{
	const char *origin = request_header(r, "Origin");
	const char *want = request_header(r, "Access-Control-Request-Method");
	const char *acao = NULL, *methods = NULL, *headers = NULL;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (want == NULL)
		want = "GET";
	if ((strcmp(want, "GET") == 0 || strcmp(want, "HEAD") == 0) &&
	    router_cors("GET", r->path)) {
		acao = allowed_origin("GET", origin);
		methods = "GET, OPTIONS";
		headers = "Accept";
	} else if (strcmp(want, "POST") == 0 && router_cors("POST", r->path)) {
		acao = allowed_origin("POST", origin);
		methods = "POST, OPTIONS";
		headers = "Accept, Content-Type, Authorization";
	}
	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	if (acao != NULL) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin",
		                        acao);
		MHD_add_response_header(resp, "Access-Control-Allow-Methods",
		                        methods);
		MHD_add_response_header(resp, "Access-Control-Allow-Headers",
		                        headers);
		MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
	}
	/* The answer depends on the Origin whenever an allow-list is set,
	 * and on the requested method always. */
	MHD_add_response_header(resp, "Vary",
	                        allowlist_set()
	                                ? "Origin, Access-Control-Request-"
	                                  "Method"
	                                : "Access-Control-Request-Method");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	ret = MHD_queue_response(r->conn, 204, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	r->status = 204;
	r->route = "(preflight)";
	return ret;
}
