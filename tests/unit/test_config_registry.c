/* Configuration keys of the endpoint registry: verify_requires_key and
 * verify_rate_limit (config/teepass.conf.example, docs/registry.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"

static void
test_defaults(void **state)
{
	struct tp_config c;

	config_defaults(&c);
	/* The contract: verify is open by default, rate-limited. */
	assert_false(c.verify_requires_key);
	assert_int_equal(c.verify_rate_limit, 600);
	config_free(&c);
}

static void
test_values(void **state)
{
	struct tp_config c;
	char err[256];

	config_defaults(&c);
	assert_true(
	        config_set(&c, "verify_requires_key", "1", err, sizeof(err)));
	assert_true(c.verify_requires_key);
	assert_true(
	        config_set(&c, "verify_requires_key", "off", err, sizeof(err)));
	assert_false(c.verify_requires_key);
	assert_true(config_set(&c, "verify_rate_limit", "0", err, sizeof(err)));
	assert_int_equal(c.verify_rate_limit, 0);
	assert_true(config_set(&c, "verify_rate_limit", "1000000", err,
	                       sizeof(err)));
	assert_int_equal(c.verify_rate_limit, 1000000);
	assert_false(config_set(&c, "verify_requires_key", "maybe", err,
	                        sizeof(err)));
	assert_non_null(strstr(err, "verify_requires_key"));
	assert_false(
	        config_set(&c, "verify_rate_limit", "-1", err, sizeof(err)));
	assert_false(config_set(&c, "verify_rate_limit", "1000001", err,
	                        sizeof(err)));
	assert_false(config_set(&c, "verify_rate_limit", "10/min", err,
	                        sizeof(err)));
	assert_int_equal(c.verify_rate_limit, 1000000);
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
