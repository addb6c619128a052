/*
 * Re-appraisal's pure parts (handlers/reappraise.h): the rule that says
 * when a verdict is worse, and what a passport's appraisal records —
 * the digests the job selection compares (a job affects the passports
 * whose collateral set holds its kind and key with another digest) and
 * the blobs stored once. The SQL and the engine run against a real
 * PostgreSQL in tests/integration/reappraisal.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "handlers/attestation.h"
#include "handlers/reappraise.h"

static void
test_rule(void **state)
{
	(void)state;
	/* Worse: a lower tier, or invalid. */
	assert_int_equal(reappraise_rule("affirming", true, "warning", false),
	                 REAPPRAISE_SUPERSEDED);
	assert_int_equal(
	        reappraise_rule("affirming", false, "contraindicated", false),
	        REAPPRAISE_SUPERSEDED);
	assert_int_equal(reappraise_rule("warning", false, "none", false),
	                 REAPPRAISE_SUPERSEDED);
	/* Invalid with an "affirming" tier is still invalid. */
	assert_int_equal(reappraise_rule("warning", false, "affirming", false),
	                 REAPPRAISE_SUPERSEDED);
	/* Revoked only when worse and a certificate is revoked. */
	assert_int_equal(
	        reappraise_rule("affirming", false, "contraindicated", true),
	        REAPPRAISE_REVOKED);
	assert_int_equal(reappraise_rule("affirming", true, "affirming", true),
	                 REAPPRAISE_UNCHANGED);
	/* Same or better: unchanged. */
	assert_int_equal(reappraise_rule("affirming", true, "affirming", false),
	                 REAPPRAISE_UNCHANGED);
	assert_int_equal(reappraise_rule("warning", true, "affirming", false),
	                 REAPPRAISE_UNCHANGED);
	assert_int_equal(reappraise_rule("warning", true, "warning", false),
	                 REAPPRAISE_UNCHANGED);
	assert_string_equal(reappraise_outcome_name(REAPPRAISE_SUPERSEDED),
	                    "superseded");
	assert_string_equal(reappraise_outcome_name(REAPPRAISE_UNSUPPORTED),
	                    "unsupported");
}

static void
hex256(const void *buf, size_t len, char out[65])
{
	uint8_t md[32];

	SHA256(buf, len, md);
	codec_hex_encode_to(md, 32, out);
}

/* An attestation as the verify path leaves it, with two artifacts. */
static void
fill(struct attestation *a, struct artifact_set *set, const char *tcb)
{
	static uint8_t rd[] = "{\"model\":\"sha256:00\"}";

	memset(a, 0, sizeof(*a));
	verdict_init(&a->v, TP_PROVIDER_INTEL_TDX, 1752105600);
	a->verified = true;
	a->runtime_data = rd;
	a->runtime_data_len = sizeof(rd) - 1;
	memset(a->nonce, 0xab, 32);
	a->has_nonce = true;
	a->endpoint_id = "0b7a4b2e-8f1e-4a53-9d59-6b0f1c2d3e4f";
	a->ref_version = 2;
	a->ref_sha256 = "sha256:11";
	artifact_set_init(set);
	assert_true(artifact_set_add(set, ARTIFACT_INTEL_TCB_INFO,
	                             "tdx/b0c06f000000", tcb, strlen(tcb),
	                             "CHAIN", 5, "cache", 0));
	assert_true(artifact_set_add(set, ARTIFACT_INTEL_PCK_CRL, "platform",
	                             "crl", 3, NULL, 0, "cache", 0));
	a->sets = set;
}

static void
release(struct attestation *a, struct artifact_set *set)
{
	free(a->appraisal_json);
	free(a->blobs_json);
	free(a->set_json);
	json_decref(a->passport);
	verdict_free(&a->v);
	artifact_set_clear(set);
}

static void
test_record(void **state)
{
	struct attestation a, b, n;
	struct artifact_set sa, sb, sn;
	json_t *in, *set, *blobs, *e;
	char want[65];
	size_t i;
	bool tcb_blob = false;

	(void)state;
	fill(&a, &sa, "{\"tcbInfo\":{\"v\":1}}");
	assert_true(appraisal_record(&a));
	in = json_loads(a.appraisal_json, 0, NULL);
	set = json_loads(a.set_json, 0, NULL);
	blobs = json_loads(a.blobs_json, 0, NULL);
	assert_non_null(in);
	assert_non_null(set);
	assert_non_null(blobs);
	assert_string_equal(json_string_value(json_object_get(in, "provider")),
	                    "IntelTdx");
	hex256(a.runtime_data, a.runtime_data_len, want);
	assert_string_equal(
	        json_string_value(json_object_get(in, "runtime_data")), want);
	assert_string_equal(json_string_value(json_object_get(in, "nonce")),
	                    "abababababababababababababababababababababababab"
	                    "abababababababab");
	assert_string_equal(
	        json_string_value(json_object_get(in, "ref_sha256")),
	        "sha256:11");
	assert_null(json_object_get(in, "expected"));
	/* The set lists kind, key and the digest of each body and chain. */
	assert_int_equal(json_array_size(set), 2);
	e = json_array_get(set, 0);
	assert_string_equal(json_string_value(json_object_get(e, "kind")),
	                    "intel_tcb_info");
	assert_string_equal(json_string_value(json_object_get(e, "key")),
	                    "tdx/b0c06f000000");
	hex256("{\"tcbInfo\":{\"v\":1}}", 19, want);
	assert_string_equal(json_string_value(json_object_get(e, "sha256")),
	                    want);
	hex256("CHAIN", 5, want);
	assert_string_equal(
	        json_string_value(json_object_get(e, "chain_sha256")), want);
	assert_null(json_object_get(json_array_get(set, 1), "chain_sha256"));
	/* Blobs: runtime data, the two bodies and the chain. */
	assert_int_equal(json_array_size(blobs), 4);
	hex256("{\"tcbInfo\":{\"v\":1}}", 19, want);
	json_array_foreach(
	        blobs, i,
	        e) if (strcmp(json_string_value(json_object_get(e, "s")),
	                      want) == 0) tcb_blob = true;
	assert_true(tcb_blob);
	assert_string_equal(a.row.set_sha256, a.set_hex);

	/* The same artifacts: the same set. Once committed, a passport
	 * with it sends only its own inputs. */
	snprintf(a.passport_id, sizeof(a.passport_id), "%s",
	         "7d1c1f7e-0000-4000-8000-000000000001");
	a.passport = json_pack("{s:s}", "id", a.passport_id);
	appraisal_record_committed(&a);
	fill(&b, &sb, "{\"tcbInfo\":{\"v\":1}}");
	assert_true(appraisal_record(&b));
	assert_string_equal(b.set_hex, a.set_hex);
	json_decref(blobs);
	blobs = json_loads(b.blobs_json, 0, NULL);
	assert_int_equal(json_array_size(blobs), 1);

	/* A superseding TCB Info for the same key: another set, whose item
	 * digest differs from the job's old one. */
	fill(&n, &sn, "{\"tcbInfo\":{\"v\":2}}");
	assert_true(appraisal_record(&n));
	assert_string_not_equal(n.set_hex, a.set_hex);
	json_decref(set);
	set = json_loads(n.set_json, 0, NULL);
	hex256("{\"tcbInfo\":{\"v\":2}}", 19, want);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(set, 0), "sha256")),
	                    want);

	json_decref(in);
	json_decref(set);
	json_decref(blobs);
	release(&a, &sa);
	release(&b, &sb);
	release(&n, &sn);
}

/*
 * Composite: each device's provider and evidence digest recorded in
 * order, its evidence a blob; its collateral in the one set, with
 * "device": 1 + i (the CPU's entries without it).
 */
static void
test_record_devices(void **state)
{
	static const uint8_t gpu_ev[] = "spdm evidence";
	struct attestation a;
	struct artifact_set sets[2];
	json_t *in, *set, *blobs, *devs, *e;
	char want[65];
	size_t i;
	bool ev_blob = false;

	(void)state;
	fill(&a, &sets[0], "{\"tcbInfo\":{\"v\":3}}");
	artifact_set_init(&sets[1]);
	assert_true(artifact_set_add(&sets[1], ARTIFACT_NVIDIA_DEVICE_CHAIN, "",
	                             "PEM", 3, NULL, 0, "request", 0));
	a.sets = sets;
	a.n_devices = 1;
	a.devices[0].provider = TP_PROVIDER_NVIDIA_GPU;
	a.devices[0].evidence = gpu_ev;
	a.devices[0].evidence_len = sizeof(gpu_ev) - 1;
	assert_true(appraisal_record(&a));
	in = json_loads(a.appraisal_json, 0, NULL);
	set = json_loads(a.set_json, 0, NULL);
	blobs = json_loads(a.blobs_json, 0, NULL);
	devs = json_object_get(in, "devices");
	assert_true(json_is_array(devs));
	assert_int_equal(json_array_size(devs), 1);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(devs, 0), "provider")),
	                    "NvidiaGpu");
	hex256(gpu_ev, sizeof(gpu_ev) - 1, want);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(devs, 0), "evidence")),
	                    want);
	json_array_foreach(
	        blobs, i,
	        e) if (strcmp(json_string_value(json_object_get(e, "s")),
	                      want) == 0) ev_blob = true;
	assert_true(ev_blob);
	assert_int_equal(json_array_size(set), 3);
	assert_null(json_object_get(json_array_get(set, 0), "device"));
	assert_null(json_object_get(json_array_get(set, 1), "device"));
	assert_int_equal(json_integer_value(json_object_get(
	                         json_array_get(set, 2), "device")),
	                 1);
	json_decref(in);
	json_decref(set);
	json_decref(blobs);
	artifact_set_clear(&sets[1]);
	release(&a, &sets[0]);
}

/* The recorded errors: the verdict's, then each invalid device's own,
 * named; a valid device's are not listed. */
static void
test_errors_named(void **state)
{
	json_t *v = json_pack(
	        "{s:[{s:s, s:s}], s:{s:{s:b, s:[{s:s}]}, s:{s:b, s:[]}}}",
	        "errors", "code", "device_invalid", "message", "dev0 (...)",
	        "submods", "dev0", "valid", 0, "errors", "code",
	        "tcb_out_of_date", "gpu0", "valid", 1, "errors");
	json_t *e = reappraisal_errors(v);

	(void)state;
	assert_non_null(v);
	assert_non_null(e);
	assert_int_equal(json_array_size(e), 2);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(e, 0), "code")),
	                    "device_invalid");
	assert_null(json_object_get(json_array_get(e, 0), "device"));
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(e, 1), "code")),
	                    "tcb_out_of_date");
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(e, 1), "device")),
	                    "dev0");
	json_decref(e);
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rule),
	        cmocka_unit_test(test_record),
	        cmocka_unit_test(test_record_devices),
	        cmocka_unit_test(test_errors_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
