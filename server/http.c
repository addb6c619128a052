#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fastjson.h"
#include "server/app.h"
#include "server/cors.h"
#include "server/http.h"

static pthread_rwlock_t commit_gate = PTHREAD_RWLOCK_INITIALIZER;
static bool commits_closed;
static atomic_long unreplied;

bool
commit_begin(struct request *r)
{
	(void)r;
	pthread_rwlock_rdlock(&commit_gate);
	if (commits_closed) {
		pthread_rwlock_unlock(&commit_gate);
		return false;
	}
	return true;
}

void
commit_end(struct request *r, bool committed)
{
	if (committed && !r->committed) {
		r->committed = true;
		atomic_fetch_add(&unreplied, 1);
	}
	pthread_rwlock_unlock(&commit_gate);
}

long
commit_close(void)
{
	pthread_rwlock_wrlock(&commit_gate);
	commits_closed = true;
	pthread_rwlock_unlock(&commit_gate);
	return atomic_load(&unreplied);
}

long
commit_unreplied(void)
{
	return atomic_load(&unreplied);
}

void
commit_replied(struct request *r)
{
	if (r->committed) {
		r->committed = false;
		atomic_fetch_sub(&unreplied, 1);
	}
}

static void
add_common_headers(struct request *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* The dashboard's policy on every answer (issue 16): scripts, styles
	 * and requests only from this origin, nothing inline, no framing. */
	MHD_add_response_header(resp, "Content-Security-Policy", HTTP_CSP);
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	/* Draining: every reply ends its connection, so the drain
	 * converges under keep-alive load. */
	if (atomic_load(&app.draining))
		MHD_add_response_header(resp, "Connection", "close");
	if (r->etag != NULL)
		MHD_add_response_header(resp, "ETag", r->etag);
	if (r->cache_control != NULL) {
		MHD_add_response_header(resp, "Cache-Control",
		                        r->cache_control);
	} else if (r->max_age > 0) {
		char cc[48];
		snprintf(cc, sizeof(cc), "public, max-age=%u", r->max_age);
		MHD_add_response_header(resp, "Cache-Control", cc);
	} else {
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
	cors_headers(r, resp);
}

static enum MHD_Result
reply_bytes_retry(struct request *r, unsigned status, const char *content_type,
                  const char *body, size_t len, const char *retry_after)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body,
	                                       MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (content_type != NULL)
		MHD_add_response_header(resp, "Content-Type", content_type);
	add_common_headers(r, resp);
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, "Retry-After",
		                        retry_after != NULL ? retry_after
		                                            : "5");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	r->status = (int)status;
	return ret;
}

enum MHD_Result
reply_stream(struct request *r, unsigned status, const char *content_type,
             MHD_ContentReaderCallback reader, void *cls,
             MHD_ContentReaderFreeCallback free_cb)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
	                                         reader, cls, free_cb);
	if (resp == NULL) {
		free_cb(cls);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", content_type);
	r->cache_control = "no-cache";
	add_common_headers(r, resp);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	r->status = (int)status;
	return ret;
}

enum MHD_Result
reply_bytes(struct request *r, unsigned status, const char *content_type,
            const char *body, size_t len)
{
	return reply_bytes_retry(r, status, content_type, body, len, NULL);
}

enum MHD_Result
reply_json(struct request *r, unsigned status, json_t *body)
{
	return reply_json_retry(r, status, body, NULL);
}

enum MHD_Result
reply_json_retry(struct request *r, unsigned status, json_t *body,
                 const char *retry_after)
{
	char *s = fastjson_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	enum MHD_Result ret;

	json_decref(body);
	if (s == NULL) {
		static const char oom[] = "{\"error\":{\"code\":"
		                          "\"internal_error\",\"message\":"
		                          "\"internal error\"}}";
		return reply_bytes(r, 500, "application/json", oom,
		                   sizeof(oom) - 1);
	}
	ret = reply_bytes_retry(r, status, "application/json", s, strlen(s),
	                        retry_after);
	free(s);
	return ret;
}

enum MHD_Result
reply_error(struct request *r, enum tp_err code, const char *field)
{
	json_t *err = json_pack("{s:s, s:s}", "code", tp_err_code(code),
	                        "message", tp_err_message(code));

	if (err != NULL && field != NULL)
		json_object_set_new(err, "field", json_string(field));
	return reply_json(r, (unsigned)tp_err_status(code),
	                  json_pack("{s:o}", "error", err));
}

const char *
request_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
request_query(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	                                   name);
}

bool
request_require_json(struct request *r)
{
	const char *ct = request_header(r, "Content-Type");
	size_t n = strlen("application/json");

	if (ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
		return true;
	reply_error(r, TP_ERR_unsupported_media_type, NULL);
	return false;
}

/* A member name is echoed back only when it is a plain identifier, so an
 * error message never carries arbitrary client bytes. */
static const char *
safe_name(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 64)
		return "(unprintable)";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '_' &&
		    key[i] != '-' && key[i] != '.')
			return "(unprintable)";
	return key;
}

json_t *
request_json(struct request *r, const struct json_field *fields, size_t nfields,
             bool allow_empty)
{
	const char *key;
	json_t *doc, *val;

	if (r->body_len == 0 && allow_empty)
		return json_object();
	/* jansson's json_loadb with JSON_REJECT_DUPLICATES, the common
	 * shape parsed faster (common/fastjson.h). */
	doc = fastjson_loadb(r->body, r->body_len);
	if (doc == NULL) {
		reply_error(r, TP_ERR_bad_json, NULL);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		reply_error(r, TP_ERR_bad_json, NULL);
		return NULL;
	}
	json_object_foreach(doc, key, val)
	{
		size_t i;
		for (i = 0; i < nfields; i++)
			if (strcmp(fields[i].name, key) == 0)
				break;
		if (i == nfields) {
			reply_error(r, TP_ERR_unknown_field, safe_name(key));
			json_decref(doc);
			return NULL;
		}
		if (!fields[i].any && json_typeof(val) != fields[i].type &&
		    !(fields[i].type == JSON_TRUE && json_is_boolean(val))) {
			reply_error(r, TP_ERR_invalid_field, fields[i].name);
			json_decref(doc);
			return NULL;
		}
	}
	for (size_t i = 0; i < nfields; i++) {
		if (fields[i].required &&
		    json_object_get(doc, fields[i].name) == NULL) {
			reply_error(r, TP_ERR_missing_field, fields[i].name);
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}
