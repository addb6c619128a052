/* Configuration keys of push (docs/events.md): defaults, bounds, and
 * that config/teepass.conf.example documents every one with its default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"

static const struct {
	const char *key, *min, *max, *below, *above;
} ranges[] = {
        {"events_max_streams", "0", "100000", "-1", "100001"},
        {"events_heartbeat", "1", "300", "0", "301"},
        {"events_poll_ms", "10", "60000", "9", "60001"},
        {"events_retention_days", "1", "36500", "0", "36501"},
        {"webhook_timeout_ms", "100", "60000", "99", "60001"},
        {"webhook_max_attempts", "1", "50", "0", "51"},
        {"webhook_retry_base_ms", "10", "3600000", "9", "3600001"},
        {"webhook_workers", "1", "16", "0", "17"},
};

static void
test_defaults(void **state)
{
	struct tp_config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.events_max_streams, 256);
	assert_int_equal(c.events_heartbeat, 15);
	assert_int_equal(c.events_poll_ms, 250);
	assert_int_equal(c.events_retention_days, 30);
	assert_int_equal(c.webhook_timeout_ms, 5000);
	assert_int_equal(c.webhook_max_attempts, 8);
	assert_int_equal(c.webhook_retry_base_ms, 1000);
	assert_int_equal(c.webhook_workers, 2);
	assert_false(c.webhook_allow_private);
	config_free(&c);
}

static void
test_bounds(void **state)
{
	struct tp_config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		assert_true(config_set(&c, ranges[i].key, ranges[i].min, err,
		                       sizeof(err)));
		assert_true(config_set(&c, ranges[i].key, ranges[i].max, err,
		                       sizeof(err)));
		assert_false(config_set(&c, ranges[i].key, ranges[i].below, err,
		                        sizeof(err)));
		assert_non_null(strstr(err, ranges[i].key));
		assert_false(config_set(&c, ranges[i].key, ranges[i].above, err,
		                        sizeof(err)));
		assert_false(
		        config_set(&c, ranges[i].key, "5s", err, sizeof(err)));
	}
	assert_int_equal(c.events_heartbeat, 300);
	assert_true(
	        config_set(&c, "webhook_allow_private", "1", err, sizeof(err)));
	assert_true(c.webhook_allow_private);
	assert_false(config_set(&c, "webhook_allow_private", "sometimes", err,
	                        sizeof(err)));
	config_free(&c);
}

/* The example file parses, and sets each push key to its default. */
static void
test_example(void **state)
{
	struct tp_config c, d;
	char err[256], path[1024];
	const char *src = getenv("TEEPASS_SOURCE_DIR");

	(void)state;
	snprintf(path, sizeof(path), "%s/config/teepass.conf.example",
	         src != NULL ? src : ".");
	config_defaults(&d);
	config_defaults(&c);
	/* Start from other values: the file must set each key. */
	c.events_max_streams = c.events_heartbeat = c.events_poll_ms = -1;
	c.events_retention_days = c.webhook_timeout_ms = -1;
	c.webhook_max_attempts = c.webhook_retry_base_ms = -1;
	c.webhook_workers = -1;
	c.webhook_allow_private = true;
	assert_true(config_load_file(&c, path, err, sizeof(err)));
	assert_int_equal(c.events_max_streams, d.events_max_streams);
	assert_int_equal(c.events_heartbeat, d.events_heartbeat);
	assert_int_equal(c.events_poll_ms, d.events_poll_ms);
	assert_int_equal(c.events_retention_days, d.events_retention_days);
	assert_int_equal(c.webhook_timeout_ms, d.webhook_timeout_ms);
	assert_int_equal(c.webhook_max_attempts, d.webhook_max_attempts);
	assert_int_equal(c.webhook_retry_base_ms, d.webhook_retry_base_ms);
	assert_int_equal(c.webhook_workers, d.webhook_workers);
	assert_false(c.webhook_allow_private);
	config_free(&c);
	config_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_bounds),
	        cmocka_unit_test(test_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
