#ifndef TP_HTTP_H
#define TP_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "common/errors.h"

struct conn_track;

/* Per-request state: created on MHD's first call, freed only in the
 * request-completed callback. */
struct request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	char id[33]; /* request id (hex), X-Request-Id */
	char *body;
	size_t body_len;
	bool too_large;
	int early_error; /* enum tp_err found on the first call, or 0 */
	bool replied;
	const char *param; /* the {id} segment of the route */
	bool cors;         /* the route answers CORS */
	int status;        /* status replied, for the access log */
	const char *route; /* route pattern, for logs and metrics */
	struct timespec start;
	unsigned max_age; /* >0: the reply may be cached this many seconds */
	const char *cache_control; /* non-NULL: this Cache-Control instead */
	const char *etag;          /* non-NULL: the reply's ETag */
	struct conn_track *track;  /* the connection's deadline state */
	bool committed; /* work committed whose reply is not sent yet */
	/* Set by a handler that suspended the connection: called (once) in
	 * place of the route when MHD resumes it, to send the reply. */
	enum MHD_Result (*resume)(struct request *r);
	void *resume_arg;
	/* Frees RESUME_ARG when the request ends without RESUME called. */
	void (*resume_free)(void *arg);
};

/* The Content-Security-Policy of every answer: the dashboard's files
 * (handlers/ui_get.c) load only from this origin, with no inline script
 * or style attribute. */
#define HTTP_CSP                                                               \
	"default-src 'none'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self'; connect-src 'self'; base-uri 'none'; "                \
	"form-action 'self'; frame-ancestors 'none'"

/*
 * Around a transaction whose work needs its reply to reach the client
 * (a passport, a consumed nonce). False: the server is past its drain
 * deadline and may not send replies any more; commit nothing and answer
 * shutting_down. True: until commit_end, daemon_stop waits for the
 * transaction, then for the reply of what it committed.
 */
bool commit_begin(struct request *r);
void commit_end(struct request *r, bool committed);

/* Closes the gate of commit_begin (waits for transactions under way);
 * returns how many committed requests still await their reply. */
long commit_close(void);

/* Committed requests whose reply is not yet sent. */
long commit_unreplied(void);

/* The completed callback: R's reply is sent (or can no longer be). */
void commit_replied(struct request *r);

/* Queues BODY (reference stolen) as JSON with STATUS. */
enum MHD_Result reply_json(struct request *r, unsigned status, json_t *body);

/* The same with RETRY_AFTER (seconds, text) as the Retry-After of a 503
 * (NULL: the default). */
enum MHD_Result reply_json_retry(struct request *r, unsigned status,
                                 json_t *body, const char *retry_after);

/*
 * Queues the error body of API.md for CODE: {"error": {"code",
 * "message"}} plus "field" when FIELD is non-NULL (our own field names
 * only). Adds Retry-After on 503.
 */
enum MHD_Result reply_error(struct request *r, enum tp_err code,
                            const char *field);

/* Queues BODY (copied) with CONTENT_TYPE and STATUS. */
enum MHD_Result reply_bytes(struct request *r, unsigned status,
                            const char *content_type, const char *body,
                            size_t len);

/*
 * Queues a streamed answer with STATUS and CONTENT_TYPE whose body MHD
 * pulls from READER (CLS, freed by FREE_CB when the stream ends): the
 * common headers, no caching (server/http.c).
 */
enum MHD_Result reply_stream(struct request *r, unsigned status,
                             const char *content_type,
                             MHD_ContentReaderCallback reader, void *cls,
                             MHD_ContentReaderFreeCallback free_cb);

/* Value of request header NAME, or NULL. */
const char *request_header(struct request *r, const char *name);

/* Value of query argument NAME, or NULL. */
const char *request_query(struct request *r, const char *name);

/* A declarative JSON field table. */
struct json_field {
	const char *name;
	json_type type; /* JSON_STRING, JSON_OBJECT, ... */
	bool required;
	bool any; /* any type accepted */
};

/*
 * Parses the request body as a JSON object (duplicate keys refused) and
 * checks it against FIELDS: unknown members, missing required ones and
 * wrong types are refused. On failure replies 400 and returns NULL;
 * otherwise returns the object (caller decrefs). An empty body parses as
 * {} when ALLOW_EMPTY.
 */
json_t *request_json(struct request *r, const struct json_field *fields,
                     size_t nfields, bool allow_empty);

/* True when the JSON-body content type is acceptable (else replies 415). */
bool request_require_json(struct request *r);

#endif
