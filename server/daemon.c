#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/tptime.h"
#include "handlers/events.h"
#include "handlers/log.h"
#include "server/app.h"
#include "server/cors.h"
#include "server/daemon.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/tls.h"

static struct MHD_Daemon *mhd;
static bool serving_tls;

static double elapsed_ms(const struct timespec *start);

/*
 * The request deadline (issue 15). MHD's connection timeout counts from
 * the last byte, so a client sending one byte every few seconds holds a
 * connection for ever. Every connection is tracked here from MHD's
 * STARTED notification to its CLOSED one (which MHD sends before it
 * closes the socket, so the descriptor here is never a reused one): a
 * connection WAITING for a request's headers and body longer than
 * request_deadline seconds is cut by the reaper thread (shutdown(2) of
 * its socket: MHD then reads the end of the stream and closes it on its
 * own thread). A connection whose request is PROCESSING is never cut;
 * its reply is sent in full. Once draining, every WAITING connection is
 * cut at once, and no request starts processing any more.
 */
enum track_state { TRACK_WAITING, TRACK_PROCESSING };

struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	struct timespec since; /* connection start or previous reply */
	enum track_state state;
	bool cut;
};

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reaper_cv;
static struct conn_track *track_head;
static size_t track_count;
static bool reaper_stop, reaper_running;
static pthread_t reaper;

static void
track_notify(void *cls, struct MHD_Connection *c, void **socket_context,
             enum MHD_ConnectionNotificationCode code)
{
	struct conn_track *t;
	const union MHD_ConnectionInfo *ci;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		                             MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (t = calloc(1, sizeof(*t))) == NULL) {
			*socket_context = NULL;
			return;
		}
		t->fd = ci->connect_fd;
		clock_gettime(CLOCK_MONOTONIC, &t->since);
		t->state = TRACK_WAITING;
		pthread_mutex_lock(&track_lock);
		t->next = track_head;
		if (track_head != NULL)
			track_head->prev = t;
		track_head = t;
		track_count++;
		pthread_mutex_unlock(&track_lock);
		*socket_context = t;
		metrics_connection(1);
		return;
	}
	if ((t = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&track_lock);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		track_head = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	track_count--;
	pthread_mutex_unlock(&track_lock);
	*socket_context = NULL;
	free(t);
	metrics_connection(-1);
}

/* The connection's tracking record, or NULL (not tracked: never cut). */
static struct conn_track *
track_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* Cuts what is due; called with track_lock held. */
static void
reap_locked(void)
{
	bool draining = atomic_load(&app.draining);

	for (struct conn_track *t = track_head; t != NULL; t = t->next) {
		if (t->cut || t->state != TRACK_WAITING)
			continue;
		if (!draining && elapsed_ms(&t->since) <
		                         (double)app.cfg.request_deadline * 1e3)
			continue;
		t->cut = true;
		shutdown(t->fd, SHUT_RDWR);
		metrics_connection_cut();
	}
}

static void *
reaper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&track_lock);
	while (!reaper_stop) {
		struct timespec until;
		reap_locked();
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 250 * 1000 * 1000;
		if (until.tv_nsec >= 1000 * 1000 * 1000) {
			until.tv_sec++;
			until.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&reaper_cv, &track_lock, &until);
	}
	pthread_mutex_unlock(&track_lock);
	return NULL;
}

/*
 * A request's headers and body are in: it may start processing unless
 * its connection was cut (false: drop it) or the server is draining
 * (*REFUSE: answer 503). Once PROCESSING, the reaper leaves it alone.
 */
static bool
track_begin(struct conn_track *t, bool *refuse)
{
	bool ok = true;

	*refuse = false;
	if (t == NULL) {
		*refuse = atomic_load(&app.draining);
		return true;
	}
	pthread_mutex_lock(&track_lock);
	if (t->cut)
		ok = false;
	else if (atomic_load(&app.draining))
		*refuse = true;
	t->state = TRACK_PROCESSING;
	pthread_mutex_unlock(&track_lock);
	return ok;
}

/* The reply is sent: the next request's deadline starts now. */
static void
track_end(struct conn_track *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&track_lock);
	t->state = TRACK_WAITING;
	clock_gettime(CLOCK_MONOTONIC, &t->since);
	if (atomic_load(&app.draining))
		pthread_cond_signal(&reaper_cv);
	pthread_mutex_unlock(&track_lock);
}

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
	return tptime_since(start) * 1e3;
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
	/* Resumed, then closed before its reply was made. */
	if (r->resume != NULL && r->resume_free != NULL)
		r->resume_free(r->resume_arg);
	track_end(r->track);
	commit_replied(r);
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
	r->track = track_of(c);
	r->method = method;
	r->path = url;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0, sizeof(rnd));
	codec_hex_encode_to(rnd, sizeof(rnd), r->id);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	atomic_fetch_add(&app.in_flight, 1);
	return r;
}

static bool
addr_loopback(const struct sockaddr *sa)
{
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
	}
	return false;
}

/* An API key (any Authorization header) over plain HTTP from another
 * host travelled in clear: refused unless a TLS proxy is in front. */
static bool
credentials_in_clear(struct request *r)
{
	const union MHD_ConnectionInfo *ci;

	if (serving_tls || app.cfg.trusted_proxy ||
	    request_header(r, "Authorization") == NULL)
		return false;
	ci = MHD_get_connection_info(r->conn,
	                             MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci == NULL || !addr_loopback(ci->client_addr);
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
	if (credentials_in_clear(r))
		return reply_error(r, TP_ERR_api_key_needs_tls, NULL);
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
	/* A handler that suspended the connection replies on resume. */
	if (!r->replied && r->resume == NULL) {
		tp_log(TP_LOG_ERROR, "handler for %s queued no response",
		       rt->pattern);
		return reply_error(r, TP_ERR_internal_error, NULL);
	}
	return ret;
}

/*
 * Limits checked here so that the answer is JSON like every other: MHD
 * answers with its own HTML page only when the request line and headers
 * do not fit its per-connection buffer (32 KiB, docs/api.md).
 */
#define TARGET_LIMIT  8192
#define HEADERS_LIMIT 16384

static enum MHD_Result
add_len(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	size_t *n = cls;

	(void)kind;
	*n += strlen(key) + (value != NULL ? strlen(value) : 0) + 2;
	return MHD_YES;
}

static enum tp_err
early_check(struct MHD_Connection *c, const char *url)
{
	size_t target = strlen(url), headers = 0;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_len, &target);
	if (target > TARGET_LIMIT)
		return TP_ERR_uri_too_long;
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_len, &headers);
	if (headers > HEADERS_LIMIT)
		return TP_ERR_headers_too_large;
	return TP_ERR_none;
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
		r->early_error = (int)early_check(c, url);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->too_large || r->replied || r->early_error != 0)
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
	if (r->resume != NULL) {
		/* Resumed after its handler suspended it: the reply. */
		enum MHD_Result (*fn)(struct request *) = r->resume;
		r->resume = NULL;
		tp_log_set_request_id(r->id);
		ret = fn(r);
		tp_log_set_request_id(NULL);
		return ret;
	}
	if (r->replied)
		return MHD_YES;
	bool refuse;
	if (!track_begin(r->track, &refuse))
		return MHD_NO; /* cut at its deadline: nothing started */
	tp_log_set_request_id(r->id);
	if (refuse) {
		/* Draining: no new work, since its reply might not be
		 * sent; the client retries on a new connection. */
		r->route = "(draining)";
		ret = reply_error(r, TP_ERR_shutting_down, NULL);
		tp_log_set_request_id(NULL);
		return ret;
	}
	if (r->early_error != 0) {
		r->route = "(request too large)";
		ret = reply_error(r, (enum tp_err)r->early_error, NULL);
		tp_log_set_request_id(NULL);
		return ret;
	}
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
	/* Suspend/resume: event streams wait for events off MHD's threads
	 * (handlers/events_hub.c). */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
	                 MHD_USE_ERROR_LOG | MHD_USE_EPOLL |
	                 MHD_ALLOW_SUSPEND_RESUME;

	if (!resolve(app.cfg.listen_host, app.cfg.listen_port, &ss, &sslen)) {
		snprintf(err, errlen, "listen: cannot resolve %s",
		         app.cfg.listen_host);
		return false;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	serving_tls = app.cfg.tls_cert_file != NULL;
	if (serving_tls) {
		if (!tls_load(app.cfg.tls_cert_file, app.cfg.tls_key_file, err,
		              errlen))
			return false;
		flags |= MHD_USE_TLS;
	} else if (!addr_loopback((const struct sockaddr *)&ss)) {
		tp_log(TP_LOG_WARN,
		       app.cfg.trusted_proxy
		               ? "listening on %s without TLS: trusted_proxy "
		                 "is set, so a TLS proxy must be the only way "
		                 "in (docs/operations.md)"
		               : "listening on %s without TLS: API keys from "
		                 "other hosts are refused; set tls_cert_file "
		                 "and tls_key_file, or trusted_proxy behind a "
		                 "TLS proxy (docs/operations.md)",
		       app.cfg.listen_host);
	}
	if (!reaper_running) {
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&reaper_cv, &ca);
		pthread_condattr_destroy(&ca);
		reaper_stop = false;
		if (pthread_create(&reaper, NULL, reaper_main, NULL) != 0) {
			snprintf(err, errlen, "cannot start the reaper thread");
			return false;
		}
		reaper_running = true;
	}
	mhd = MHD_start_daemon(
	        flags, app.cfg.listen_port, NULL, NULL, access_handler, NULL,
	        MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_THREAD_POOL_SIZE,
	        app.cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	        app.cfg.max_connections_per_address,
	        MHD_OPTION_NOTIFY_CONNECTION, track_notify, NULL,
	        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	        serving_tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END,
	        tls_retrieve, MHD_OPTION_END);
	if (mhd == NULL) {
		snprintf(err, errlen,
		         "cannot listen on %s:%u (address in use or not "
		         "permitted?)",
		         app.cfg.listen_host, app.cfg.listen_port);
		return false;
	}
	return true;
}

static size_t
connections_open(void)
{
	size_t n;

	pthread_mutex_lock(&track_lock);
	n = track_count;
	pthread_mutex_unlock(&track_lock);
	return n;
}

void
daemon_stop(int grace_s)
{
	struct timespec step = {0, 20 * 1000 * 1000};
	MHD_socket lsock;

	if (mhd == NULL)
		return;
	/* Stop accepting (closing the listening socket refuses new
	 * clients at once); requests already processing run to the end
	 * and their replies say Connection: close; idle connections and
	 * ones still sending a request are cut by the reaper; a request
	 * complete after this is answered 503. */
	atomic_store(&app.draining, true);
	lsock = MHD_quiesce_daemon(mhd);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	pthread_mutex_lock(&track_lock);
	pthread_cond_signal(&reaper_cv);
	pthread_mutex_unlock(&track_lock);
	/* Event streams end now (MHD may not stop with one suspended). */
	events_drain();
	for (int i = 0; i < grace_s * 50 && (atomic_load(&app.in_flight) > 0 ||
	                                     connections_open() > 0);
	     i++)
		nanosleep(&step, NULL);
	if (atomic_load(&app.in_flight) > 0)
		tp_log(TP_LOG_WARN, "stopping with %ld requests in flight",
		       atomic_load(&app.in_flight));
	/* From here a reply may not reach its client: no transaction
	 * that needs one starts; what committed meanwhile gets a few
	 * seconds more to send its reply. */
	if (commit_close() > 0) {
		for (int i = 0; i < 5 * 50 && commit_unreplied() > 0; i++)
			nanosleep(&step, NULL);
		if (commit_unreplied() > 0)
			tp_log(TP_LOG_ERROR,
			       "%ld committed requests lost their reply",
			       commit_unreplied());
	}
	/* Verifications waiting for their log proof are answered (their
	 * connections resumed) before MHD stops. */
	log_waiters_stop();
	MHD_stop_daemon(mhd);
	mhd = NULL;
	if (reaper_running) {
		pthread_mutex_lock(&track_lock);
		reaper_stop = true;
		pthread_cond_signal(&reaper_cv);
		pthread_mutex_unlock(&track_lock);
		pthread_join(reaper, NULL);
		pthread_cond_destroy(&reaper_cv);
		reaper_running = false;
	}
	tls_free();
}

bool
daemon_reload_tls(char *err, size_t errlen)
{
	if (!serving_tls) {
		snprintf(err, errlen, "not serving TLS: nothing to reload");
		return false;
	}
	return tls_load(app.cfg.tls_cert_file, app.cfg.tls_key_file, err,
	                errlen);
}
