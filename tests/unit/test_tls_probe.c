/*
 * The attested-TLS probe's time bound covers the name lookup (issue 18):
 * a resolver that never answers (injected through the test seam) makes
 * the probe return tls_unreachable "name lookup: timed out" at its
 * deadline; the abandoned lookup finishes and frees itself once the
 * resolver returns. No assertion on elapsed time: the probe returning at
 * all while the resolver is still blocked is the proof.
 */
#include <errno.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/tls_target.h"
#include "handlers/tls_probe.h"

static int gate[2];
static int entered[2];

/* Blocks until the test writes to GATE, then answers "no such name". */
static int
blocked_resolver(const char *host, const char *port,
                 const struct addrinfo *hints, struct addrinfo **res)
{
	char c = 0;
	ssize_t n;

	(void)host;
	(void)port;
	(void)hints;
	*res = NULL;
	n = write(entered[1], &c, 1);
	(void)n;
	while ((n = read(gate[0], &c, 1)) < 0 && errno == EINTR)
		;
	return EAI_NONAME;
}

static void
wait_lookups_done(void)
{
	struct timespec ms = {0, 1000000};

	/* A condition, not a timer: loop until the abandoned lookup has
	 * let go (bounded so a bug fails instead of hanging ctest). */
	for (int i = 0; i < 600000 && tls_probe_lookups_in_flight() > 0; i++)
		nanosleep(&ms, NULL);
	assert_int_equal(tls_probe_lookups_in_flight(), 0);
}

static void
test_lookup_bounded(void **state)
{
	struct tls_target t;
	uint8_t spki[32];
	char why[256], c;

	(void)state;
	assert_int_equal(pipe(gate), 0);
	assert_int_equal(pipe(entered), 0);
	assert_true(tls_target_parse("https://never-answers.test/", &t));
	tls_probe_set_resolver(blocked_resolver);
	assert_int_equal(tls_probe_spki(&t, 50, spki, why, sizeof(why)),
	                 TP_ERR_tls_unreachable);
	assert_string_equal(why, "name lookup: timed out");
	/* The resolver was really asked and is still blocked. */
	assert_int_equal(read(entered[0], &c, 1), 1);
	assert_int_equal(tls_probe_lookups_in_flight(), 1);
	c = 0;
	assert_int_equal(write(gate[1], &c, 1), 1);
	wait_lookups_done();
	tls_probe_set_resolver(NULL);
	for (int i = 0; i < 2; i++) {
		close(gate[i]);
		close(entered[i]);
	}
}

/* A resolver that answers in time: its error is the probe's reason. */
static int
nxdomain_resolver(const char *host, const char *port,
                  const struct addrinfo *hints, struct addrinfo **res)
{
	(void)host;
	(void)port;
	(void)hints;
	*res = NULL;
	return EAI_NONAME;
}

static void
test_lookup_answer(void **state)
{
	struct tls_target t;
	uint8_t spki[32];
	char why[256];

	(void)state;
	assert_true(tls_target_parse("https://no-such-name.test/", &t));
	tls_probe_set_resolver(nxdomain_resolver);
	/* A long deadline: the answer, not the timeout, ends the wait. */
	assert_int_equal(tls_probe_spki(&t, 600000, spki, why, sizeof(why)),
	                 TP_ERR_tls_unreachable);
	assert_non_null(strstr(why, "name lookup: "));
	assert_null(strstr(why, "timed out"));
	wait_lookups_done();
	tls_probe_set_resolver(NULL);
}

/* The real resolver on an address literal, nothing listening. */
static void
test_real_resolver_refused(void **state)
{
	struct tls_target t;
	uint8_t spki[32];
	char why[256];

	(void)state;
	/* Port 1 on loopback: nothing listens there as root's tests run. */
	assert_true(tls_target_parse("https://127.0.0.1:1/", &t));
	assert_int_equal(tls_probe_spki(&t, 600000, spki, why, sizeof(why)),
	                 TP_ERR_tls_unreachable);
	assert_non_null(strstr(why, "connect: "));
	wait_lookups_done();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_lookup_bounded),
	        cmocka_unit_test(test_lookup_answer),
	        cmocka_unit_test(test_real_resolver_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
