/* Configuration: file, environment overrides, validation messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"

static const char *
write_conf(const char *text)
{
	static char path[] = "/tmp/teepass-confXXXXXX";
	int fd;

	strcpy(path, "/tmp/teepass-confXXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_file_and_env(void **state)
{
	struct tp_config c;
	char err[256];
	const char *p = write_conf("# comment\nlisten = 0.0.0.0:9000\n"
	                           "passport_ttl = 3600\n"
	                           "dev_mode = 1\nallow_debug = yes\n");

	config_defaults(&c);
	assert_true(config_load_file(&c, p, err, sizeof(err)));
	assert_string_equal(c.listen_host, "0.0.0.0");
	assert_int_equal(c.listen_port, 9000);
	assert_int_equal(c.passport_ttl, 3600);
	assert_true(c.dev_mode);
	assert_true(c.verify.dev_mode);
	assert_true(c.verify.allow_debug);
	setenv("TEEPASS_LISTEN", "127.0.0.1:8181", 1);
	setenv("TEEPASS_DEV_FIXED_TIME", "2025-07-01T00:00:00Z", 1);
	assert_true(config_load_env(&c, err, sizeof(err)));
	assert_int_equal(c.listen_port, 8181);
	assert_int_equal(config_now(&c), 1751328000);
	c.dev_mode = false;
	assert_true(config_now(&c) > 1751328000); /* never fixed in prod */
	unsetenv("TEEPASS_LISTEN");
	unsetenv("TEEPASS_DEV_FIXED_TIME");
	config_free(&c);
	unlink(p);
}

static void
test_errors(void **state)
{
	struct tp_config c;
	char err[256];
	const char *p;

	config_defaults(&c);
	p = write_conf("listen = 1.2.3.4:80\nbogus_key = 1\n");
	assert_false(config_load_file(&c, p, err, sizeof(err)));
	assert_non_null(strstr(err, ":2: unknown configuration key"));
	unlink(p);
	p = write_conf("passport_ttl = 100000\n");
	assert_false(config_load_file(&c, p, err, sizeof(err)));
	assert_non_null(strstr(err, "86400"));
	unlink(p);
	p = write_conf("no equals sign\n");
	assert_false(config_load_file(&c, p, err, sizeof(err)));
	assert_non_null(strstr(err, "want key = value"));
	unlink(p);
	assert_false(config_set(&c, "dev_fixed_time", "yesterday", err,
	                        sizeof(err)));
	assert_false(config_set(&c, "listen", "8080", err, sizeof(err)));
	assert_false(config_set(&c, "dcap.no_such", "1", err, sizeof(err)));
	assert_false(config_load_file(&c, "/nonexistent", err, sizeof(err)));
	config_free(&c);
}

static void
test_validate(void **state)
{
	struct tp_config c;
	char err[256];

	config_defaults(&c);
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "TEEPASS_DATABASE_URL"));
	config_set(&c, "database_url", "dbname=x", err, sizeof(err));
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "teepass keygen"));
	config_set(&c, "signing_key", "/k.pem", err, sizeof(err));
	/* Production refuses the example issuer, saying what to set. */
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "set TEEPASS_ISSUER"));
	config_set(&c, "issuer", "https://attest.example.org", err,
	           sizeof(err));
	assert_true(config_validate(&c, true, err, sizeof(err)));
	assert_int_equal(c.jwks_max_age, 300);
	assert_false(config_set(&c, "jwks_max_age", "86400", err, sizeof(err)));
	assert_true(config_set(&c, "jwks_max_age", "60", err, sizeof(err)));
	assert_int_equal(c.jwks_max_age, 60);
	config_set(&c, "dev_fixed_time", "2025-01-01T00:00:00Z", err,
	           sizeof(err));
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "refused outside development mode"));
	config_set(&c, "dev_mode", "1", err, sizeof(err));
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "mock_signing_key"));
	config_set(&c, "mock_signing_key", "/k.pem", err, sizeof(err));
	config_set(&c, "mock_attestation_key", "/a.pem", err, sizeof(err));
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "must differ"));
	config_set(&c, "mock_signing_key", "/m.pem", err, sizeof(err));
	assert_true(config_validate(&c, true, err, sizeof(err)));
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_file_and_env),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_validate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
