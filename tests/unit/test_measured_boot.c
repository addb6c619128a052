/*
 * Measured boot through verify_run: a TPM quote (provider Tpm) with the
 * real GCE Ubuntu 24.04 SEV-SNP vTPM event log
 * (tests/data/eventlog/gotpm_gce_ubuntu2404_sevsnp). No public vector
 * pairs a quote with a log, so the quote is made here: its PCRs are the
 * values go-tpm-tools asserts for this log (expected_pcrs.json, sha256
 * bank), signed by an ECDSA P-256 AK generated for the test. The replay
 * must match them, list the components, and check reference components;
 * one PCR off by one bit must fail naming it.
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
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/codec.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define LOG_DIR "tests/data/eventlog/gotpm_gce_ubuntu2404_sevsnp/"

struct fixture {
	EVP_PKEY *ak;
	json_t *pcrs; /* {"<n>": "<hex>"} of expected_pcrs.json sha256 */
	char *cmdline;
	uint8_t *log;
	size_t log_len;
};

static struct fixture fx;

static int
setup(void **state)
{
	size_t n;
	uint8_t *b = tu_read_file(LOG_DIR "expected_pcrs.json", &n);
	json_t *doc = json_loadb((const char *)b, n, JSON_ALLOW_NUL, NULL);
	const char *cl;

	(void)state;
	free(b);
	assert_non_null(doc);
	fx.pcrs = json_incref(
	        json_object_get(json_object_get(doc, "pcrs"), "sha256"));
	assert_true(json_object_size(fx.pcrs) > 0);
	/* The origin's command line ends with the NUL GRUB measures. */
	cl = json_string_value(json_object_get(doc, "kernel_cmdline"));
	assert_non_null(cl);
	fx.cmdline = strdup(cl);
	json_decref(doc);
	fx.log = tu_read_file(LOG_DIR "eventlog.bin", &fx.log_len);
	fx.ak = EVP_EC_gen("P-256");
	assert_non_null(fx.ak);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(fx.ak);
	json_decref(fx.pcrs);
	free(fx.cmdline);
	free(fx.log);
	return 0;
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Tpm evidence (the trustee JSON shape) whose quote selects the sha256
 * PCRs of PCRS, with FLIP (or -1) having one bit of its value changed in
 * both the signed digest and the reported values.
 */
static char *
evidence(int flip)
{
	uint8_t attest[256], pcr[32], d[32], sel[3] = {0}, *sig = NULL;
	uint8_t *der = NULL;
	size_t o = 0, siglen = 0;
	int derlen;
	EVP_MD_CTX *h = EVP_MD_CTX_new(), *s = EVP_MD_CTX_new();
	json_t *vals = json_object(), *doc;
	char key[16], *b64a, *b64s, *b64k, *out;
	static const uint8_t head[] = {0xff, 0x54, 0x43, 0x47, 0x80, 0x18};

	assert_non_null(h);
	assert_non_null(s);
	EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	for (int i = 0; i < 24; i++) {
		const char *hex;
		snprintf(key, sizeof(key), "%d", i);
		if ((hex = json_string_value(json_object_get(fx.pcrs, key))) ==
		    NULL)
			continue;
		assert_true(codec_hex_decode_fixed(hex, pcr, 32));
		if (i == flip)
			pcr[31] ^= 1;
		sel[i / 8] |= (uint8_t)(1u << (i % 8));
		EVP_DigestUpdate(h, pcr, 32);
		{
			char hx[65];
			codec_hex_encode_to(pcr, 32, hx);
			json_object_set_new(vals, key, json_string(hx));
		}
	}
	EVP_DigestFinal_ex(h, d, NULL);
	/* TPMS_ATTEST: magic, type, qualifiedSigner (a 34-byte name),
	 * extraData (none), clockInfo, firmwareVersion, one selection of
	 * the sha256 bank, pcrDigest. */
	memcpy(attest, head, sizeof(head));
	o = sizeof(head);
	put16(attest + o, 34);
	o += 2;
	put16(attest + o, 0x000b);
	memset(attest + o + 2, 0x5a, 32);
	o += 34;
	put16(attest + o, 0);
	o += 2;
	memset(attest + o, 0, 17); /* clock, resetCount, restartCount */
	attest[o + 16] = 1;        /* safe */
	o += 17;
	memset(attest + o, 0, 8); /* firmwareVersion */
	o += 8;
	memcpy(attest + o, "\0\0\0\1", 4); /* one TPMS_PCR_SELECTION */
	o += 4;
	put16(attest + o, 0x000b);
	attest[o + 2] = 3;
	memcpy(attest + o + 3, sel, 3);
	o += 6;
	put16(attest + o, 32);
	memcpy(attest + o + 2, d, 32);
	o += 34;
	/* The signature: ECDSA P-256 / SHA-256, DER (a raw encoding). */
	assert_int_equal(EVP_DigestSignInit(s, NULL, EVP_sha256(), NULL, fx.ak),
	                 1);
	assert_int_equal(EVP_DigestSign(s, NULL, &siglen, attest, o), 1);
	sig = malloc(siglen);
	assert_int_equal(EVP_DigestSign(s, sig, &siglen, attest, o), 1);
	derlen = i2d_PUBKEY(fx.ak, &der);
	assert_true(derlen > 0);
	b64a = codec_base64_encode(attest, o);
	b64s = codec_base64_encode(sig, siglen);
	b64k = codec_base64_encode(der, (size_t)derlen);
	doc = json_pack("{s:s, s:{s:s, s:s, s:{s:o}}}", "ak_public", b64k,
	                "tpm_quote", "message", b64a, "signature", b64s, "pcrs",
	                "sha256", vals);
	out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	free(b64a);
	free(b64s);
	free(b64k);
	free(sig);
	OPENSSL_free(der);
	EVP_MD_CTX_free(h);
	EVP_MD_CTX_free(s);
	return out;
}

static void
run(const char *ev, const json_t *expected, bool with_log, struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;

	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = (const uint8_t *)ev;
	req.evidence_len = strlen(ev);
	req.provider = TP_PROVIDER_TPM;
	req.expected = expected;
	if (with_log) {
		req.event_log = fx.log;
		req.event_log_len = fx.log_len;
	}
	req.now = 1700000000;
	req.cfg = &cfg;
	verify_run(&req, v);
	verify_config_free(&cfg);
}

static void
test_replay_matches_quote(void **state)
{
	char *ev = evidence(-1);
	struct verdict v;
	json_t *comps, *c;
	size_t i, cmdlines = 0;

	(void)state;
	run(ev, NULL, true, &v);
	if (json_array_size(v.errors) > 0) {
		char *e = json_dumps(v.errors, 0);
		print_error("%s\n", e);
		free(e);
	}
	assert_int_equal(json_array_size(v.errors), 0);
	assert_true(check_passed(&v, "event_log_replay"));
	comps = json_object_get(v.claims, "components");
	assert_true(json_array_size(comps) > 0);
	json_array_foreach(comps, i, c)
	{
		const char *reg =
		        json_string_value(json_object_get(c, "register"));
		assert_non_null(reg);
		assert_int_equal(strncmp(reg, "pcr", 3), 0);
		if (json_is_string(json_object_get(c, "name")) &&
		    strcmp(json_string_value(json_object_get(c, "name")),
		           "cmdline") == 0)
			cmdlines++;
	}
	assert_int_equal(cmdlines, 1);
	verdict_free(&v);
	free(ev);
}

static void
test_reference_components(void **state)
{
	char *ev = evidence(-1), cmdline[512];
	struct verdict v;
	json_t *want;

	(void)state;
	/* The command line as the origin gives it, without GRUB's NUL. */
	snprintf(cmdline, sizeof(cmdline), "%s", fx.cmdline);
	assert_true(strlen(cmdline) > 0);
	want = json_pack("{s:{s:s}}", "components", "cmdline", cmdline);
	run(ev, want, true, &v);
	assert_int_equal(json_array_size(v.errors), 0);
	assert_int_equal(v.measurements_valid, TP_TRUE);
	verdict_free(&v);
	json_decref(want);
	/* Another command line. */
	cmdline[0] = cmdline[0] == 'x' ? 'y' : 'x';
	want = json_pack("{s:{s:s}}", "components", "cmdline", cmdline);
	run(ev, want, true, &v);
	assert_only_error(&v, "component_mismatch");
	assert_int_equal(v.measurements_valid, TP_FALSE);
	verdict_free(&v);
	/* No log. */
	run(ev, want, false, &v);
	assert_only_error(&v, "event_log_missing");
	verdict_free(&v);
	json_decref(want);
	free(ev);
}

static void
test_one_pcr_off(void **state)
{
	char *ev = evidence(4);
	struct verdict v;
	const char *msg;

	(void)state;
	run(ev, NULL, true, &v);
	assert_only_error(&v, "event_log_replay_mismatch");
	msg = json_string_value(
	        json_object_get(json_array_get(v.errors, 0), "message"));
	assert_non_null(msg);
	assert_int_equal(strncmp(msg, "pcr4: ", 6), 0);
	assert_null(json_object_get(v.claims, "components"));
	verdict_free(&v);
	free(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_replay_matches_quote),
	        cmocka_unit_test(test_reference_components),
	        cmocka_unit_test(test_one_pcr_off),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
