/* Mock evidence: build/verify, and hostile variants each with its code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "verify/mock/mock.h"
#include "verify/verify.h"

static EVP_PKEY *key, *other;
static struct verify_config cfg;

static int
setup(void **state)
{
	key = EVP_EC_gen("P-256");
	other = EVP_EC_gen("P-256");
	verify_config_defaults(&cfg);
	cfg.dev_mode = true;
	cfg.mock_attestation_key = key;
	return key == NULL || other == NULL;
}

static int
teardown(void **state)
{
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	return 0;
}

static void
make(uint8_t out[MOCK_EVIDENCE_LEN], uint64_t ts, uint16_t flags, EVP_PKEY *k)
{
	struct mock_evidence ev;

	memset(&ev, 0, sizeof(ev));
	ev.timestamp = ts;
	ev.flags = flags;
	memset(ev.mr[0], 0xab, MOCK_MR_LEN);
	memset(ev.report_data, 0x5a, 64);
	assert_true(mock_build(k, &ev, out));
}

/* Verifies BUF at NOW; returns the first error code or "" when valid. */
static const char *
run(const uint8_t *buf, size_t len, int64_t now, struct verdict *v)
{
	struct verify_request req = {0};
	json_t *e;

	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_MOCK;
	req.now = now;
	req.cfg = &cfg;
	verify_run(&req, v);
	e = json_array_get(v->errors, 0);
	if (verdict_valid(v)) {
		assert_null(e);
		return "";
	}
	assert_non_null(e);
	return json_string_value(json_object_get(e, "code"));
}

static void
test_valid(void **state)
{
	uint8_t buf[MOCK_EVIDENCE_LEN];
	struct verdict v;

	make(buf, 1000, 0, key);
	assert_string_equal(run(buf, sizeof(buf), 1100, &v), "");
	assert_false(v.hardware_verified);
	assert_string_equal(verdict_status(&v), "warning");
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.fresh, TP_TRUE);
	assert_string_equal(
	        json_string_value(json_object_get(v.claims, "mr0")),
	        "abababababababababababababababababababababababababababababab"
	        "abababababababababababababababababab");
	verdict_free(&v);
}

static void
test_truncation_every_offset(void **state)
{
	uint8_t buf[MOCK_EVIDENCE_LEN + 1];
	struct verdict v;

	make(buf, 1000, 0, key);
	for (size_t n = 8; n < MOCK_EVIDENCE_LEN; n++) {
		/* A copy of exactly N bytes, so ASan sees any overread. */
		uint8_t *t = malloc(n);
		memcpy(t, buf, n);
		assert_string_equal(run(t, n, 1100, &v), "mock_parse_error");
		verdict_free(&v);
		free(t);
	}
	buf[MOCK_EVIDENCE_LEN] = 0;
	assert_string_equal(run(buf, MOCK_EVIDENCE_LEN + 1, 1100, &v),
	                    "mock_parse_error");
	verdict_free(&v);
	/* Shorter than the magic: not Mock at all. */
	assert_string_equal(run(buf, 4, 1100, &v), "provider_mismatch");
	verdict_free(&v);
}

static void
test_flipped_bytes(void **state)
{
	uint8_t buf[MOCK_EVIDENCE_LEN];
	struct verdict v;
	/* Offsets in each region; what each flip must be refused as. */
	static const struct {
		size_t off;
		const char *code;
	} cases[] = {
	        {0, "provider_mismatch"},        /* magic */
	        {8, "mock_parse_error"},         /* version */
	        {10, "mock_parse_error"},        /* unknown flag bit */
	        {12, "mock_parse_error"},        /* reserved */
	        {16, "mock_signature_invalid"},  /* timestamp */
	        {24, "mock_signature_invalid"},  /* key id */
	        {100, "mock_signature_invalid"}, /* measurement */
	        {250, "mock_signature_invalid"}, /* report_data */
	        {313, "mock_signature_invalid"}, /* r */
	        {350, "mock_signature_invalid"}, /* s */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make(buf, 1000, 0, key);
		buf[cases[i].off] ^= cases[i].off == 10 ? 0x02 : 0x01;
		assert_string_equal(run(buf, sizeof(buf), 1100, &v),
		                    cases[i].code);
		verdict_free(&v);
	}
}

static void
test_policy(void **state)
{
	uint8_t buf[MOCK_EVIDENCE_LEN];
	struct verdict v;

	make(buf, 1000, 0, other);
	assert_string_equal(run(buf, sizeof(buf), 1100, &v),
	                    "mock_signature_invalid");
	verdict_free(&v);
	make(buf, 1000, MOCK_FLAG_DEBUG, key);
	assert_string_equal(run(buf, sizeof(buf), 1100, &v),
	                    "debug_not_allowed");
	verdict_free(&v);
	cfg.allow_debug = true;
	assert_string_equal(run(buf, sizeof(buf), 1100, &v), "");
	verdict_free(&v);
	cfg.allow_debug = false;
	cfg.dev_mode = false;
	make(buf, 1000, 0, key);
	assert_string_equal(run(buf, sizeof(buf), 1100, &v), "mock_disabled");
	verdict_free(&v);
	cfg.dev_mode = true;
	cfg.mock_attestation_key = NULL;
	assert_string_equal(run(buf, sizeof(buf), 1100, &v),
	                    "mock_key_unavailable");
	verdict_free(&v);
	cfg.mock_attestation_key = key;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid),
	        cmocka_unit_test(test_truncation_every_offset),
	        cmocka_unit_test(test_flipped_bytes),
	        cmocka_unit_test(test_policy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
