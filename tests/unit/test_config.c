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

#include "common/codec.h"
#include "config/config.h"
#include "verify/core/x509.h"
#include "verify/intel/dcap_collateral.h"

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

static X509 *
read_cert(const char *path)
{
	static uint8_t buf[16384];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return x509_parse(buf, n);
}

static char *
root_pin(X509 *x)
{
	uint8_t md[32];

	assert_non_null(x);
	assert_true(x509_sha256(x, md));
	return codec_hex_encode(md, sizeof(md));
}

/* A custom Intel root (docs/operations.md): the file and its pin
 * together, a mismatch refused with both digests, a match anchoring every
 * DCAP check at it, the pinned root by default. */
static void
test_intel_root(void **state)
{
	static const char *intel =
	        TEEPASS_SOURCE_DIR "/config/trust/intel_sgx_root_ca.der";
	static const char *other =
	        TEEPASS_SOURCE_DIR "/config/trust/aws_nitro_root_g1.pem";
	struct tp_config c;
	char err[512], *pin;
	X509 *x;

	(void)state;
	config_defaults(&c);
	config_set(&c, "database_url", "dbname=x", err, sizeof(err));
	config_set(&c, "signing_key", "/k.pem", err, sizeof(err));
	config_set(&c, "issuer", "https://attest.example.org", err,
	           sizeof(err));
	assert_true(config_intel_root_apply(&c, err, sizeof(err)));
	assert_false(dcap_root_ca_overridden());
	assert_string_equal(dcap_root_ca_pin(), DCAP_ROOT_CA_PIN);
	assert_false(config_set(&c, "intel_root_ca_sha256", "abc", err,
	                        sizeof(err)));
	assert_non_null(strstr(err, "64 hex digits"));
	assert_true(
	        config_set(&c, "intel_root_ca_file", other, err, sizeof(err)));
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "both intel_root_ca_file and "
	                            "intel_root_ca_sha256"));
	assert_false(config_intel_root_apply(&c, err, sizeof(err)));
	/* The other root under the Intel root's pin: refused. */
	assert_true(config_set(&c, "intel_root_ca_sha256", DCAP_ROOT_CA_PIN,
	                       err, sizeof(err)));
	assert_true(config_validate(&c, true, err, sizeof(err)));
	assert_false(config_intel_root_apply(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "refusing to trust it"));
	assert_non_null(strstr(err, DCAP_ROOT_CA_PIN));
	assert_false(dcap_root_ca_overridden());
	/* A missing file. */
	config_set(&c, "intel_root_ca_file", "/nonexistent/root.der", err,
	           sizeof(err));
	assert_false(config_intel_root_apply(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/root.der"));
	/* The PEM root under its own pin: every DCAP check anchors there. */
	x = read_cert(other);
	pin = root_pin(x);
	config_set(&c, "intel_root_ca_file", other, err, sizeof(err));
	assert_true(
	        config_set(&c, "intel_root_ca_sha256", pin, err, sizeof(err)));
	assert_true(config_intel_root_apply(&c, err, sizeof(err)));
	assert_true(dcap_root_ca_overridden());
	assert_string_equal(dcap_root_ca_pin(), pin);
	assert_int_equal(X509_cmp(dcap_root_ca(), x), 0);
	/* The DER Intel root named explicitly: the same as the default. */
	config_set(&c, "intel_root_ca_file", intel, err, sizeof(err));
	config_set(&c, "intel_root_ca_sha256", DCAP_ROOT_CA_PIN, err,
	           sizeof(err));
	assert_true(config_intel_root_apply(&c, err, sizeof(err)));
	assert_string_equal(dcap_root_ca_pin(), DCAP_ROOT_CA_PIN);
	dcap_root_ca_override(NULL, NULL);
	assert_false(dcap_root_ca_overridden());
	assert_non_null(dcap_root_ca());
	X509_free(x);
	free(pin);
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_file_and_env),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_validate),
	        cmocka_unit_test(test_intel_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
