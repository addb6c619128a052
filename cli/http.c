/*
 * The client's HTTP: one libcurl exchange per call, the answer bounded
 * by CLI_HTTP_MAX_BODY, the headers the client acts on parsed
 * (Cache-Control max-age, X-Request-Id).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cli/client.h"

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct cli_http *h = arg;
	size_t add = size * n;
	char *b;

	if (h->len + add > CLI_HTTP_MAX_BODY) {
		h->overflow = true;
		return 0;
	}
	if ((b = realloc(h->body, h->len + add + 1)) == NULL)
		return 0;
	memcpy(b + h->len, p, add);
	h->len += add;
	b[h->len] = '\0';
	h->body = b;
	return add;
}

/* max-age=N of a Cache-Control value; -1 with no-store, no-cache or
 * without max-age. */
static long
cache_max_age(const char *v)
{
	const char *m;
	char *end;
	long n;

	if (strcasestr(v, "no-store") != NULL ||
	    strcasestr(v, "no-cache") != NULL)
		return -1;
	if ((m = strcasestr(v, "max-age=")) == NULL)
		return -1;
	n = strtol(m + 8, &end, 10);
	if (end == m + 8 || n < 0)
		return -1;
	return n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct cli_http *h = arg;
	size_t len = size * n, nl;
	const char *colon = memchr(p, ':', len);
	char val[256];
	size_t vs, ve;

	if (colon == NULL)
		return len;
	nl = (size_t)(colon - p);
	vs = nl + 1;
	ve = len;
	while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (ve > vs && isspace((unsigned char)p[ve - 1]))
		ve--;
	if (ve - vs >= sizeof(val))
		return len; /* longer than any value acted on */
	memcpy(val, p + vs, ve - vs);
	val[ve - vs] = '\0';
	if (nl == 13 && strncasecmp(p, "Cache-Control", 13) == 0)
		h->max_age = cache_max_age(val);
	else if (nl == 12 && strncasecmp(p, "X-Request-Id", 12) == 0)
		snprintf(h->request_id, sizeof(h->request_id), "%.79s", val);
	return len;
}

bool
cli_http(const char *method, const char *url, const char *json,
         const char *accept, long timeout_ms, struct cli_http *h)
{
	struct curl_slist *hdrs = NULL;
	char line[128], cerr[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	CURL *c;

	memset(h, 0, sizeof(*h));
	h->max_age = -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(h->err, sizeof(h->err), "libcurl unavailable");
		return false;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "teepass/" TEEPASS_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	if (accept != NULL) {
		snprintf(line, sizeof(line), "Accept: %s", accept);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (strcmp(method, "POST") == 0) {
		const char *b = json != NULL ? json : "{}";
		hdrs = curl_slist_append(hdrs,
		                         "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, b);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(b));
	}
	if (hdrs != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
	if (h->overflow)
		snprintf(h->err, sizeof(h->err), "%s: answer over %d bytes",
		         url, CLI_HTTP_MAX_BODY);
	else if (rc != CURLE_OK)
		snprintf(h->err, sizeof(h->err), "%.120s: %.120s", url,
		         cerr[0] != '\0' ? cerr : curl_easy_strerror(rc));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		free(h->body);
		h->body = NULL;
		h->len = 0;
		return false;
	}
	if (h->body == NULL && (h->body = strdup("")) == NULL)
		return false;
	return true;
}

void
cli_http_free(struct cli_http *h)
{
	if (h == NULL)
		return;
	free(h->body);
	h->body = NULL;
	h->len = 0;
}

char *
cli_url_join(const char *base, const char *path)
{
	size_t n = strlen(base);
	char *u;

	while (n > 0 && base[n - 1] == '/')
		n--;
	if ((u = malloc(n + strlen(path) + 1)) == NULL)
		return NULL;
	memcpy(u, base, n);
	strcpy(u + n, path);
	return u;
}

const char *
cli_base_url(const char *opt)
{
	const char *e = getenv("TEEPASS_URL");

	if (opt != NULL)
		return opt;
	return e != NULL && *e != '\0' ? e : "http://127.0.0.1:8080";
}

bool
cli_timeout_opt(const char *arg, long *ms)
{
	char *end;
	long s = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || s < 1 || s > 600) {
		fprintf(stderr, "teepass: --timeout: 1 to 600 seconds\n");
		return false;
	}
	*ms = s * 1000;
	return true;
}
