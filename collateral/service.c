/*
 * The collateral cache in front of the vendors: PostgreSQL first, then
 * one fetch per artifact at a time (an in-flight table across threads, an
 * advisory lock across instances), each fetched artifact verified before
 * it is written, back-off on 429 and 5xx honouring Retry-After. No global
 * lock is held during a fetch; a fetch is bounded by timeout_ms.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "collateral/service.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/tptime.h"

#define MAX_BODY     (1024 * 1024)
#define MAX_INFLIGHT 64
#define MAX_IN_USE   256

static struct {
	char *intel_url, *intel_root_crl_url, *intel_api_key, *amd_url, *proxy;
	char *nvidia_nras_jwks_url, *nvidia_ocsp_url;
	long timeout_ms;
	bool offline;
	unsigned max_waiting;
} conf = {.timeout_ms = 10000};
static atomic_uint leaders; /* threads fetching from a vendor */

static void refresher_start(void);
static void refresher_stop(void);

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

void
coll_configure(const struct coll_config *c)
{
	free(conf.intel_url);
	free(conf.intel_root_crl_url);
	free(conf.intel_api_key);
	free(conf.amd_url);
	free(conf.proxy);
	free(conf.nvidia_nras_jwks_url);
	free(conf.nvidia_ocsp_url);
	conf.intel_url = dup_or_null(c->intel_url);
	conf.intel_root_crl_url = dup_or_null(c->intel_root_crl_url);
	conf.intel_api_key = dup_or_null(c->intel_api_key);
	conf.amd_url = dup_or_null(c->amd_url);
	conf.proxy = dup_or_null(c->proxy);
	conf.nvidia_nras_jwks_url = dup_or_null(c->nvidia_nras_jwks_url);
	conf.nvidia_ocsp_url = dup_or_null(c->nvidia_ocsp_url);
	conf.timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 10000;
	conf.offline = c->offline;
	conf.max_waiting = c->max_waiting;
	/* Refreshes run in the background of an online daemon only. */
	if (conf.intel_url != NULL && !conf.offline)
		refresher_start();
	else
		refresher_stop();
}

const char *
coll_intel_url(void)
{
	return conf.intel_url != NULL ? conf.intel_url
	                              : "https://api.trustedservices.intel.com";
}

const char *
coll_intel_root_crl_url(void)
{
	return conf.intel_root_crl_url;
}

const char *
coll_amd_url(void)
{
	return conf.amd_url != NULL ? conf.amd_url : "https://kdsintf.amd.com";
}

const char *
coll_nvidia_nras_jwks_url(void)
{
	return conf.nvidia_nras_jwks_url != NULL
	               ? conf.nvidia_nras_jwks_url
	               : "https://nras.attestation.nvidia.com/.well-known/"
	                 "jwks.json";
}

/* ---- metrics ---- */

static const char *const outcome_names[COLL_OUTCOME__COUNT] = {
        "ok",      "not_found", "rate_limited", "server_error", "network_error",
        "invalid", "stale"};
static atomic_long fetches[COLL_VENDOR__COUNT][COLL_OUTCOME__COUNT];
static atomic_long cache_hits, cache_misses;

/* Artifacts served, with what remained of their validity at the
 * verification time and when (wall clock) that was. */
static struct in_use {
	char id[200];
	int64_t remaining, at_wall;
} in_use[MAX_IN_USE];
static size_t n_in_use;
static pthread_mutex_t in_use_mu = PTHREAD_MUTEX_INITIALIZER;

static void
note_in_use(const struct db_collateral_row *r, int64_t now)
{
	char id[200];
	size_t i;

	snprintf(id, sizeof(id), "%s/%s", r->kind, r->key);
	pthread_mutex_lock(&in_use_mu);
	for (i = 0; i < n_in_use; i++)
		if (strcmp(in_use[i].id, id) == 0)
			break;
	if (i == n_in_use && n_in_use < MAX_IN_USE)
		n_in_use++;
	if (i < n_in_use) {
		snprintf(in_use[i].id, sizeof(in_use[i].id), "%s", id);
		in_use[i].remaining = r->next_update - now;
		in_use[i].at_wall = tptime_now();
	}
	pthread_mutex_unlock(&in_use_mu);
}

void
coll_metrics_render(void *fp)
{
	FILE *f = fp;
	static const char *const vendors[COLL_VENDOR__COUNT] = {"intel", "amd",
	                                                        "nvidia"};
	int64_t wall = tptime_now(), min = INT64_MAX;

	fprintf(f, "# HELP teepass_collateral_fetches_total Vendor fetches "
	           "by vendor and outcome.\n# TYPE "
	           "teepass_collateral_fetches_total counter\n");
	for (int v = 0; v < COLL_VENDOR__COUNT; v++)
		for (int o = 0; o < COLL_OUTCOME__COUNT; o++)
			fprintf(f,
			        "teepass_collateral_fetches_total{vendor=\"%"
			        "s\","
			        "outcome=\"%s\"} %ld\n",
			        vendors[v], outcome_names[o],
			        atomic_load(&fetches[v][o]));
	fprintf(f,
	        "# HELP teepass_collateral_cache_hits_total Artifacts served "
	        "from the cache.\n# TYPE teepass_collateral_cache_hits_total "
	        "counter\nteepass_collateral_cache_hits_total %ld\n",
	        atomic_load(&cache_hits));
	fprintf(f,
	        "# HELP teepass_collateral_cache_misses_total Artifacts not "
	        "in the cache.\n# TYPE teepass_collateral_cache_misses_total "
	        "counter\nteepass_collateral_cache_misses_total %ld\n",
	        atomic_load(&cache_misses));
	pthread_mutex_lock(&in_use_mu);
	for (size_t i = 0; i < n_in_use; i++) {
		int64_t left = in_use[i].remaining - (wall - in_use[i].at_wall);
		if (left < min)
			min = left;
	}
	pthread_mutex_unlock(&in_use_mu);
	if (min != INT64_MAX)
		fprintf(f,
		        "# HELP teepass_collateral_earliest_expiry_seconds "
		        "Seconds until the earliest collateral artifact in use "
		        "expires (negative: expired).\n# TYPE "
		        "teepass_collateral_earliest_expiry_seconds gauge\n"
		        "teepass_collateral_earliest_expiry_seconds %lld\n",
		        (long long)min);
}

/* ---- HTTP ---- */

struct http_result {
	long status;
	uint8_t *body;
	size_t len;
	bool overflow;
	const char *chain_header;
	char *chain; /* URL-decoded header value */
	int64_t retry_after;
	char err[CURL_ERROR_SIZE];
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_result *h = arg;
	size_t add = size * n;
	uint8_t *b;

	if (h->len + add > MAX_BODY) {
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

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_result *h = arg;
	size_t len = size * n, nl;
	const char *colon = memchr(p, ':', len);
	char *val;

	if (colon == NULL)
		return len;
	nl = (size_t)(colon - p);
	val = strndup(colon + 1, len - nl - 1);
	if (val == NULL)
		return len;
	/* Trim surrounding whitespace and the CRLF. */
	{
		char *s = val, *e = val + strlen(val);
		while (*s == ' ' || *s == '\t')
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		memmove(val, s, strlen(s) + 1);
	}
	if (nl == 11 && strncasecmp(p, "Retry-After", 11) == 0) {
		char *end;
		long long secs = strtoll(val, &end, 10);
		/* Seconds; an HTTP date is taken as the default back-off. */
		h->retry_after =
		        (end != val && *end == '\0' && secs >= 0) ? secs : -1;
	} else if (h->chain_header != NULL && nl == strlen(h->chain_header) &&
	           strncasecmp(p, h->chain_header, nl) == 0) {
		int outlen = 0;
		char *dec = curl_easy_unescape(NULL, val, 0, &outlen);
		free(h->chain);
		h->chain = dec != NULL ? strndup(dec, (size_t)outlen) : NULL;
		curl_free(dec);
	}
	free(val);
	return len;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool http_request(const char *url, bool intel, const uint8_t *post,
                         size_t postlen, const char *content_type,
                         struct http_result *h);

/* GET URL (with the Intel API key when INTEL); false with H->err on a
 * transport failure. */
static bool
http_get(const char *url, bool intel, struct http_result *h)
{
	return http_request(url, intel, NULL, 0, NULL, h);
}

/* GET, or POST of POST (POSTLEN bytes, CONTENT_TYPE) when POST is set. */
static bool
http_request(const char *url, bool intel, const uint8_t *post, size_t postlen,
             const char *content_type, struct http_result *h)
{
	CURL *c;
	struct curl_slist *hdrs = NULL;
	char key[512];
	CURLcode rc;

	pthread_once(&curl_once, curl_init);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(h->err, sizeof(h->err), "libcurl unavailable");
		return false;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, conf.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, conf.timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	/* Only the configured proxy: environment proxies are ignored. */
	curl_easy_setopt(c, CURLOPT_PROXY,
	                 conf.proxy != NULL ? conf.proxy : "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "teepass/" TEEPASS_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	/* The key is for the PCS API: not for AMD, nor for another
	 * Intel host (the Root CA CRL's). */
	if (intel && conf.intel_api_key != NULL && conf.intel_url != NULL &&
	    strncmp(url, conf.intel_url, strlen(conf.intel_url)) == 0) {
		snprintf(key, sizeof(key), "Ocp-Apim-Subscription-Key: %s",
		         conf.intel_api_key);
		hdrs = curl_slist_append(hdrs, key);
	}
	if (post != NULL) {
		snprintf(key, sizeof(key), "Content-Type: %s", content_type);
		hdrs = curl_slist_append(hdrs, key);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)postlen);
	}
	if (hdrs != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	h->retry_after = -1;
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
	if (rc != CURLE_OK && h->err[0] == '\0')
		snprintf(h->err, sizeof(h->err), "%s", curl_easy_strerror(rc));
	if (h->overflow)
		snprintf(h->err, sizeof(h->err), "body over %d bytes",
		         MAX_BODY);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc == CURLE_OK;
}

/* ---- back-off per vendor (wall clock) ---- */

static atomic_llong backoff_until[COLL_VENDOR__COUNT];

static void
backoff_set(enum coll_vendor v, int64_t secs)
{
	if (secs < 1)
		secs = 1;
	if (secs > 3600)
		secs = 3600;
	atomic_store(&backoff_until[v], (long long)(tptime_now() + secs));
}

/* ---- OCSP (NVIDIA device chain) ---- */

const char *
coll_nvidia_ocsp_url(void)
{
	return conf.nvidia_ocsp_url;
}

bool
coll_ocsp_post(const char *url, const uint8_t *req, size_t len, uint8_t **resp,
               size_t *resplen)
{
	struct http_result h = {0};
	enum coll_outcome oc;
	bool ok = false;

	*resp = NULL;
	*resplen = 0;
	/* Offline: never a connection; during a back-off: not yet. */
	if (conf.offline ||
	    atomic_load(&backoff_until[COLL_VENDOR_NVIDIA]) > tptime_now())
		return false;
	if (!http_request(url, false, req, len, "application/ocsp-request",
	                  &h)) {
		tp_log(TP_LOG_WARN, "collateral: OCSP %s: %s", url, h.err);
		oc = COLL_OUTCOME_NETWORK_ERROR;
		backoff_set(COLL_VENDOR_NVIDIA, 10);
		goto out;
	}
	if (h.status != 200 || h.len == 0) {
		oc = h.status == 429   ? COLL_OUTCOME_RATE_LIMITED
		     : h.status >= 500 ? COLL_OUTCOME_SERVER_ERROR
		                       : COLL_OUTCOME_NOT_FOUND;
		if (h.status == 429 || h.status >= 500)
			backoff_set(COLL_VENDOR_NVIDIA,
			            h.retry_after >= 0 ? h.retry_after : 30);
		goto out;
	}
	oc = COLL_OUTCOME_OK;
	*resp = h.body;
	*resplen = h.len;
	h.body = NULL;
	ok = true;
out:
	atomic_fetch_add(&fetches[COLL_VENDOR_NVIDIA][oc], 1);
	free(h.body);
	free(h.chain);
	return ok;
}

/* ---- in-flight table ---- */

#define WAIT_MS 2000 /* longest wait for another thread's fetch */

static struct inflight {
	char id[200];
	bool used, done;
	struct timespec deadline; /* for waiters */
	int waiters;
	enum coll_status st;
	int64_t retry_after;
} inflight[MAX_INFLIGHT];
static pthread_mutex_t inflight_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t inflight_cv = PTHREAD_COND_INITIALIZER;

/*
 * Returns the slot this thread leads (it fetches), or -1 after waiting
 * for another thread's fetch of the same artifact (*st, *retry set;
 * COLL_UNAVAILABLE when that fetch outlasts WAIT_MS after it began: a
 * slow vendor then holds one worker, not all), or -2 when the table is
 * full (fetch without deduplication; the advisory lock still
 * serialises).
 */
static int
inflight_enter(const char *id, enum coll_status *st, int64_t *retry)
{
	int free_slot = -1, i;

	pthread_mutex_lock(&inflight_mu);
	for (i = 0; i < MAX_INFLIGHT; i++) {
		if (inflight[i].used && strcmp(inflight[i].id, id) == 0)
			break;
		if (!inflight[i].used && free_slot < 0)
			free_slot = i;
	}
	if (i < MAX_INFLIGHT) {
		struct inflight *e = &inflight[i];
		e->waiters++;
		while (!e->done &&
		       pthread_cond_timedwait(&inflight_cv, &inflight_mu,
		                              &e->deadline) == 0)
			;
		*st = e->done ? e->st : COLL_UNAVAILABLE;
		*retry = e->done ? e->retry_after : 1;
		/* The last one out frees the slot, once the leader is done
		 * with it (a waiter that gave up leaves it to the leader). */
		if (--e->waiters == 0 && e->done)
			memset(e, 0, sizeof(*e));
		pthread_mutex_unlock(&inflight_mu);
		return -1;
	}
	if (free_slot >= 0) {
		memset(&inflight[free_slot], 0, sizeof(inflight[free_slot]));
		snprintf(inflight[free_slot].id, sizeof(inflight[free_slot].id),
		         "%s", id);
		inflight[free_slot].used = true;
		clock_gettime(CLOCK_REALTIME, &inflight[free_slot].deadline);
		inflight[free_slot].deadline.tv_sec += WAIT_MS / 1000;
	}
	pthread_mutex_unlock(&inflight_mu);
	return free_slot >= 0 ? free_slot : -2;
}

static void
inflight_leave(int slot, enum coll_status st, int64_t retry)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&inflight_mu);
	inflight[slot].done = true;
	inflight[slot].st = st;
	inflight[slot].retry_after = retry;
	if (inflight[slot].waiters == 0)
		memset(&inflight[slot], 0, sizeof(inflight[slot]));
	pthread_cond_broadcast(&inflight_cv);
	pthread_mutex_unlock(&inflight_mu);
}

/* Some PCCS serve the Root CA CRL as hex text: decode it in place. */
static void
maybe_unhex(struct http_result *h)
{
	uint8_t *b = NULL;
	size_t n = 0, len = h->len;

	while (len > 0 && isspace(h->body[len - 1]))
		len--;
	if (len == 0 || len % 2 != 0)
		return;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit(h->body[i]))
			return;
	if (!codec_hex_decode((const char *)h->body, len, &b, &n))
		return;
	free(h->body);
	h->body = b;
	h->len = n;
}

/* Fetches and verifies RQ's artifact, writing it to the cache on
 * success. Called with the advisory lock held. */
static enum coll_status
fetch(PGconn *c, const struct coll_request *rq, int64_t now,
      struct db_collateral_row *out, int64_t *retry)
{
	struct http_result h = {0};
	enum coll_outcome oc;
	enum coll_status st;
	bool stale = false;
	char why[256];

	h.chain_header = rq->chain_header;
	tp_log(TP_LOG_INFO, "collateral: fetching %s/%s", rq->kind, rq->key);
	if (!http_get(rq->url, rq->vendor == COLL_VENDOR_INTEL, &h)) {
		tp_log(TP_LOG_WARN, "collateral: %s/%s: %s", rq->kind, rq->key,
		       h.err);
		oc = COLL_OUTCOME_NETWORK_ERROR;
		st = COLL_UNAVAILABLE;
		*retry = 10;
		backoff_set(rq->vendor, *retry);
		goto out;
	}
	if (h.status == 404 || h.status == 400) {
		oc = COLL_OUTCOME_NOT_FOUND;
		st = COLL_NOT_FOUND;
		*retry = 60;
		goto out;
	}
	if (h.status == 429 || h.status >= 500 || h.status != 200) {
		oc = h.status == 429 ? COLL_OUTCOME_RATE_LIMITED
		                     : COLL_OUTCOME_SERVER_ERROR;
		st = COLL_UNAVAILABLE;
		*retry = h.retry_after >= 0 ? h.retry_after : 30;
		if (h.status == 429 || h.status >= 500)
			backoff_set(rq->vendor, *retry);
		tp_log(TP_LOG_WARN,
		       "collateral: %s/%s: HTTP %ld, backing off %llds",
		       rq->kind, rq->key, h.status, (long long)*retry);
		goto out;
	}
	if (rq->kind_id == ARTIFACT_INTEL_ROOT_CA_CRL ||
	    rq->kind_id == ARTIFACT_INTEL_PCK_CRL)
		maybe_unhex(&h);
	memset(out, 0, sizeof(*out));
	snprintf(out->kind, sizeof(out->kind), "%s", rq->kind);
	snprintf(out->key, sizeof(out->key), "%s", rq->key);
	snprintf(out->source, sizeof(out->source), "%s",
	         rq->vendor == COLL_VENDOR_INTEL ? "intel_pcs"
	         : rq->vendor == COLL_VENDOR_AMD ? "amd_kds"
	                                         : "nvidia_nras");
	out->body = h.body;
	out->body_len = h.len;
	out->issuer_chain = h.chain;
	h.body = NULL;
	h.chain = NULL;
	out->fetched_at = tptime_now();
	if (!coll_artifact_check(out, now, &stale, why, sizeof(why))) {
		/* Never cached: an artifact that does not verify, or one
		 * that is authentic but outside its window now. */
		tp_log(TP_LOG_WARN,
		       "collateral: %s/%s from the vendor refused: %s",
		       rq->kind, rq->key, why);
		oc = stale ? COLL_OUTCOME_STALE : COLL_OUTCOME_INVALID;
		st = stale ? COLL_UNAVAILABLE : COLL_VENDOR_INVALID;
		*retry = 60;
		db_collateral_row_clear(out);
		goto out;
	}
	if (db_collateral_put(c, out) != DB_OK) {
		db_collateral_row_clear(out);
		oc = COLL_OUTCOME_OK;
		st = COLL_DB_UNAVAILABLE;
		*retry = 5;
		goto out;
	}
	oc = COLL_OUTCOME_OK;
	st = COLL_OK;
out:
	atomic_fetch_add(&fetches[rq->vendor][oc], 1);
	free(h.body);
	free(h.chain);
	return st;
}

/* ---- refresh ahead of expiry ---- */

#define REFRESH_QUEUE    16
#define REFRESH_INTERVAL 3600 /* at most one attempt per artifact per hour */

static struct {
	pthread_t thread;
	bool running, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct coll_request q[REFRESH_QUEUE];
	int64_t q_now[REFRESH_QUEUE];
	size_t n;
	struct {
		char id[200];
		int64_t at_wall;
	} tried[MAX_IN_USE];
	size_t n_tried;
} rf = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* In the last tenth of its life, at most 24 hours before next_update. */
static bool
refresh_due(const struct db_collateral_row *r, int64_t now)
{
	int64_t margin = (r->next_update - r->issue_date) / 10;

	if (margin > 86400)
		margin = 86400;
	return r->next_update - now <= margin;
}

static void *
refresher_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&rf.mu);
	while (!rf.stop) {
		struct coll_request rq;
		struct db_collateral_row row;
		int64_t now, retry;
		PGconn *c;

		if (rf.n == 0) {
			pthread_cond_wait(&rf.cv, &rf.mu);
			continue;
		}
		rq = rf.q[0];
		now = rf.q_now[0];
		memmove(rf.q, rf.q + 1, (rf.n - 1) * sizeof(rf.q[0]));
		memmove(rf.q_now, rf.q_now + 1, (rf.n - 1) * sizeof(int64_t));
		rf.n--;
		pthread_mutex_unlock(&rf.mu);
		/* Same rules as a fetch on a miss: back-off, one at a time
		 * per artifact, verified before written; the cached row is
		 * replaced only by one that lasts at least as long. */
		rq.kind = artifact_kind_name(rq.kind_id);
		if (atomic_load(&backoff_until[rq.vendor]) <= tptime_now() &&
		    (c = db_conn()) != NULL &&
		    db_collateral_lock(c, rq.kind, rq.key, true) == DB_OK) {
			/* Another instance may have just refreshed it: a row
			 * no longer due, or fetched from the vendor within the
			 * interval, is left alone. */
			if (db_collateral_get(c, rq.kind, rq.key, now, &row) ==
			            DB_OK &&
			    (!refresh_due(&row, now) ||
			     (strcmp(row.source, "import") != 0 &&
			      tptime_now() - row.fetched_at <
			              REFRESH_INTERVAL))) {
				db_collateral_row_clear(&row);
				db_collateral_lock(c, rq.kind, rq.key, false);
				pthread_mutex_lock(&rf.mu);
				continue;
			}
			db_collateral_row_clear(&row);
			memset(&row, 0, sizeof(row));
			if (fetch(c, &rq, now, &row, &retry) == COLL_OK)
				tp_log(TP_LOG_INFO,
				       "collateral: refreshed %s/%s ahead of "
				       "expiry",
				       rq.kind, rq.key);
			db_collateral_row_clear(&row);
			db_collateral_lock(c, rq.kind, rq.key, false);
		}
		pthread_mutex_lock(&rf.mu);
	}
	pthread_mutex_unlock(&rf.mu);
	db_conn_close();
	return NULL;
}

static void
refresher_start(void)
{
	pthread_mutex_lock(&rf.mu);
	if (!rf.running) {
		rf.stop = false;
		rf.n = 0;
		rf.running = pthread_create(&rf.thread, NULL, refresher_main,
		                            NULL) == 0;
	}
	pthread_mutex_unlock(&rf.mu);
}

static void
refresher_stop(void)
{
	bool join;

	pthread_mutex_lock(&rf.mu);
	join = rf.running;
	rf.stop = true;
	rf.running = false;
	pthread_cond_broadcast(&rf.cv);
	pthread_mutex_unlock(&rf.mu);
	if (join)
		pthread_join(rf.thread, NULL);
}

/*
 * Queues a background refresh of a cached artifact in the last tenth of
 * its life (at most 24 hours before next_update), so that verifications
 * never wait for its renewal. At most one attempt per hour per artifact.
 */
static void
refresh_if_due(const struct coll_request *rq, const struct db_collateral_row *r,
               int64_t now)
{
	int64_t wall = tptime_now();
	char id[200];
	size_t i;

	if (conf.offline || !refresh_due(r, now))
		return;
	snprintf(id, sizeof(id), "%s/%s", rq->kind, rq->key);
	pthread_mutex_lock(&rf.mu);
	for (i = 0; i < rf.n_tried; i++)
		if (strcmp(rf.tried[i].id, id) == 0)
			break;
	if (!rf.running || rf.n == REFRESH_QUEUE ||
	    (i < rf.n_tried && wall - rf.tried[i].at_wall < REFRESH_INTERVAL) ||
	    (i == rf.n_tried && rf.n_tried == MAX_IN_USE)) {
		pthread_mutex_unlock(&rf.mu);
		return;
	}
	if (i == rf.n_tried)
		rf.n_tried++;
	snprintf(rf.tried[i].id, sizeof(rf.tried[i].id), "%s", id);
	rf.tried[i].at_wall = wall;
	rf.q[rf.n] = *rq;
	rf.q_now[rf.n] = now;
	rf.n++;
	pthread_cond_signal(&rf.cv);
	pthread_mutex_unlock(&rf.mu);
}

static enum coll_status obtain_locked(const struct coll_request *rq,
                                      int64_t now,
                                      struct db_collateral_row *out,
                                      int64_t *retry);

enum coll_status
coll_obtain(const struct coll_request *rq, int64_t now,
            struct db_collateral_row *out, int64_t *retry)
{
	PGconn *c = db_conn();
	enum db_status dst;
	enum coll_status st;
	long long until;

	*retry = 5;
	if (c == NULL)
		return COLL_DB_UNAVAILABLE;
	dst = db_collateral_get(c, rq->kind, rq->key, now, out);
	if (dst == DB_OK) {
		atomic_fetch_add(&cache_hits, 1);
		note_in_use(out, now);
		refresh_if_due(rq, out, now);
		return COLL_OK;
	}
	if (dst != DB_NOT_FOUND)
		return COLL_DB_UNAVAILABLE;
	atomic_fetch_add(&cache_misses, 1);
	if (conf.offline)
		return COLL_OFFLINE_MISSING;
	until = atomic_load(&backoff_until[rq->vendor]);
	if (until > tptime_now()) {
		*retry = until - tptime_now();
		return COLL_UNAVAILABLE;
	}
	st = obtain_locked(rq, now, out, retry);
	return st;
}

/* The part of coll_obtain that may wait on a vendor. */
static enum coll_status
obtain_locked(const struct coll_request *rq, int64_t now,
              struct db_collateral_row *out, int64_t *retry)
{
	PGconn *c = db_conn();
	enum db_status dst;
	enum coll_status st;
	char id[200];
	int slot;

	if (c == NULL)
		return COLL_DB_UNAVAILABLE;
	snprintf(id, sizeof(id), "%s/%s", rq->kind, rq->key);
	slot = inflight_enter(id, &st, retry);
	if (slot == -1) {
		/* Another thread fetched it: read what it cached. */
		if (st != COLL_OK)
			return st;
		if ((c = db_conn()) == NULL ||
		    db_collateral_get(c, rq->kind, rq->key, now, out) != DB_OK)
			return COLL_UNAVAILABLE;
		note_in_use(out, now);
		return COLL_OK;
	}
	if (conf.max_waiting > 0 &&
	    atomic_fetch_add(&leaders, 1) >= conf.max_waiting) {
		/* Enough workers already wait on vendors: this one answers
		 * now and stays free for verifications the cache serves. */
		atomic_fetch_sub(&leaders, 1);
		inflight_leave(slot, COLL_UNAVAILABLE, 1);
		*retry = 1;
		return COLL_UNAVAILABLE;
	}
	if (db_collateral_lock(c, rq->kind, rq->key, true) != DB_OK) {
		if (conf.max_waiting > 0)
			atomic_fetch_sub(&leaders, 1);
		inflight_leave(slot, COLL_DB_UNAVAILABLE, 5);
		return COLL_DB_UNAVAILABLE;
	}
	/* Another instance may have fetched it while this one waited. */
	dst = db_collateral_get(c, rq->kind, rq->key, now, out);
	if (dst == DB_OK)
		st = COLL_OK;
	else if (dst != DB_NOT_FOUND)
		st = COLL_DB_UNAVAILABLE;
	else
		st = fetch(c, rq, now, out, retry);
	db_collateral_lock(c, rq->kind, rq->key, false);
	if (conf.max_waiting > 0)
		atomic_fetch_sub(&leaders, 1);
	if (st == COLL_OK)
		note_in_use(out, now);
	inflight_leave(slot, st, *retry);
	return st;
}
