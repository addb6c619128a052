#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/codec.h"
#include "common/log.h"
#include "server/app.h"
#include "server/cors.h"
#include "server/daemon.h"
#include "server/metrics.h"
#include "server/router.h"

static struct MHD_Daemon *mhd;

static void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r);
}

static double
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* MHD's request-completed callback: the only place request state is
 * freed. */
static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
	struct request *r = *con_cls;

	if (r == NULL)
		return;
	tp_log_set_request_id(r->id);
	tp_log(TP_LOG_INFO, "%s %s -> %d in %.1f ms%s", r->method,
	       r->route != NULL ? r->route : "(no route)", r->status,
	       elapsed_ms(&r->start),
	       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	tp_log_set_request_id(NULL);
	metrics_request(r->status);
	metrics_request_seconds(elapsed_ms(&r->start) / 1e3);
	atomic_fetch_sub(&app.in_flight, 1);
	request_free(r);
	*con_cls = NULL;
}

static struct request *
request_new(struct MHD_Connection *c, const char *method, const char *url)
{
	struct request *r = calloc(1, sizeof(*r));
	uint8_t rnd[16];

	if (r == NULL)
		return NULL;
	r->conn = c;
	r->method = method;
	r->path = url;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0, sizeof(rnd));
	codec_hex_encode_to(rnd, sizeof(rnd), r->id);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	atomic_fetch_add(&app.in_flight, 1);
	return r;
}

static enum MHD_Result
dispatch(struct request *r)
{
	const struct route *rt;
	char allow[64], param[80];
	const char *p = NULL;
	size_t plen = 0;
	bool cors;
	enum MHD_Result ret;

	rt = router_match(r->method, r->path, allow, sizeof(allow), &p, &plen,
	                  &cors);
	r->cors = cors;
	if (rt == NULL) {
		if (allow[0] == '\0') {
			r->route = "(unknown)";
			return reply_error(r, TP_ERR_not_found, NULL);
		}
		if (cors && strcmp(r->method, "OPTIONS") == 0)
			return cors_preflight(r);
		struct MHD_Response *resp;
		json_t *body = json_pack(
		        "{s:{s:s, s:s}}", "error", "code",
		        tp_err_code(TP_ERR_method_not_allowed), "message",
		        tp_err_message(TP_ERR_method_not_allowed));
		char *s = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		resp = MHD_create_response_from_buffer(s ? strlen(s) : 0, s,
		                                       MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Allow", allow);
		MHD_add_response_header(resp, "Content-Type",
		                        "application/json");
		MHD_add_response_header(resp, "X-Request-Id", r->id);
		ret = MHD_queue_response(r->conn, 405, resp);
		MHD_destroy_response(resp);
		r->status = 405;
		r->route = "(method not allowed)";
		return ret;
	}
	r->route = rt->pattern;
	r->cors = rt->cors; /* this route's, not any of its path's */
	if (p != NULL) {
		if (plen >= sizeof(param))
			return reply_error(r, TP_ERR_not_found, NULL);
		memcpy(param, p, plen);
		param[plen] = '\0';
		r->param = param;
	}
	if (rt->body && !request_require_json(r))
		return MHD_YES;
	ret = rt->fn(r);
	r->param = NULL;
	if (!r->replied) {
		tp_log(TP_LOG_ERROR, "handler for %s queued no response",
		       rt->pattern);
		return reply_error(r, TP_ERR_internal_error, NULL);
	}
	return ret;
}

/*
 * MHD's access handler. First call: create the state, queue nothing.
 * Upload calls: accumulate up to the body limit; past it, answer 413 at
 * once. Final call: dispatch.
 */
static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *c, const char *url,
               const char *method, const char *version, const char *upload_data,
               size_t *upload_data_size, void **con_cls)
{
	struct request *r = *con_cls;
	enum MHD_Result ret;

	if (r == NULL) {
		if ((r = request_new(c, method, url)) == NULL)
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->too_large || r->replied)
			return MHD_YES;
		/* Past the limit the rest is read and dropped (memory stays
		 * bounded) and 413 is answered once the upload ends: a reply
		 * queued mid-upload makes MHD close before the client reads
		 * it. The connection timeout bounds slow senders. */
		if (n > app.cfg.body_limit - r->body_len) {
			r->too_large = true;
			free(r->body);
			r->body = NULL;
			r->body_len = 0;
			return MHD_YES;
		}
		char *nb = realloc(r->body, r->body_len + n + 1);
		if (nb == NULL)
			return MHD_NO;
		r->body = nb;
		memcpy(r->body + r->body_len, upload_data, n);
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES;
	tp_log_set_request_id(r->id);
	if (r->too_large) {
		char msg[96];
		r->route = "(body too large)";
		snprintf(msg, sizeof(msg), "request body exceeds %zu bytes",
		         app.cfg.body_limit);
		ret = reply_json(r, 413,
		                 json_pack("{s:{s:s, s:s}}", "error", "code",
		                           tp_err_code(TP_ERR_body_too_large),
		                           "message", msg));
		tp_log_set_request_id(NULL);
		return ret;
	}
	ret = dispatch(r);
	tp_log_set_request_id(NULL);
	return ret;
}

static bool
resolve(const char *host, uint16_t port, struct sockaddr_storage *ss,
        socklen_t *len)
{
	struct addrinfo hints = {0}, *res = NULL;
	char portstr[8];

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", port);
	if (getaddrinfo(host, portstr, &hints, &res) != 0 || res == NULL)
		return false;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

bool
daemon_start(char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
	                 MHD_USE_ERROR_LOG | MHD_USE_EPOLL;

	if (!resolve(app.cfg.listen_host, app.cfg.listen_port, &ss, &sslen)) {
		snprintf(err, errlen, "listen: cannot resolve %s",
		         app.cfg.listen_host);
		return false;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	mhd = MHD_start_daemon(
	        flags, app.cfg.listen_port, NULL, NULL, access_handler, NULL,
	        MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_THREAD_POOL_SIZE,
	        app.cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
	        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (mhd == NULL) {
		snprintf(err, errlen,
		         "cannot listen on %s:%u (address in use or not "
		         "permitted?)",
		         app.cfg.listen_host, app.cfg.listen_port);
		return false;
	}
	return true;
}

void
daemon_stop(int grace_s)
{
	struct timespec step = {0, 20 * 1000 * 1000};

	if (mhd == NULL)
		return;
	/* Stop accepting; requests already in progress run to the end. */
	MHD_quiesce_daemon(mhd);
	for (int i = 0; i < grace_s * 50 && atomic_load(&app.in_flight) > 0;
	     i++)
		nanosleep(&step, NULL);
	if (atomic_load(&app.in_flight) > 0)
		tp_log(TP_LOG_WARN, "stopping with %ld requests in flight",
		       atomic_load(&app.in_flight));
	MHD_stop_daemon(mhd);
	mhd = NULL;
}
