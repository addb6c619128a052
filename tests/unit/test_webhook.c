/*
 * Webhook signatures (common/webhook_sig.c, docs/events.md): the exact
 * Teepass-Signature format and its HMAC. The expected HMACs were computed
 * with Python's hmac module (hmac.new(secret, b"<t>.<body>",
 * hashlib.sha256).hexdigest()), not by the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/webhook_sig.h"

#define SECRET "whsec_test-secret"
#define BODY   "{\"id\":7,\"type\":\"passport.issued\"}"

static void
test_signature_vector(void **state)
{
	char sig[WEBHOOK_SIG_MAX];

	(void)state;
	assert_true(
	        webhook_signature(SECRET, 1764790000, BODY, strlen(BODY), sig));
	assert_string_equal(sig, "t=1764790000,v1=20e8f6f460ef06e09aea13826ad"
	                         "9271dc5a05d4f75e43a52df3a5c0ab9c9b555");
	/* An empty body signs "<t>." */
	assert_true(webhook_signature(SECRET, 0, "", 0, sig));
	assert_string_equal(sig, "t=0,v1=e30f8e7a355c5a433985f9450f8f0f5800831"
	                         "dfe92da926fd99046a49dbadcac");
}

static void
test_signature_binds(void **state)
{
	char a[WEBHOOK_SIG_MAX], b[WEBHOOK_SIG_MAX];

	(void)state;
	assert_true(
	        webhook_signature(SECRET, 1764790000, BODY, strlen(BODY), a));
	/* Another time, body byte or secret: another MAC. */
	assert_true(
	        webhook_signature(SECRET, 1764790001, BODY, strlen(BODY), b));
	assert_string_not_equal(a + strlen("t=1764790000,"),
	                        b + strlen("t=1764790001,"));
	assert_true(webhook_signature(SECRET, 1764790000, BODY,
	                              strlen(BODY) - 1, b));
	assert_string_not_equal(a, b);
	assert_true(webhook_signature(SECRET "x", 1764790000, BODY,
	                              strlen(BODY), b));
	assert_string_not_equal(a, b);
	assert_false(webhook_signature(SECRET, -1, BODY, strlen(BODY), b));
	/* The largest time fits the buffer. */
	assert_true(
	        webhook_signature(SECRET, INT64_MAX, BODY, strlen(BODY), b));
	assert_int_equal(strlen(b), strlen("t=9223372036854775807,v1=") + 64);
}

static void
test_secret_shape(void **state)
{
	char s1[WEBHOOK_SECRET_LEN + 1], s2[WEBHOOK_SECRET_LEN + 1];

	(void)state;
	assert_true(webhook_secret_generate(s1));
	assert_true(webhook_secret_generate(s2));
	assert_int_equal(strlen(s1), WEBHOOK_SECRET_LEN);
	assert_memory_equal(s1, "whsec_", 6);
	assert_int_equal(strspn(s1 + 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
	                                "klmnopqrstuvwxyz0123456789-_"),
	                 43);
	assert_string_not_equal(s1, s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_signature_vector),
	        cmocka_unit_test(test_signature_binds),
	        cmocka_unit_test(test_secret_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
