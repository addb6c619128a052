/* Configuration keys of the service limits and HTTPS (issue 15):
 * max_connections_per_address, request_deadline, shutdown_grace,
 * tls_cert_file/tls_key_file, trusted_proxy (config/teepass.conf.example,
 * docs/operations.md). */
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
	assert_int_equal(c.max_connections_per_address, 64);
	assert_int_equal(c.request_deadline, 30);
	assert_int_equal(c.shutdown_grace, 20);
	assert_null(c.tls_cert_file);
	assert_null(c.tls_key_file);
	assert_false(c.trusted_proxy);
	assert_null(c.database_read_url);
	assert_int_equal(c.database_read_max_lag_ms, 1000);
	config_free(&c);
}

static void
test_read_url(void **state)
{
	struct tp_config c;
	char err[256];

	config_defaults(&c);
	assert_true(config_set(&c, "database_read_url",
	                       "host=/run/replica dbname=teepass", err,
	                       sizeof(err)));
	assert_string_equal(c.database_read_url,
	                    "host=/run/replica dbname=teepass");
	/* Empty: no replica. */
	assert_true(config_set(&c, "database_read_url", "", err, sizeof(err)));
	assert_null(c.database_read_url);
	assert_true(config_set(&c, "database_read_max_lag_ms", "0", err,
	                       sizeof(err)));
	assert_int_equal(c.database_read_max_lag_ms, 0);
	assert_true(config_set(&c, "database_read_max_lag_ms", "3600000", err,
	                       sizeof(err)));
	assert_false(config_set(&c, "database_read_max_lag_ms", "3600001", err,
	                        sizeof(err)));
	assert_non_null(strstr(err, "database_read_max_lag_ms"));
	assert_false(config_set(&c, "database_read_max_lag_ms", "-1", err,
	                        sizeof(err)));
	assert_false(config_set(&c, "database_read_max_lag_ms", "1s", err,
	                        sizeof(err)));
	assert_int_equal(c.database_read_max_lag_ms, 3600000);
	config_free(&c);
}

static void
test_bounds(void **state)
{
	struct tp_config c;
	char err[256];

	config_defaults(&c);
	assert_true(config_set(&c, "max_connections_per_address", "0", err,
	                       sizeof(err)));
	assert_int_equal(c.max_connections_per_address, 0);
	assert_true(config_set(&c, "max_connections_per_address", "1024", err,
	                       sizeof(err)));
	assert_false(config_set(&c, "max_connections_per_address", "1025", err,
	                        sizeof(err)));
	assert_non_null(strstr(err, "max_connections_per_address"));
	assert_int_equal(c.max_connections_per_address, 1024);
	assert_true(config_set(&c, "request_deadline", "1", err, sizeof(err)));
	assert_int_equal(c.request_deadline, 1);
	assert_false(config_set(&c, "request_deadline", "0", err, sizeof(err)));
	assert_false(
	        config_set(&c, "request_deadline", "601", err, sizeof(err)));
	assert_false(
	        config_set(&c, "request_deadline", "5s", err, sizeof(err)));
	assert_int_equal(c.request_deadline, 1);
	assert_true(config_set(&c, "shutdown_grace", "600", err, sizeof(err)));
	assert_false(config_set(&c, "shutdown_grace", "0", err, sizeof(err)));
	assert_int_equal(c.shutdown_grace, 600);
	assert_true(config_set(&c, "trusted_proxy", "1", err, sizeof(err)));
	assert_true(c.trusted_proxy);
	assert_false(config_set(&c, "trusted_proxy", "yes please", err,
	                        sizeof(err)));
	config_free(&c);
}

static void
test_tls_pair(void **state)
{
	struct tp_config c;
	char err[256];

	config_defaults(&c);
	assert_true(config_set(&c, "database_url", "x", err, sizeof(err)));
	assert_true(config_set(&c, "signing_key", "k.pem", err, sizeof(err)));
	/* Production refuses the example issuer. */
	assert_true(config_set(&c, "issuer", "https://verifier.test", err,
	                       sizeof(err)));
	assert_true(config_validate(&c, true, err, sizeof(err)));
	/* A certificate without its key (or the reverse) is refused. */
	assert_true(config_set(&c, "tls_cert_file", "/etc/t.crt", err,
	                       sizeof(err)));
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "tls_key_file"));
	assert_true(
	        config_set(&c, "tls_key_file", "/etc/t.key", err, sizeof(err)));
	assert_true(config_validate(&c, true, err, sizeof(err)));
	assert_string_equal(c.tls_cert_file, "/etc/t.crt");
	assert_string_equal(c.tls_key_file, "/etc/t.key");
	/* Empty: plain HTTP again. */
	assert_true(config_set(&c, "tls_cert_file", "", err, sizeof(err)));
	assert_null(c.tls_cert_file);
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_true(config_set(&c, "tls_key_file", "", err, sizeof(err)));
	assert_null(c.tls_key_file);
	assert_true(config_validate(&c, true, err, sizeof(err)));
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_read_url),
	        cmocka_unit_test(test_bounds),
	        cmocka_unit_test(test_tls_pair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
