/* The common appraisal: runtime_data binding, expected values, nonce
 * binding, evidence age. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "verify/core/expected.h"
#include "verify/verify.h"
#include "tests/unit/test_verdict.h"

static struct verify_config cfg;

static const char RD[] = "{\"nonce\":\"0a0b\",\"model\":\"sha256:AA\","
                         "\"config\":\"sha256:cc\",\"auditors\":[\"x\",\"y\"]}";

/* An authentic-looking verdict with REPORT (LEN bytes) as its binding. */
static void
start(struct verdict *v, const uint8_t *report, size_t len)
{
	verdict_init(v, TP_PROVIDER_MOCK, 1000);
	verdict_pass(v, "signature");
	verdict_claim_str(v, "mrtd", "00ff");
	verdict_claim_bool(v, "debug", false);
	verdict_add_binding(v, "report_data", report, len);
}

static void
appraise(struct verdict *v, const char *expected, const uint8_t *nonce)
{
	struct verify_request req = {0};
	json_t *exp = expected ? json_loads(expected, 0, NULL) : NULL;

	req.runtime_data = (const uint8_t *)RD;
	req.runtime_data_len = strlen(RD);
	req.expected = exp;
	req.nonce = nonce;
	req.nonce_len = nonce ? 2 : 0;
	req.now = 1000;
	req.cfg = &cfg;
	verify_appraise(&req, v);
	json_decref(exp);
}

static void
test_binding_forms(void **state)
{
	uint8_t s512[64], s256[64] = {0};
	struct verdict v;

	SHA512((const uint8_t *)RD, strlen(RD), s512);
	SHA256((const uint8_t *)RD, strlen(RD), s256);
	/* SHA-512 in 64 bytes, SHA-256 || 0^32, SHA-256 in 32 bytes. */
	start(&v, s512, 64);
	appraise(&v, NULL, NULL);
	assert_int_equal(v.binding_valid, TP_TRUE);
	assert_true(verdict_valid(&v));
	assert_non_null(json_object_get(v.claims, "runtime_data"));
	verdict_free(&v);
	start(&v, s256, 64);
	appraise(&v, NULL, NULL);
	assert_int_equal(v.binding_valid, TP_TRUE);
	verdict_free(&v);
	start(&v, s256, 32);
	appraise(&v, NULL, NULL);
	assert_int_equal(v.binding_valid, TP_TRUE);
	verdict_free(&v);
	/* SHA-256 with non-zero padding is not a binding. */
	s256[40] = 1;
	start(&v, s256, 64);
	appraise(&v, NULL, NULL);
	assert_int_equal(v.binding_valid, TP_FALSE);
	assert_string_equal(first_error(&v), "binding_mismatch");
	assert_null(v.bound);
	assert_false(verdict_valid(&v));
	verdict_free(&v);
	/* No field to bind to. */
	verdict_init(&v, TP_PROVIDER_MOCK, 1000);
	verdict_pass(&v, "signature");
	appraise(&v, NULL, NULL);
	assert_string_equal(first_error(&v), "binding_unavailable");
	verdict_free(&v);
}

static void
test_expected(void **state)
{
	uint8_t s512[64];
	struct verdict v;

	SHA512((const uint8_t *)RD, strlen(RD), s512);
	start(&v, s512, 64);
	/* Hex compares case-insensitively, auditors as a set. */
	appraise(&v,
	         "{\"runtime\":{\"mrtd\":\"00FF\",\"debug\":false},"
	         "\"model\":\"sha256:aa\",\"config\":\"sha256:cc\","
	         "\"auditors\":[\"y\",\"x\"]}",
	         NULL);
	assert_int_equal(v.measurements_valid, TP_TRUE);
	assert_true(verdict_valid(&v));
	verdict_free(&v);

	static const struct {
		const char *expected, *code;
	} bad[] = {
	        {"{\"runtime\":{\"mrtd\":\"00fe\"}}", "measurement_mismatch"},
	        {"{\"runtime\":{\"rtmr9\":\"00\"}}", "measurement_unknown"},
	        {"{\"runtime\":{\"debug\":true}}", "measurement_mismatch"},
	        {"{\"model\":\"sha256:ab\"}", "model_mismatch"},
	        {"{\"config\":\"sha256:cd\"}", "config_mismatch"},
	        {"{\"auditors\":[\"x\"]}", "auditors_mismatch"},
	        {"{\"auditors\":[\"x\",\"z\"]}", "auditors_mismatch"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start(&v, s512, 64);
		appraise(&v, bad[i].expected, NULL);
		assert_int_equal(v.measurements_valid, TP_FALSE);
		assert_string_equal(first_error(&v), bad[i].code);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
	}
	/* Model expected but nothing bound: refused, not ignored. */
	uint8_t zero[64] = {0};
	start(&v, zero, 64);
	appraise(&v, "{\"model\":\"sha256:aa\"}", NULL);
	assert_string_equal(first_error(&v), "binding_mismatch");
	assert_true(verdict_has_error(&v, TP_ERR_runtime_data_missing));
	verdict_free(&v);
}

static void
test_expected_validate(void **state)
{
	char field[96];
	json_t *j;

	j = json_loads("{\"runtime\":{\"a\":1},\"model\":\"m\"}", 0, NULL);
	assert_true(expected_validate(j, field, sizeof(field)));
	json_decref(j);
	j = json_loads("{\"runtime\":{\"a\":[1]}}", 0, NULL);
	assert_false(expected_validate(j, field, sizeof(field)));
	assert_string_equal(field, "expected.runtime.a");
	json_decref(j);
	j = json_loads("{\"auditors\":[1]}", 0, NULL);
	assert_false(expected_validate(j, field, sizeof(field)));
	assert_string_equal(field, "expected.auditors[0]");
	json_decref(j);
	j = json_loads("{\"<b>\":1}", 0, NULL);
	assert_false(expected_validate(j, field, sizeof(field)));
	assert_string_equal(field, "expected.(key)");
	json_decref(j);
}

static void
test_nonce_binding(void **state)
{
	static const uint8_t nonce[2] = {0x0a, 0x0b}, wrong[2] = {1, 2};
	uint8_t s512[64], direct[64] = {0x0a, 0x0b};
	struct verdict v;

	SHA512((const uint8_t *)RD, strlen(RD), s512);
	/* Through runtime_data.nonce. */
	start(&v, s512, 64);
	appraise(&v, NULL, nonce);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	start(&v, s512, 64);
	appraise(&v, NULL, wrong);
	assert_true(verdict_has_error(&v, TP_ERR_nonce_not_bound));
	assert_int_equal(v.fresh, TP_FALSE);
	verdict_free(&v);
	/* Or directly at the start of report_data (no runtime_data). */
	struct verify_request req = {0};
	req.nonce = nonce;
	req.nonce_len = 2;
	req.now = 1000;
	req.cfg = &cfg;
	start(&v, direct, 64);
	verify_appraise(&req, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
}

static void
test_age(void **state)
{
	struct verify_request req = {0};
	struct verdict v;
	uint8_t zero[64] = {0};

	req.cfg = &cfg;
	req.now = 100000;
	start(&v, zero, 64);
	v.evidence_time = 100000 - cfg.max_evidence_age;
	verify_appraise(&req, &v);
	assert_int_equal(v.fresh, TP_TRUE);
	verdict_free(&v);
	start(&v, zero, 64);
	v.evidence_time = 100000 - cfg.max_evidence_age - 1;
	verify_appraise(&req, &v);
	assert_string_equal(first_error(&v), "evidence_too_old");
	verdict_free(&v);
	start(&v, zero, 64);
	v.evidence_time = 100000 + cfg.clock_skew + 1;
	verify_appraise(&req, &v);
	assert_string_equal(first_error(&v), "evidence_from_future");
	verdict_free(&v);
}

static void
test_verdict_rules(void **state)
{
	struct verdict v;
	json_t *j;

	/* Nothing ran: never valid. */
	verdict_init(&v, TP_PROVIDER_NONE, 0);
	assert_false(verdict_valid(&v));
	assert_string_equal(verdict_status(&v), "none");
	verdict_free(&v);
	/* A failed check never coexists with valid: true. */
	verdict_init(&v, TP_PROVIDER_INTEL_TDX, 0);
	v.hardware_verified = true;
	verdict_pass(&v, "a");
	assert_string_equal(verdict_status(&v), "affirming");
	verdict_fail(&v, "b", TP_ERR_policy_violation, "x");
	j = verdict_to_json(&v);
	assert_true(json_is_false(json_object_get(j, "valid")));
	assert_true(json_is_false(json_object_get(j, "hardware_verified")));
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	                    "contraindicated");
	json_decref(j);
	verdict_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_binding_forms),
	        cmocka_unit_test(test_expected),
	        cmocka_unit_test(test_expected_validate),
	        cmocka_unit_test(test_nonce_binding),
	        cmocka_unit_test(test_age),
	        cmocka_unit_test(test_verdict_rules),
	};
	verify_config_defaults(&cfg);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
