/* The attested-TLS probe (handlers/tls_probe.h): a bounded TLS handshake
 * with a registered endpoint, nothing more. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "handlers/tls_probe.h"
#include "verify/core/tls_binding.h"

/*
 * Name lookups abandoned at their deadline still run to the resolver's
 * own end in their thread; at most this many are in flight at once, so
 * a resolver that never answers cannot pile threads up.
 */
#define LOOKUPS_MAX 32

static tls_probe_resolver_fn *resolver = getaddrinfo;
static atomic_int lookups_in_flight;

void
tls_probe_set_resolver(tls_probe_resolver_fn *fn)
{
	resolver = fn != NULL ? fn : getaddrinfo;
}

int
tls_probe_lookups_in_flight(void)
{
	return atomic_load(&lookups_in_flight);
}

/*
 * One name lookup, shared by the probe that waits for it and the thread
 * that runs it: whichever lets go last frees it (and an abandoned
 * answer).
 */
struct lookup {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	bool done;
	int rc;
	struct addrinfo *res;
	struct tls_target t;
};

static void
lookup_unref(struct lookup *l)
{
	int refs;

	pthread_mutex_lock(&l->mu);
	refs = --l->refs;
	pthread_mutex_unlock(&l->mu);
	if (refs > 0)
		return;
	if (l->res != NULL)
		freeaddrinfo(l->res);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static void *
lookup_run(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_family = AF_UNSPEC},
	                *res = NULL;
	int rc = resolver(l->t.host, l->t.port, &hints, &res);

	pthread_mutex_lock(&l->mu);
	l->rc = rc;
	l->res = rc == 0 ? res : NULL;
	l->done = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	lookup_unref(l);
	atomic_fetch_sub(&lookups_in_flight, 1);
	return NULL;
}

/*
 * T's addresses into *AI, waiting until DEADLINE (CLOCK_MONOTONIC) at
 * most: getaddrinfo() has no timeout of its own, so it runs in a
 * detached thread that is abandoned, not cancelled, at the deadline.
 * False with the reason in WHY.
 */
static bool
resolve_bounded(const struct tls_target *t, const struct timespec *deadline,
                struct addrinfo **ai, char *why, size_t whylen)
{
	struct lookup *l;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t th;
	bool ok = false, started;

	if (atomic_fetch_add(&lookups_in_flight, 1) >= LOOKUPS_MAX) {
		atomic_fetch_sub(&lookups_in_flight, 1);
		snprintf(why, whylen, "name lookup: %d lookups still pending",
		         LOOKUPS_MAX);
		return false;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		atomic_fetch_sub(&lookups_in_flight, 1);
		snprintf(why, whylen, "name lookup: out of memory");
		return false;
	}
	l->t = *t;
	l->refs = 2;
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	started = pthread_create(&th, &ta, lookup_run, l) == 0;
	pthread_attr_destroy(&ta);
	if (!started) {
		atomic_fetch_sub(&lookups_in_flight, 1);
		l->refs = 1;
		snprintf(why, whylen, "name lookup: cannot start");
		goto out;
	}
	pthread_mutex_lock(&l->mu);
	while (!l->done &&
	       pthread_cond_timedwait(&l->cv, &l->mu, deadline) != ETIMEDOUT)
		;
	if (!l->done)
		snprintf(why, whylen, "name lookup: timed out");
	else if (l->rc != 0)
		snprintf(why, whylen, "name lookup: %s", gai_strerror(l->rc));
	else {
		*ai = l->res;
		l->res = NULL;
		ok = true;
	}
	pthread_mutex_unlock(&l->mu);
out:
	lookup_unref(l);
	return ok;
}

/* Milliseconds left until DEADLINE (CLOCK_MONOTONIC), at least 0. */
static int
left_ms(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

static bool
wait_fd(int fd, short events, const struct timespec *deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int rc, ms;

	do {
		if ((ms = left_ms(deadline)) == 0)
			return false;
		rc = poll(&pfd, 1, ms);
	} while (rc < 0 && errno == EINTR);
	return rc > 0;
}

/* A non-blocking TCP connection to one of AI's addresses, or -1. */
static int
connect_any(const struct addrinfo *ai, const struct timespec *deadline,
            char *why, size_t whylen)
{
	for (; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		                ai->ai_protocol);
		int err = 0;
		socklen_t len = sizeof(err);

		if (fd < 0)
			continue;
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
			goto next;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			return fd;
		if (errno != EINPROGRESS)
			goto refused;
		if (!wait_fd(fd, POLLOUT, deadline)) {
			snprintf(why, whylen, "connect: timed out");
			close(fd);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
		    err == 0)
			return fd;
		errno = err;
	refused:
		snprintf(why, whylen, "connect: %s", strerror(errno));
	next:
		close(fd);
	}
	return -1;
}

enum tp_err
tls_probe_spki(const struct tls_target *t, long timeout_ms, uint8_t spki[32],
               char *why, size_t whylen)
{
	struct addrinfo *ai = NULL;
	struct timespec deadline;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	X509 *leaf = NULL;
	enum tp_err ret = TP_ERR_tls_unreachable;
	unsigned char addr[sizeof(struct in6_addr)];
	int fd = -1, rc;

	snprintf(why, whylen, "no address");
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	if (!resolve_bounded(t, &deadline, &ai, why, whylen))
		goto out;
	if ((fd = connect_any(ai, &deadline, why, whylen)) < 0)
		goto out;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    (ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(ssl, fd)) {
		snprintf(why, whylen, "TLS set-up failed");
		goto out;
	}
	/* The chain is not what is trusted (the attested key is); the
	 * handshake still proves the server holds the certificate's key. */
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	/* SNI names hosts, never address literals (RFC 6066, 3). */
	if (inet_pton(AF_INET, t->host, &addr) != 1 &&
	    inet_pton(AF_INET6, t->host, &addr) != 1)
		SSL_set_tlsext_host_name(ssl, t->host);
	for (;;) {
		int e;
		if ((rc = SSL_connect(ssl)) == 1)
			break;
		e = SSL_get_error(ssl, rc);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    !wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
		             &deadline)) {
			snprintf(why, whylen, "TLS handshake: %s",
			         e == SSL_ERROR_WANT_READ ||
			                         e == SSL_ERROR_WANT_WRITE
			                 ? "timed out"
			                 : "failed");
			goto out;
		}
	}
	if ((leaf = SSL_get1_peer_certificate(ssl)) == NULL ||
	    !tls_spki_sha256(leaf, spki)) {
		snprintf(why, whylen, "TLS handshake: no server certificate");
		goto out;
	}
	why[0] = '\0';
	ret = TP_ERR_none;
out:
	ERR_clear_error();
	X509_free(leaf);
	SSL_free(ssl); /* no close_notify wait: the answer is in hand */
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	if (ai != NULL)
		freeaddrinfo(ai);
	return ret;
}
