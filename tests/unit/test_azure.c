/*
 * Azure SEV-SNP CVMs through the HCL report and the vTPM (verify/azure/):
 * the trustee az-snp-vtpm samples and the kinvolk HCL reports of
 * tests/data/azure (MANIFEST.md gives the expected values), every byte of
 * the signed regions flipped, truncations, another nonce.
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
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/codec.h"
#include "verify/azure/hcl_report.h"
#include "verify/core/expected.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define DIR_V1  "tests/data/azure/trustee_az_snp_vtpm_v1/"
#define DIR_V2  "tests/data/azure/trustee_az_snp_vtpm_v2/"
#define DIR_KSN "tests/data/azure/kinvolk_az_snp_hcl/"
#define DIR_KTD "tests/data/azure/kinvolk_az_tdx_hcl/"

/* 2026-01-01T00:00:00Z, inside both VCEKs' validity (MANIFEST.md). */
#define AT_2026 1767225600

/* From tests/data/azure/MANIFEST.md. */
#define V1_NONCE "challenge"
#define V1_PCR0                                                                \
	"e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced"
#define V1_MEASUREMENT                                                         \
	"6a063be9dd79f6371c842e480f8dc3b5c725961344e57130e88c5adf49e8f7f6c79b" \
	"75a5eb77fc769959f4aeb2f9401e"
#define V1_VMID "26F8BC30-774E-4290-8E7A-535F3B672AEE"
#define V2_NONCE_HEX                                                           \
	"982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398" \
	"f647caa2338748cd0fd9f5f819ef"
#define V2_PCR0                                                                \
	"84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7"
#define V2_MEASUREMENT                                                         \
	"5b0ce64ad1c1f6375dbda5f760b98526ca1bcf91b8195091afc28e7b024251d68fe3" \
	"2e05af34048d6607678cd23283ff"
#define V2_VMID "7DF7B373-B947-4AAA-96E5-C358F2A03D20"
#define V2_VAR_SHA256                                                          \
	"cf7cc0731c50f64876804b3943b2bfbd93dba69f5928e3df223e78ff34dd46ee"
#define KSN_VAR_SHA256                                                         \
	"1d0a466a9eed975e88f889f7aed4abc1c97e87c4f43e5e3478c9a4a5853cbd7d"
#define KTD_VAR_SHA256                                                         \
	"e8f0796193ba21d6d43d2ea4bb6e4081ce4920729b348f39099cd2f65ecb6170"
#define VAR_LEN 1110 /* both trustee samples */

static void
run(const uint8_t *buf, size_t len, const uint8_t *nonce, size_t nonce_len,
    struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;

	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_NONE; /* detected */
	req.nonce = nonce;
	req.nonce_len = nonce_len;
	req.artifacts = &set;
	req.now = AT_2026;
	req.cfg = &cfg;
	verify_run(&req, v);
	artifact_set_clear(&set);
	verify_config_free(&cfg);
}

static const char *
pcr(const struct verdict *v, const char *name)
{
	return json_string_value(json_object_get(
	        json_object_get(json_object_get(v->claims, "pcrs"), "sha256"),
	        name));
}

static void
check_sample(const char *dir, const uint8_t *nonce, size_t nonce_len,
             const char *pcr0, const char *measurement, const char *vmid)
{
	char path[256];
	size_t n, npcr = 0;
	uint8_t *buf;
	struct verdict v;
	const json_t *bank;

	snprintf(path, sizeof(path), "%sevidence.json", dir);
	buf = tu_read_file(path, &n);
	assert_int_equal(provider_detect(buf, n), TP_PROVIDER_AZURE_SNP_VTPM);
	run(buf, n, nonce, nonce_len, &v);
	if (!verdict_valid(&v))
		print_verdict_errors(&v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.provider, TP_PROVIDER_AZURE_SNP_VTPM);
	assert_true(v.hardware_verified);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	assert_string_equal(pcr(&v, "pcr0"), pcr0);
	bank = json_object_get(json_object_get(v.claims, "pcrs"), "sha256");
	npcr = json_object_size(bank);
	assert_int_equal(npcr, 24); /* PCRs 0-23 selected (MANIFEST) */
	assert_string_equal(claim(&v, "measurement"), measurement);
	assert_int_equal(json_integer_value(json_object_get(v.claims, "vmpl")),
	                 0);
	assert_string_equal(
	        json_string_value(json_object_get(
	                json_object_get(v.claims, "vm_configuration"),
	                "vmUniqueId")),
	        vmid);
	assert_true(json_is_true(json_object_get(
	        json_object_get(v.claims, "vm_configuration"), "secure-boot")));
	verdict_free(&v);

	/* Any other nonce is refused. */
	{
		uint8_t other[9] = "challengf";
		run(buf, n, other, sizeof(other), &v);
		assert_false(verdict_valid(&v));
		assert_true(verdict_has_error(&v, TP_ERR_tpm_nonce_mismatch));
		verdict_free(&v);
	}
	free(buf);
}

static void
test_trustee_v1(void **state)
{
	(void)state;
	check_sample(DIR_V1, (const uint8_t *)V1_NONCE, strlen(V1_NONCE),
	             V1_PCR0, V1_MEASUREMENT, V1_VMID);
}

static void
test_trustee_v2(void **state)
{
	uint8_t nonce[48];

	(void)state;
	assert_true(codec_hex_decode_fixed(V2_NONCE_HEX, nonce, 48));
	check_sample(DIR_V2, nonce, sizeof(nonce), V2_PCR0, V2_MEASUREMENT,
	             V2_VMID);
}

/* The HCL reports parse by their declared lengths; the binding holds. */
static void
check_hcl(const char *path, size_t var_len, const char *var_sha256,
          const char *n_prefix)
{
	const unsigned char *q;
	EVP_PKEY *key;
	uint8_t pre[8];
	struct hcl_report r;
	struct hcl_runtime rt;
	char why[320], hex[65];
	uint8_t md[32];
	size_t n;
	uint8_t *buf = tu_read_file(path, &n);

	assert_int_equal(hcl_report_parse(buf, n, &r, why, sizeof(why)),
	                 TP_ERR_none);
	assert_int_equal(r.var_len, var_len);
	SHA256(r.var_data, r.var_len, md);
	codec_hex_encode_to(md, 32, hex);
	assert_string_equal(hex, var_sha256);
	/* == REPORT_DATA[0:32] of the SNP report (offset 0x50). */
	assert_memory_equal(md, r.hw_report + 0x50, 32);
	assert_int_equal(
	        hcl_runtime_parse(r.var_data, r.var_len, &rt, why, sizeof(why)),
	        TP_ERR_none);
	assert_non_null(rt.ak);
	assert_int_equal(EVP_PKEY_get_bits(rt.ak), 2048);
	/* The SPKI built for the key is the key's own DER, and its modulus
	 * starts as MANIFEST.md says. */
	q = rt.spki;
	key = d2i_PUBKEY(NULL, &q, (long)rt.spki_len);
	assert_non_null(key);
	assert_int_equal(q - rt.spki, rt.spki_len);
	assert_int_equal(EVP_PKEY_eq(key, rt.ak), 1);
	EVP_PKEY_free(key);
	if (n_prefix != NULL) {
		assert_true(codec_hex_decode_fixed(n_prefix, pre, 8));
		assert_non_null(memmem(rt.spki, rt.spki_len, pre, 8));
	}
	hcl_runtime_free(&rt);
	/* Every cut below the declared report is a truncation. */
	for (size_t k = 0; k < HCL_VAR_DATA_OFF + var_len; k++) {
		enum tp_err rc = hcl_report_parse(buf, k, &r, why, sizeof(why));
		if (rc != TP_ERR_azure_hcl_truncated)
			print_error("cut at %zu: %s\n", k, why);
		assert_int_equal(rc, TP_ERR_azure_hcl_truncated);
		assert_non_null(strstr(why, "truncated"));
	}
	free(buf);
}

static void
test_hcl_parse(void **state)
{
	(void)state;
	check_hcl(
	        DIR_V1 "hcl_report.bin", VAR_LEN,
	        "af2910341dd8108360e485f1b72494255190b9cdd5ccb44b73b883037cf99f"
	        "21",
	        "9874916e000085fa");
	check_hcl(DIR_V2 "hcl_report.bin", VAR_LEN, V2_VAR_SHA256,
	          "9942bb7d0000c4c3");
	/* Cut at 2048 of 2600 bytes, its 583-byte variable data still
	 * whole (MANIFEST.md: bound by the header's lengths). */
	check_hcl(DIR_KSN "hcl_report.bin", 583, KSN_VAR_SHA256, NULL);
}

static void
test_hcl_tdx(void **state)
{
	struct hcl_report r;
	char why[320];
	size_t n;
	uint8_t *buf = tu_read_file(DIR_KTD "hcl_report.bin", &n);

	(void)state;
	(void)KTD_VAR_SHA256;
	assert_int_equal(hcl_report_parse(buf, n, &r, why, sizeof(why)),
	                 TP_ERR_azure_hcl_unsupported);
	assert_non_null(strstr(why, "TDX"));
	free(buf);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* One change to the v2 HCL report and the code it must give. */
static void
hostile(size_t off, uint32_t val, enum tp_err want)
{
	struct hcl_report r;
	char why[320];
	size_t n;
	uint8_t *buf = tu_read_file(DIR_V2 "hcl_report.bin", &n);

	put_u32(buf + off, val);
	assert_int_equal(hcl_report_parse(buf, n, &r, why, sizeof(why)), want);
	free(buf);
}

static void
test_hcl_hostile(void **state)
{
	struct hcl_report r;
	struct hcl_runtime rt;
	char why[320];
	size_t n;
	uint8_t *buf, *p;

	(void)state;
	hostile(0x000, 0x414c4349, TP_ERR_azure_hcl_malformed); /* "ICLA" */
	hostile(0x004, 3, TP_ERR_azure_hcl_unsupported);        /* version */
	hostile(0x008, 2347, TP_ERR_azure_hcl_malformed); /* report_size */
	hostile(0x4C0, 1131, TP_ERR_azure_hcl_malformed); /* data_size */
	hostile(0x4C8, 4, TP_ERR_azure_hcl_unsupported);  /* TDX */
	hostile(0x4CC, 2, TP_ERR_azure_hcl_unsupported);  /* SHA-384 */
	hostile(0x4D0, 0, TP_ERR_azure_hcl_malformed);    /* no var data */
	hostile(0xA24, 0x01000000, TP_ERR_azure_hcl_malformed); /* byte 2599 */

	/* Consistent lengths far beyond the buffer: a truncation. */
	buf = tu_read_file(DIR_V2 "hcl_report.bin", &n);
	put_u32(buf + 0x4D0, 0x10000);
	put_u32(buf + 0x4C0, 0x10000 + 20);
	put_u32(buf + 0x008, 0x4C0 + 0x10000 + 20);
	assert_int_equal(hcl_report_parse(buf, n, &r, why, sizeof(why)),
	                 TP_ERR_azure_hcl_truncated);
	free(buf);

	/* Variable data without the AK, or with one that is not RSA. */
	buf = tu_read_file(DIR_V2 "hcl_report.bin", &n);
	assert_int_equal(hcl_report_parse(buf, n, &r, why, sizeof(why)),
	                 TP_ERR_none);
	p = memmem(buf + HCL_VAR_DATA_OFF, VAR_LEN, "HCLAkPub", 8);
	assert_non_null(p);
	p[7] = 'c';
	assert_int_equal(
	        hcl_runtime_parse(r.var_data, r.var_len, &rt, why, sizeof(why)),
	        TP_ERR_azure_hcl_malformed);
	p[7] = 'b';
	p = memmem(buf + HCL_VAR_DATA_OFF, VAR_LEN, "\"kty\":\"RSA\"", 11);
	assert_non_null(p);
	p[9] = 'T';
	assert_int_equal(
	        hcl_runtime_parse(r.var_data, r.var_len, &rt, why, sizeof(why)),
	        TP_ERR_tpm_ak_invalid);
	free(buf);
}

/* EVIDENCE with hcl_report and tpm_quote.message replaced. */
static char *
rebuild(const json_t *doc, const uint8_t *hcl, size_t hcl_len,
        const uint8_t *msg, size_t msg_len)
{
	json_t *d = json_deep_copy(doc);
	char *b64 = codec_base64url_encode(hcl, hcl_len);
	char *hex = codec_hex_encode(msg, msg_len);
	char *out;

	json_object_set_new(d, "hcl_report", json_string(b64));
	json_object_set_new(json_object_get(d, "tpm_quote"), "message",
	                    json_string(hex));
	out = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	free(b64);
	free(hex);
	return out;
}

struct sample {
	json_t *doc;
	uint8_t *hcl, *msg;
	size_t hcl_len, msg_len;
	uint8_t nonce[48];
};

static void
sample_load(struct sample *s)
{
	size_t n;
	uint8_t *b = tu_read_file(DIR_V2 "evidence.json", &n);

	s->doc = json_loadb((const char *)b, n, 0, NULL);
	free(b);
	assert_non_null(s->doc);
	s->hcl = tu_read_file(DIR_V2 "hcl_report.bin", &s->hcl_len);
	s->msg = tu_read_file(DIR_V2 "tpm_quote_attest.bin", &s->msg_len);
	assert_int_equal(s->hcl_len, 2600);
	assert_int_equal(s->msg_len, 161);
	assert_true(codec_hex_decode_fixed(V2_NONCE_HEX, s->nonce, 48));
}

static void
sample_free(struct sample *s)
{
	json_decref(s->doc);
	free(s->hcl);
	free(s->msg);
}

static void
run_str(const char *ev, const struct sample *s, struct verdict *v)
{
	run((const uint8_t *)ev, strlen(ev), s->nonce, 48, v);
}

/* The rebuilt sample, unchanged, verifies: the flips below are what
 * fails. */
static void
test_rebuilt(void **state)
{
	struct sample s;
	struct verdict v;
	char *ev;

	(void)state;
	sample_load(&s);
	ev = rebuild(s.doc, s.hcl, s.hcl_len, s.msg, s.msg_len);
	run_str(ev, &s, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	free(ev);
	sample_free(&s);
}

/* Every byte of the SNP report's signed part and of the variable data. */
static void
test_flip_hcl(void **state)
{
	struct sample s;
	struct verdict v;
	size_t ranges[2][2] = {{0x20, 0x20 + 0x2A0},
	                       {HCL_VAR_DATA_OFF, HCL_VAR_DATA_OFF + VAR_LEN}};

	(void)state;
	sample_load(&s);
	for (int r = 0; r < 2; r++)
		for (size_t i = ranges[r][0]; i < ranges[r][1]; i++) {
			char *ev;

			s.hcl[i] ^= 0x01;
			ev = rebuild(s.doc, s.hcl, s.hcl_len, s.msg, s.msg_len);
			run_str(ev, &s, &v);
			if (verdict_valid(&v))
				print_error("HCL byte 0x%zx flipped: valid\n",
				            i);
			assert_false(verdict_valid(&v));
			assert_false(v.hardware_verified);
			verdict_free(&v);
			free(ev);
			s.hcl[i] ^= 0x01;
		}
	sample_free(&s);
}

static void
test_flip_attest(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s);
	for (size_t i = 0; i < s.msg_len; i++) {
		char *ev;

		s.msg[i] ^= 0x01;
		ev = rebuild(s.doc, s.hcl, s.hcl_len, s.msg, s.msg_len);
		run_str(ev, &s, &v);
		if (verdict_valid(&v))
			print_error("TPMS_ATTEST byte %zu flipped: valid\n", i);
		assert_false(verdict_valid(&v));
		assert_false(v.hardware_verified);
		verdict_free(&v);
		free(ev);
		s.msg[i] ^= 0x01;
	}
	sample_free(&s);
}

/* A changed user-data digit keeps the JSON valid: the binding fails. */
static void
test_binding(void **state)
{
	struct sample s;
	struct verdict v;
	uint8_t *p;
	char *ev;

	(void)state;
	sample_load(&s);
	p = memmem(s.hcl + HCL_VAR_DATA_OFF, VAR_LEN, "982F5C6E", 8);
	assert_non_null(p);
	p[0] = '8';
	ev = rebuild(s.doc, s.hcl, s.hcl_len, s.msg, s.msg_len);
	run_str(ev, &s, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_true(verdict_has_error(&v, TP_ERR_azure_hcl_binding_mismatch));
	verdict_free(&v);
	free(ev);
	sample_free(&s);
}

/* Cuts of the evidence and of its HCL report. */
static void
test_truncations(void **state)
{
	struct sample s;
	struct verdict v;
	size_t n;
	uint8_t *buf = tu_read_file(DIR_V2 "evidence.json", &n);

	(void)state;
	sample_load(&s);
	/* The JSON ends at its last '}' (a newline may follow). */
	while (n > 0 && buf[n - 1] != '}')
		n--;
	for (size_t k = 0; k < n; k += 7) {
		run(buf, k, s.nonce, 48, &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
	}
	for (size_t k = 0; k < 0x4D4 + VAR_LEN; k += 13) {
		char *ev = rebuild(s.doc, s.hcl, k, s.msg, s.msg_len);
		run_str(ev, &s, &v);
		assert_false(verdict_valid(&v));
		if (k > 0)
			assert_true(verdict_has_error(
			        &v, TP_ERR_azure_hcl_truncated));
		verdict_free(&v);
		free(ev);
	}
	for (size_t k = 0; k < s.msg_len; k++) {
		char *ev = rebuild(s.doc, s.hcl, s.hcl_len, s.msg, k);
		run_str(ev, &s, &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		free(ev);
	}
	free(buf);
	sample_free(&s);
}

/* The kinvolk HCL report (no VCEK or quote of its own) in the v2 bundle:
 * its binding holds, but the SNP report and the quote are another VM's. */
static void
test_kinvolk_in_bundle(void **state)
{
	struct sample s;
	struct verdict v;
	size_t n;
	uint8_t *k = tu_read_file(DIR_KSN "hcl_report.bin", &n);
	char *ev;

	(void)state;
	sample_load(&s);
	ev = rebuild(s.doc, k, n, s.msg, s.msg_len);
	run_str(ev, &s, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_false(verdict_has_error(&v, TP_ERR_azure_hcl_binding_mismatch));
	assert_true(verdict_has_error(&v, TP_ERR_tpm_signature_invalid));
	verdict_free(&v);
	free(ev);
	free(k);
	sample_free(&s);
}

/*
 * An event log is replayed against the quoted PCRs by the common
 * appraisal: another machine's log (a GCE VM's, tests/data/eventlog)
 * does not replay to this VM's PCRs.
 */
static void
test_event_log(void **state)
{
	struct verify_config cfg;
	struct verify_request req;
	struct verdict v;
	size_t n, loglen;
	uint8_t nonce[48];
	uint8_t *buf = tu_read_file(DIR_V2 "evidence.json", &n);
	uint8_t *log = tu_read_file(
	        "tests/data/eventlog/gotpm_gce_ubuntu2404_sevsnp/eventlog.bin",
	        &loglen);

	(void)state;
	assert_true(codec_hex_decode_fixed(V2_NONCE_HEX, nonce, 48));
	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = n;
	req.nonce = nonce;
	req.nonce_len = sizeof(nonce);
	req.event_log = log;
	req.event_log_len = loglen;
	req.now = AT_2026;
	req.cfg = &cfg;
	verify_run(&req, &v);
	assert_false(verdict_valid(&v));
	assert_false(verdict_has_error(&v, TP_ERR_event_log_unsupported));
	assert_only_error(&v, "event_log_replay_mismatch");
	verdict_free(&v);
	verify_config_free(&cfg);
	free(log);
	free(buf);
}

/*
 * Reference values for PCRs (expected.pcrs, docs/policy.md): the quoted
 * PCR must be the expected one; a bank the quote did not select is
 * unknown, never a pass; malformed references are refused up front.
 */
static void
appraise_pcrs(const char *expected_json, struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	size_t n;
	uint8_t nonce[48];
	uint8_t *buf = tu_read_file(DIR_V2 "evidence.json", &n);
	json_t *exp = json_loads(expected_json, 0, NULL);
	char field[128];

	assert_non_null(exp);
	assert_true(expected_validate(exp, field, sizeof(field)));
	assert_true(codec_hex_decode_fixed(V2_NONCE_HEX, nonce, 48));
	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = n;
	req.nonce = nonce;
	req.nonce_len = sizeof(nonce);
	req.expected = exp;
	req.now = AT_2026;
	req.cfg = &cfg;
	verify_run(&req, v);
	verify_config_free(&cfg);
	json_decref(exp);
	free(buf);
}

static void
test_expected_pcrs(void **state)
{
	struct verdict v;
	char js[512], other[65];
	static const char *const bad[] = {
	        "{\"pcrs\": {}}",
	        "{\"pcrs\": {\"sha256\": {\"pcr24\": \"" V2_PCR0 "\"}}}",
	        "{\"pcrs\": {\"sha256\": {\"pcr01\": \"" V2_PCR0 "\"}}}",
	        "{\"pcrs\": {\"sha256\": {\"pcr0\": \"abcd\"}}}",
	        "{\"pcrs\": {\"sha256\": {\"pcr0\": 7}}}",
	        "{\"pcrs\": {\"md5\": {\"pcr0\": \"" V2_PCR0 "\"}}}",
	        "{\"pcrs\": {\"sha1\": {\"pcr0\": \"" V2_PCR0 "\"}}}",
	};

	(void)state;
	snprintf(js, sizeof(js), "{\"pcrs\": {\"sha256\": {\"pcr0\": \"%s\"}}}",
	         V2_PCR0);
	appraise_pcrs(js, &v);
	if (!verdict_valid(&v))
		print_verdict_errors(&v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.measurements_valid, TP_TRUE);
	verdict_free(&v);

	/* The last digit changed to a different one, for sure. */
	snprintf(other, sizeof(other), "%s", V2_PCR0);
	other[63] = other[63] == '0' ? '1' : '0';
	snprintf(js, sizeof(js), "{\"pcrs\": {\"sha256\": {\"pcr0\": \"%s\"}}}",
	         other);
	appraise_pcrs(js, &v);
	assert_false(verdict_valid(&v));
	assert_only_error(&v, "measurement_mismatch");
	verdict_free(&v);

	/* The quote selected only the SHA-256 bank. */
	snprintf(js, sizeof(js),
	         "{\"pcrs\": {\"sha384\": {\"pcr0\": \"%s%s\"}}}", V2_PCR0,
	         "00000000000000000000000000000000");
	appraise_pcrs(js, &v);
	assert_false(verdict_valid(&v));
	assert_only_error(&v, "measurement_unknown");
	verdict_free(&v);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *exp = json_loads(bad[i], 0, NULL);
		char field[128];

		assert_non_null(exp);
		assert_false(expected_validate(exp, field, sizeof(field)));
		assert_true(strncmp(field, "expected.pcrs", 13) == 0);
		json_decref(exp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_trustee_v1),
	        cmocka_unit_test(test_trustee_v2),
	        cmocka_unit_test(test_hcl_parse),
	        cmocka_unit_test(test_hcl_tdx),
	        cmocka_unit_test(test_hcl_hostile),
	        cmocka_unit_test(test_rebuilt),
	        cmocka_unit_test(test_binding),
	        cmocka_unit_test(test_kinvolk_in_bundle),
	        cmocka_unit_test(test_event_log),
	        cmocka_unit_test(test_expected_pcrs),
	        cmocka_unit_test(test_truncations),
	        cmocka_unit_test(test_flip_attest),
	        cmocka_unit_test(test_flip_hcl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
