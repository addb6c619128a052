/*
 * The webhook workers (docs/events.md): webhook_workers threads, each
 * with its own database * connection. It claims due deliveries (a lease, so instances share the
 * work and a crashed one's claims come back), POSTs each body with its
 * Teepass-Signature, no redirect followed, within webhook_timeout_ms,
 * and records the attempt: a 2xx delivers; anything else retries after
 * webhook_retry_base_ms doubling per attempt (at most an hour) until
 * webhook_max_attempts, then the delivery has failed. The secret is
 * never logged; errors recorded are libcurl's fixed texts.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "common/log.h"
#include "common/webhook_sig.h"
#include "db/events.h"
#include "handlers/events.h"
#include "server/app.h"

#define CLAIM     4
#define RETRY_MAX 3600000 /* ms */

#define WORKERS_MAX 16

static pthread_t threads[WORKERS_MAX];
static size_t n_threads;
static bool stopping, started;
static unsigned long pokes; /* under lock: a round is due when it moved */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
/* attempts by outcome: delivered, retried, failed */
static atomic_long outcomes[3];

bool
webhook_url_allowed(const char *url, bool dev_mode)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	bool ok = false;

	if (u == NULL || url == NULL || strlen(url) > 2048 ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	/* Credentials in a URL would be shown by GET /api/webhooks. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK)
		goto out;
	if (strcasecmp(scheme, "https") == 0)
		ok = true;
	else if (strcasecmp(scheme, "http") == 0 && dev_mode)
		ok = strcmp(host, "127.0.0.1") == 0 ||
		     strcmp(host, "[::1]") == 0 ||
		     strcasecmp(host, "localhost") == 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	return ok;
}

/*
 * Where a delivery may connect: the address libcurl is about to connect to
 * (after DNS, so a name that resolves to an internal address, or is
 * rebound to one, is caught) must be public, unless webhook_allow_private;
 * loopback only for the development-mode http allowance.
 */
struct dest {
	bool loopback_ok;
	bool refused;
};

static bool
v4_private(const uint8_t *b)
{
	return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224 ||
	       (b[0] == 100 && (b[1] & 0xc0) == 64) ||
	       (b[0] == 169 && b[1] == 254) ||
	       (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	       (b[0] == 192 && b[1] == 168) ||
	       (b[0] == 192 && b[1] == 0 && b[2] == 0) ||
	       (b[0] == 198 && (b[1] & 0xfe) == 18);
}

/* *LOOPBACK set for 127/8 and ::1. */
static bool
addr_private(const struct sockaddr *sa, bool *loopback)
{
	*loopback = false;
	if (sa->sa_family == AF_INET) {
		const uint8_t *b =
		        (const uint8_t *)&(
		                (const struct sockaddr_in *)(const void *)sa)
		                ->sin_addr;
		*loopback = b[0] == 127;
		return v4_private(b);
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		        &((const struct sockaddr_in6 *)(const void *)sa)
		                 ->sin6_addr;
		const uint8_t *b = a->s6_addr;
		static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
		if (IN6_IS_ADDR_LOOPBACK(a)) {
			*loopback = true;
			return true;
		}
		if (IN6_IS_ADDR_V4MAPPED(a) || memcmp(b, nat64, 12) == 0) {
			*loopback = b[12] == 127;
			return v4_private(b + 12);
		}
		return IN6_IS_ADDR_UNSPECIFIED(a) || (b[0] & 0xfe) == 0xfc ||
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || b[0] == 0xff;
	}
	return true;
}

static curl_socket_t
open_checked(void *cls, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct dest *d = cls;
	bool loopback;

	if (purpose == CURLSOCKTYPE_IPCXN &&
	    addr_private(&a->addr, &loopback) &&
	    !app.cfg.webhook_allow_private && !(loopback && d->loopback_ok)) {
		d->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* One attempt: the HTTP status (0: none) and, on failure, why. */
static long
deliver(const struct db_claim *d, char *err, size_t errlen)
{
	char sig[WEBHOOK_SIG_MAX], hdr[WEBHOOK_SIG_MAX + 32];
	struct curl_slist *h = NULL;
	struct dest dst = {.loopback_ok =
	                           app.cfg.dev_mode &&
	                           strncasecmp(d->url, "http://", 7) == 0};
	long code = 0;
	CURLcode rc;
	CURL *c;

	err[0] = '\0';
	if (!webhook_url_allowed(d->url, app.cfg.dev_mode)) {
		snprintf(err, errlen, "url not allowed");
		return 0;
	}
	if (!webhook_signature(d->secret, (int64_t)time(NULL), d->body,
	                       strlen(d->body), sig)) {
		snprintf(err, errlen, "cannot sign");
		return 0;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "libcurl unavailable");
		return 0;
	}
	snprintf(hdr, sizeof(hdr), "Teepass-Signature: %s", sig);
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, d->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	                 (long)app.cfg.webhook_timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)app.cfg.webhook_timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	                 app.cfg.dev_mode ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "teepass/" TEEPASS_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(d->body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &dst);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	else if (dst.refused)
		snprintf(err, errlen, "destination address not allowed");
	else
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	if (rc == CURLE_OK && (code < 200 || code > 299))
		snprintf(err, errlen, "HTTP status %ld", code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Works off the due deliveries; false when there were none (or the
 * database failed). */
static bool
round_once(void)
{
	/* The claimed deliveries are attempted one after the other: the
	 * lease covers all of them at their time limit. */
	int64_t lease = CLAIM * (app.cfg.webhook_timeout_ms / 1000 + 1) + 30;
	struct db_claim *d = NULL;
	size_t n = 0;
	PGconn *c;

	if ((c = db_conn()) == NULL ||
	    db_webhook_claim(c, CLAIM, lease, &d, &n) != DB_OK) {
		db_conn_close();
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char err[256];
		double t0 = now_ms();
		long code = deliver(&d[i], err, sizeof(err));
		int64_t took = (int64_t)(now_ms() - t0), retry = 0;
		const char *status;
		if (code >= 200 && code <= 299) {
			status = "delivered";
			atomic_fetch_add(&outcomes[0], 1);
		} else if (d[i].attempts >= app.cfg.webhook_max_attempts) {
			status = "failed";
			atomic_fetch_add(&outcomes[2], 1);
		} else {
			status = "pending";
			atomic_fetch_add(&outcomes[1], 1);
			retry = app.cfg.webhook_retry_base_ms;
			for (int k = 1; k < d[i].attempts && retry < RETRY_MAX;
			     k++)
				retry *= 2;
			if (retry > RETRY_MAX)
				retry = RETRY_MAX;
		}
		if (db_webhook_attempt(c, d[i].id, (int)code,
		                       err[0] ? err : NULL, took, status,
		                       retry) != DB_OK)
			tp_log(TP_LOG_WARN,
			       "webhooks: cannot record attempt %d of "
			       "delivery %lld",
			       d[i].attempts, (long long)d[i].id);
	}
	db_claim_list_free(d, n);
	return n > 0;
}

static void *
run(void *arg)
{
	struct timespec until;
	unsigned long seen;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		seen = pokes;
		pthread_mutex_unlock(&lock);
		bool busy = round_once();
		pthread_mutex_lock(&lock);
		if (busy || pokes != seen)
			continue;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec +=
		        (long)(app.cfg.events_poll_ms % 1000) * 1000000;
		until.tv_sec += app.cfg.events_poll_ms / 1000 +
		                until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		if (!stopping)
			pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	db_conn_close();
	return NULL;
}

void
webhook_worker_poke(void)
{
	pthread_mutex_lock(&lock);
	pokes++;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
}

bool
webhook_worker_start(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return false;
	started = true;
	stopping = false;
	n_threads = 0;
	for (int64_t i = 0; i < app.cfg.webhook_workers && i < WORKERS_MAX;
	     i++) {
		if (pthread_create(&threads[n_threads], NULL, run, NULL) != 0) {
			webhook_worker_stop();
			return false;
		}
		n_threads++;
	}
	return true;
}

void
webhook_worker_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	n_threads = 0;
	started = false;
	curl_global_cleanup();
}

void
webhook_metrics_render(FILE *f)
{
	static const char *const names[3] = {"delivered", "retried", "failed"};

	fprintf(f, "# HELP teepass_webhook_attempts_total Webhook delivery "
	           "attempts by outcome (failed: the last attempt failed).\n"
	           "# TYPE teepass_webhook_attempts_total counter\n");
	for (int i = 0; i < 3; i++)
		fprintf(f,
		        "teepass_webhook_attempts_total{outcome=\"%s\"} %ld\n",
		        names[i], atomic_load(&outcomes[i]));
}
