/*
 * Azure TDX CVMs (provider AzureTdxVtpm, verify/azure/azure_tdx_provider.c):
 * the trustee az-tdx-vtpm sample with the dcap-rs Intel collateral of its
 * FMSPC (tests/data/azure/trustee_az_tdx_vtpm_v1/PROVENANCE.md gives the
 * expected verdicts and the time), the default policy's verdict and the
 * policy override, every byte of the verified regions flipped, a TD quote
 * of another TD, another nonce, detection and the provider name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/codec.h"
#include "load/load.h"
#include "verify/azure/hcl_report.h"
#include "verify/intel/dcap_policy.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"
#include "tests/unit/test_verify_util.h"

#define DIR   "tests/data/azure/trustee_az_tdx_vtpm_v1/"
#define COLL  DIR "collateral"
#define DTDX  "tests/data/tdx/dcapqvl_v4_uptodate/"
#define NONCE "challenge" /* the origin test's expected report data */

/* 2025-03-01T00:00:00Z: inside every collateral window (PROVENANCE). */
#define AT 1740787200
/* From PROVENANCE.md (the collector's Python, not teepass). */
#define VAR_SHA256                                                             \
	"9734504f161d104c74e3165c15f779b06a9bb40dfa71937817d7eee68e593839"
#define VAR_LEN 1201
#define TDR_OFF 0x20 /* the TD report in the HCL report */

struct sample {
	json_t *doc;
	uint8_t *hcl, *tdq, *msg;
	size_t hcl_len, tdq_len, msg_len;
	struct artifact_set set; /* the collateral, loaded once */
};

static uint8_t *
member(const json_t *o, const char *name, size_t *n)
{
	uint8_t *out = NULL;
	const char *s = json_string_value(json_object_get(o, name));

	assert_non_null(s);
	assert_true(codec_evidence_decode(s, strlen(s), &out, n));
	return out;
}

static void
sample_load(struct sample *s)
{
	size_t n;
	uint8_t *b = tu_read_file(DIR "evidence.json", &n);

	s->doc = json_loadb((const char *)b, n, 0, NULL);
	free(b);
	assert_non_null(s->doc);
	s->hcl = member(s->doc, "hcl_report", &s->hcl_len);
	s->tdq = member(s->doc, "td_quote", &s->tdq_len);
	s->msg = member(json_object_get(s->doc, "tpm_quote"), "message",
	                &s->msg_len);
	assert_int_equal(s->hcl_len, 2600);
	assert_int_equal(s->tdq_len, 5006);
	tu_collateral_load(TP_PROVIDER_AZURE_TDX_VTPM, COLL, &s->set);
}

static void
sample_free(struct sample *s)
{
	json_decref(s->doc);
	free(s->hcl);
	free(s->tdq);
	free(s->msg);
	artifact_set_clear(&s->set);
}

/* The evidence JSON with the members as they are now in S. */
static char *
rebuild(const struct sample *s)
{
	json_t *d = json_deep_copy(s->doc);
	char *hcl = codec_base64url_encode(s->hcl, s->hcl_len);
	char *tdq = codec_base64url_encode(s->tdq, s->tdq_len);
	char *msg = codec_hex_encode(s->msg, s->msg_len);
	char *out;

	json_object_set_new(d, "hcl_report", json_string(hcl));
	json_object_set_new(d, "td_quote", json_string(tdq));
	json_object_set_new(json_object_get(d, "tpm_quote"), "message",
	                    json_string(msg));
	out = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	free(hcl);
	free(tdq);
	free(msg);
	return out;
}

/* Policy: the default one, or OVERRIDE (TCB OutOfDate accepted, SEPT_VE
 * not required), the keys docs/policy.md names for this sample. */
static void
run(const uint8_t *ev, size_t len, const struct artifact_set *set,
    const char *nonce, bool override, enum tp_provider p, struct verdict *v)
{
	static const char *const keys[] = {"allow_out_of_date", "true",
	                                   "require_sept_ve_disable", "false",
	                                   NULL};
	const struct tu_run r = {set, p,     nonce,
	                         AT,  false, override ? keys : NULL};

	tu_run(&r, ev, len, v);
}

static void
run_sample(const struct sample *s, const char *nonce, bool override,
           struct verdict *v)
{
	char *ev = rebuild(s);

	run((const uint8_t *)ev, strlen(ev), &s->set, nonce, override,
	    TP_PROVIDER_NONE, v);
	free(ev);
}

/* The shipped file, as sent: detected, and the default policy refuses
 * exactly what the Intel collateral and the TD say (PROVENANCE.md). */
static void
test_default_policy(void **state)
{
	struct sample s;
	struct verdict v;
	size_t n;
	uint8_t *ev = tu_read_file(DIR "evidence.json", &n);

	(void)state;
	sample_load(&s);
	assert_int_equal(provider_detect(ev, n), TP_PROVIDER_AZURE_TDX_VTPM);
	run(ev, n, &s.set, NONCE, false, TP_PROVIDER_NONE, &v);
	assert_false(verdict_valid(&v));
	assert_int_equal(v.provider, TP_PROVIDER_AZURE_TDX_VTPM);
	assert_int_equal(json_array_size(v.errors), 2);
	assert_true(tu_has_error(&v, "tcb_out_of_date"));
	assert_true(tu_has_error(&v, "tdx_sept_ve_disable_required"));
	assert_string_equal(v.tcb_status, "OutOfDate");
	/* Everything signed verified: only policy refused it. */
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	verdict_free(&v);
	free(ev);
	sample_free(&s);
}

static void
test_override(void **state)
{
	struct sample s;
	struct verdict v;
	size_t n;
	uint8_t *ev = tu_read_file(DIR "evidence.json", &n);
	const char *rd;

	(void)state;
	sample_load(&s);
	run(ev, n, &s.set, NONCE, true, TP_PROVIDER_NONE, &v);
	if (!verdict_valid(&v))
		print_verdict_errors(&v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	assert_string_equal(v.tcb_status, "OutOfDate");
	assert_string_equal(provider_name(v.provider), "AzureTdxVtpm");
	/* The origin test's claim: report_data == "challenge" (hex), here
	 * the vTPM quote's extraData. */
	assert_string_equal(claim(&v, "extra_data"), "6368616c6c656e6765");
	/* REPORTDATA[0:32] == SHA-256(var data) (collector's value). */
	rd = claim(&v, "report_data");
	assert_non_null(rd);
	assert_memory_equal(rd, VAR_SHA256, 64);
	assert_string_equal(claim(&v, "fmspc"), "00806f050000");
	assert_non_null(json_object_get(v.claims, "vm_configuration"));
	assert_non_null(claim(&v, "attestation_key_sha256"));
	verdict_free(&v);
	/* Named explicitly, with an accepted spelling. */
	{
		enum tp_provider p;

		assert_true(provider_parse("az-tdx-vtpm", &p));
		assert_int_equal(p, TP_PROVIDER_AZURE_TDX_VTPM);
		run(ev, n, &s.set, NONCE, true, p, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
	}
	/* As AzureSnpVtpm it is not: the SNP provider does not claim it. */
	run(ev, n, &s.set, NONCE, true, TP_PROVIDER_AZURE_SNP_VTPM, &v);
	assert_false(verdict_valid(&v));
	assert_true(tu_has_error(&v, "provider_mismatch"));
	verdict_free(&v);
	free(ev);
	sample_free(&s);
}

/* The origin's nonce-failure test: the reversed bytes are refused. */
static void
test_other_nonce(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s);
	run_sample(&s, "egnellahc", true, &v);
	assert_false(verdict_valid(&v));
	assert_true(tu_has_error(&v, "tpm_nonce_mismatch") ||
	            tu_has_error(&v, "nonce_not_bound"));
	verdict_free(&v);
	sample_free(&s);
}

/* Without collateral the TD quote cannot be judged: never valid. */
static void
test_no_collateral(void **state)
{
	struct verdict v;
	size_t n;
	uint8_t *ev = tu_read_file(DIR "evidence.json", &n);
	struct artifact_set empty;

	(void)state;
	artifact_set_init(&empty);
	run(ev, n, &empty, NONCE, true, TP_PROVIDER_NONE, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_true(tu_has_error(&v, "collateral_missing"));
	verdict_free(&v);
	artifact_set_clear(&empty);
	free(ev);
}

/* A genuine TD quote of another TD beside this HCL report. */
static void
test_other_td_quote(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s);
	free(s.tdq);
	s.tdq = tu_read_file(DTDX "quote.bin", &s.tdq_len);
	run_sample(&s, NONCE, true, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_true(tu_has_error(&v, "azure_td_report_mismatch"));
	verdict_free(&v);
	sample_free(&s);
}

/* The sample as it is now, with the policy override: verified. */
static void
flip_run(void *ctx, struct verdict *v)
{
	run_sample(ctx, NONCE, true, v);
}

/*
 * Every byte a check covers: the TD report's fields the TD quote carries
 * (TEE_TCB_INFO[8:128], TDINFO[0:400], REPORTDATA) and its REPORTTYPE, the
 * variable data, the TD quote's signed header and body, and the vTPM's
 * TPMS_ATTEST. (The TD report's MAC, CPUSVN and hashes are MAC-ed for the
 * local platform only and nobody offline can check them; its claims come
 * from the quote.)
 */
static void
test_flip(void **state)
{
	struct sample s;
	const size_t hcl_ranges[][2] = {
	        {TDR_OFF, TDR_OFF + 1},
	        {TDR_OFF + 128, TDR_OFF + 192},
	        {TDR_OFF + 264, TDR_OFF + 384},
	        {TDR_OFF + 512, TDR_OFF + 912},
	        {HCL_VAR_DATA_OFF, HCL_VAR_DATA_OFF + VAR_LEN}};

	(void)state;
	sample_load(&s);
	{
		struct verdict v;

		run_sample(&s, NONCE, true, &v);
		assert_true(verdict_valid(&v)); /* the rebuilt sample */
		verdict_free(&v);
	}
	for (size_t r = 0; r < sizeof(hcl_ranges) / sizeof(hcl_ranges[0]); r++)
		tu_flip_each(s.hcl, hcl_ranges[r][0], hcl_ranges[r][1], 1,
		             flip_run, &s, true, "HCL");
	tu_flip_each(s.tdq, 0, 48 + 584, 1, flip_run, &s, true, "TD quote");
	tu_flip_each(s.msg, 0, s.msg_len, 1, flip_run, &s, true, "TPMS_ATTEST");
	sample_free(&s);
}

/* The kinvolk TDX HCL report parses as TDX and binds its variable data
 * (no TD quote exists for it: MANIFEST.md); SNP reports are refused. */
static void
test_hcl_types(void **state)
{
	struct hcl_report r;
	char why[320];
	size_t n;
	uint8_t *k = tu_read_file("tests/data/azure/kinvolk_az_tdx_hcl/"
	                          "hcl_report.bin",
	                          &n);
	uint8_t *snp;

	(void)state;
	assert_int_equal(hcl_report_parse_type(k, n, HCL_REPORT_TYPE_TDX, &r,
	                                       why, sizeof(why)),
	                 TP_ERR_none);
	assert_int_equal(r.report_type, HCL_REPORT_TYPE_TDX);
	assert_int_equal(r.var_len, 1202);
	free(k);
	snp = tu_read_file("tests/data/azure/trustee_az_snp_vtpm_v2/"
	                   "hcl_report.bin",
	                   &n);
	assert_int_equal(hcl_report_parse_type(snp, n, HCL_REPORT_TYPE_TDX, &r,
	                                       why, sizeof(why)),
	                 TP_ERR_azure_hcl_unsupported);
	assert_non_null(strstr(why, "AzureSnpVtpm"));
	free(snp);
}

/* Truncated and malformed bundles: named, never valid. */
static void
test_hostile(void **state)
{
	struct sample s;
	struct verdict v;
	size_t n;
	uint8_t *ev = tu_read_file(DIR "evidence.json", &n);
	size_t hcl_len;

	(void)state;
	sample_load(&s);
	for (size_t cut = 1; cut < n; cut += 97) {
		run(ev, cut, &s.set, NONCE, true, TP_PROVIDER_AZURE_TDX_VTPM,
		    &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
	}
	hcl_len = s.hcl_len;
	s.hcl_len = 0x4C0 + 10; /* ends inside the runtime header */
	run_sample(&s, NONCE, true, &v);
	assert_false(verdict_valid(&v));
	assert_true(tu_has_error(&v, "azure_hcl_truncated"));
	verdict_free(&v);
	s.hcl_len = hcl_len;
	s.tdq_len = 100; /* a TD quote cut short */
	run_sample(&s, NONCE, true, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	verdict_free(&v);
	free(ev);
	sample_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_default_policy),
	        cmocka_unit_test(test_override),
	        cmocka_unit_test(test_other_nonce),
	        cmocka_unit_test(test_no_collateral),
	        cmocka_unit_test(test_other_td_quote),
	        cmocka_unit_test(test_hcl_types),
	        cmocka_unit_test(test_hostile),
	        cmocka_unit_test(test_flip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
