/*
 * Hostile DCAP inputs built from the real samples of tests/data/{sgx,tdx}:
 * truncation at every offset, trailing bytes, wrong versions, a flipped
 * byte in each region of the quote and of the collateral (each with the
 * code of that region's check), missing collateral items, look-alike
 * roots made at test time, and the policy keys.
 */
#include <ctype.h>
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
#include <openssl/x509v3.h>
#include <openssl/pem.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"
#include "verify/intel/dcap_quote.h"
#include "verify/intel/dcap_tcb.h"
#include "verify/core/ecdsa.h"
#include "verify/verify.h"
#include "verify/core/x509.h"

#include "tests/unit/test_dcap_util.h"
#include "tests/unit/test_verdict.h"

#define TDX_DIR  "tests/data/tdx/dcapqvl_v4_uptodate"
#define TDX_TIME 1752919234 /* MANIFEST */
#define SGX_DIR  "tests/data/sgx/dcapqvl_v3_processor_ca"
#define SGX_TIME 1752919277 /* MANIFEST */

/* Offset of P inside the quote Q. */
static size_t
off(const struct sample *s, const uint8_t *p)
{
	return (size_t)(p - s->quote);
}

static void
parse_ok(const struct sample *s, struct dcap_quote *q)
{
	char why[240];

	assert_int_equal(
	        dcap_quote_parse(s->quote, s->len, q, why, sizeof(why)),
	        TP_ERR_none);
}

/* End of the signature data (where padding starts). */
static size_t
sig_end(const struct sample *s)
{
	struct dcap_quote q;

	parse_ok(s, &q);
	return s->len - q.trailing;
}

/* Verifies a copy of S with byte AT xor-ed with MASK. */
static void
run_flipped(const struct sample *s, const json_t *coll, size_t at,
            enum tp_provider p, int64_t now, struct verdict *v)
{
	uint8_t *b = malloc(s->len);

	assert_non_null(b);
	memcpy(b, s->quote, s->len);
	b[at] ^= 0x01;
	run_bytes(b, s->len, coll, NULL, p, now, cfg(), v);
	free(b);
}

static void
expect_check_failed(const struct verdict *v, const char *name, enum tp_err code)
{
	size_t i;
	json_t *c;
	bool failed = false;

	json_array_foreach(v->checks, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "check")),
		           name) == 0 &&
		    json_is_false(json_object_get(c, "ok")))
			failed = true;
	}
	if (!failed || !verdict_has_error(v, code)) {
		fprintf(stderr, "want check %s failed with %s\n", name,
		        tp_err_code(code));
		dump(v);
	}
	assert_true(failed);
	expect_error(v, code);
}

static void
test_truncation_every_offset(void **state)
{
	const char *dirs[2] = {TDX_DIR, SGX_DIR};
	const enum tp_provider prov[2] = {TP_PROVIDER_INTEL_TDX,
	                                  TP_PROVIDER_INTEL_SGX};
	struct sample s;
	struct dcap_quote q;
	struct verdict v;
	char why[240];

	(void)state;
	for (int d = 0; d < 2; d++) {
		sample_load(&s, dirs[d], true);
		size_t end = sig_end(&s);
		for (size_t n = 1; n < end; n++) {
			enum tp_err rc = dcap_quote_parse(s.quote, n, &q, why,
			                                  sizeof(why));
			if (rc != TP_ERR_quote_parse_error)
				fprintf(stderr, "%s: length %zu: %s\n", dirs[d],
				        n, why);
			assert_int_equal(rc, TP_ERR_quote_parse_error);
			/* The whole pipeline on a sample of lengths. */
			if (n % 97 == 0 || n < 64 || n + 64 > end) {
				uint8_t *b = malloc(n);
				memcpy(b, s.quote, n);
				run_bytes(b, n, s.collateral, NULL, prov[d],
				          d == 0 ? TDX_TIME : SGX_TIME, cfg(),
				          &v);
				assert_false(verdict_valid(&v));
				if (n >= 8)
					expect_error(&v,
					             TP_ERR_quote_parse_error);
				verdict_free(&v);
				free(b);
			}
		}
		/* Cutting into the zero padding leaves a valid quote. */
		for (size_t n = end; n <= s.len; n++)
			assert_int_equal(dcap_quote_parse(s.quote, n, &q, why,
			                                  sizeof(why)),
			                 TP_ERR_none);
		sample_free(&s);
	}
}

static void
test_trailing_bytes(void **state)
{
	struct sample s;
	struct verdict v;
	uint8_t *b;

	(void)state;
	sample_load(&s, TDX_DIR, true);
	b = calloc(1, s.len + 16);
	memcpy(b, s.quote, s.len);
	/* More zero padding: accepted. */
	run_bytes(b, s.len + 16, s.collateral, NULL, TP_PROVIDER_INTEL_TDX,
	          TDX_TIME, cfg(), &v);
	expect_valid(&v, "UpToDate");
	verdict_free(&v);
	/* A non-zero byte after the signature data: refused. */
	b[s.len + 15] = 0x01;
	run_bytes(b, s.len + 16, s.collateral, NULL, TP_PROVIDER_INTEL_TDX,
	          TDX_TIME, cfg(), &v);
	expect_check_failed(&v, "quote_format", TP_ERR_quote_trailing_data);
	verdict_free(&v);
	free(b);
	sample_free(&s);
}

static void
test_versions(void **state)
{
	struct sample s;
	struct dcap_quote q;
	char why[240];
	uint8_t *b;

	(void)state;
	sample_load(&s, TDX_DIR, false);
	b = malloc(s.len);
	memcpy(b, s.quote, s.len);
	b[0] = 2; /* version 2 */
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_version_unsupported);
	b[0] = 6;
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_version_unsupported);
	b[0] = 3; /* v3 with a TDX tee_type */
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_parse_error);
	b[0] = 5; /* v5 needs a body descriptor: this body is not one */
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_parse_error);
	b[0] = 4;
	b[2] = 3; /* att_key_type 3 (ECDSA-384) */
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_version_unsupported);
	b[2] = 2;
	b[4] = 0x80; /* unknown tee_type */
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_parse_error);
	b[4] = 0x81;
	b[12] ^= 1; /* QE vendor id */
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_parse_error);
	b[12] ^= 1;
	b[632 + 3] = 0x7f; /* signature_data_len far beyond the quote */
	assert_int_equal(dcap_quote_parse(b, s.len, &q, why, sizeof(why)),
	                 TP_ERR_quote_parse_error);
	free(b);
	sample_free(&s);
}

static void
test_flip_quote_regions(void **state)
{
	const char *dirs[2] = {TDX_DIR, SGX_DIR};
	const enum tp_provider prov[2] = {TP_PROVIDER_INTEL_TDX,
	                                  TP_PROVIDER_INTEL_SGX};
	const int64_t when[2] = {TDX_TIME, SGX_TIME};
	struct sample s;
	struct dcap_quote q;
	struct verdict v;

	(void)state;
	for (int d = 0; d < 2; d++) {
		sample_load(&s, dirs[d], true);
		parse_ok(&s, &q);
		/* Header and body: covered by the quote signature. */
		run_flipped(&s, s.collateral, 10, prov[d], when[d], &v);
		expect_check_failed(&v, "quote_signature",
		                    TP_ERR_quote_signature_invalid);
		verdict_free(&v);
		run_flipped(&s, s.collateral, 48 + 200, prov[d], when[d], &v);
		expect_check_failed(&v, "quote_signature",
		                    TP_ERR_quote_signature_invalid);
		verdict_free(&v);
		/* Quote signature. */
		run_flipped(&s, s.collateral, off(&s, q.signature) + 40,
		            prov[d], when[d], &v);
		expect_check_failed(&v, "quote_signature",
		                    TP_ERR_quote_signature_invalid);
		verdict_free(&v);
		/* Attestation key: no longer bound by the QE report. */
		run_flipped(&s, s.collateral, off(&s, q.att_key) + 5, prov[d],
		            when[d], &v);
		expect_check_failed(&v, "qe_report_data",
		                    TP_ERR_qe_report_data_mismatch);
		expect_check_failed(&v, "quote_signature",
		                    TP_ERR_quote_signature_invalid);
		verdict_free(&v);
		/* QE report (MRENCLAVE) and its signature. */
		run_flipped(&s, s.collateral, off(&s, q.qe_report.mr_enclave),
		            prov[d], when[d], &v);
		expect_check_failed(&v, "qe_report_signature",
		                    TP_ERR_qe_report_signature_invalid);
		assert_int_equal(v.signature_valid, TP_FALSE);
		verdict_free(&v);
		run_flipped(&s, s.collateral, off(&s, q.qe_report_sig) + 50,
		            prov[d], when[d], &v);
		expect_check_failed(&v, "qe_report_signature",
		                    TP_ERR_qe_report_signature_invalid);
		verdict_free(&v);
		/* QE report data itself (inside the signed QE report). */
		run_flipped(&s, s.collateral,
		            off(&s, q.qe_report.report_data) + 1, prov[d],
		            when[d], &v);
		expect_check_failed(&v, "qe_report_data",
		                    TP_ERR_qe_report_data_mismatch);
		expect_check_failed(&v, "qe_report_signature",
		                    TP_ERR_qe_report_signature_invalid);
		verdict_free(&v);
		/* QE authentication data. */
		assert_true(q.qe_auth_len > 0);
		run_flipped(&s, s.collateral, off(&s, q.qe_auth), prov[d],
		            when[d], &v);
		expect_check_failed(&v, "qe_report_data",
		                    TP_ERR_qe_report_data_mismatch);
		verdict_free(&v);
		/* Certification data type. */
		run_flipped(&s, s.collateral, off(&s, q.cert_data) - 6, prov[d],
		            when[d], &v);
		expect_check_failed(&v, "pck_chain",
		                    TP_ERR_pck_cert_data_unsupported);
		verdict_free(&v);
		/* Each certificate of the PCK chain (leaf, CA, root copy): a
		 * base64 character of its signature value, 20 characters
		 * before its END line (the DER stays well formed). */
		const uint8_t *p = q.cert_data;
		for (int c = 0; c < 3; c++) {
			const uint8_t *hit = memmem(
			        p, q.cert_len - (size_t)(p - q.cert_data),
			        "-----END CERTIFICATE-----", 25);
			assert_non_null(hit);
			size_t at = off(&s, hit) - 20;
			uint8_t *b = malloc(s.len);
			memcpy(b, s.quote, s.len);
			assert_true(isalnum(b[at]));
			b[at] = b[at] == 'A' ? 'B' : 'A';
			run_bytes(b, s.len, s.collateral, NULL, prov[d],
			          when[d], cfg(), &v);
			free(b);
			expect_check_failed(&v, "pck_chain",
			                    TP_ERR_certificate_chain_invalid);
			assert_int_equal(v.certificate_chain_valid, TP_FALSE);
			verdict_free(&v);
			p = hit + 25;
		}
		sample_free(&s);
	}
}

/* Replaces one character of the string member KEY of a copy of C. */
static json_t *
coll_edit(const json_t *c, const char *key, size_t at, char with)
{
	json_t *d = json_deep_copy(c);
	const char *s = json_string_value(json_object_get(d, key));
	char *t;

	assert_non_null(s);
	t = strdup(s);
	assert_true(at < strlen(t));
	t[at] = t[at] == with ? (with == '0' ? '1' : '0') : with;
	json_object_set_new(d, key, json_string(t));
	free(t);
	return d;
}

static void
run_coll(const struct sample *s, const json_t *c, struct verdict *v)
{
	run_bytes(s->quote, s->len, c, NULL, TP_PROVIDER_INTEL_TDX, TDX_TIME,
	          cfg(), v);
}

static void
test_flip_collateral(void **state)
{
	struct sample s;
	struct verdict v;
	json_t *c;
	const char *t;
	size_t n;

	(void)state;
	sample_load(&s, TDX_DIR, true);
	/* The original first, so that it is cached: an edit in the middle
	 * of an item (same length, same first and last 128 bytes, hence the
	 * same cache index) must still be verified afresh. */
	run_coll(&s, s.collateral, &v);
	expect_valid(&v, "UpToDate");
	verdict_free(&v);

	/* TCB Info body: a digit of tcbEvaluationDataNumber. */
	t = json_string_value(json_object_get(s.collateral, "tcb_info"));
	n = (size_t)(strstr(t, "\"tcbEvaluationDataNumber\":") - t) + 26;
	c = coll_edit(s.collateral, "tcb_info", n, '9');
	run_coll(&s, c, &v);
	expect_check_failed(&v, "tcb_info_signature",
	                    TP_ERR_tcb_info_signature_invalid);
	verdict_free(&v);
	json_decref(c);
	/* TCB Info signature. */
	c = coll_edit(s.collateral, "tcb_info_signature", 70, 'f');
	run_coll(&s, c, &v);
	expect_check_failed(&v, "tcb_info_signature",
	                    TP_ERR_tcb_info_signature_invalid);
	verdict_free(&v);
	json_decref(c);
	/* QE Identity body: isvprodid 2 -> 3. */
	t = json_string_value(json_object_get(s.collateral, "qe_identity"));
	n = (size_t)(strstr(t, "\"isvprodid\":") - t) + 12;
	c = coll_edit(s.collateral, "qe_identity", n, '3');
	run_coll(&s, c, &v);
	expect_check_failed(&v, "qe_identity_signature",
	                    TP_ERR_qe_identity_signature_invalid);
	verdict_free(&v);
	json_decref(c);
	/* QE Identity signature. */
	c = coll_edit(s.collateral, "qe_identity_signature", 3, 'e');
	run_coll(&s, c, &v);
	expect_check_failed(&v, "qe_identity_signature",
	                    TP_ERR_qe_identity_signature_invalid);
	verdict_free(&v);
	json_decref(c);
	/* PCK CRL and Root CA CRL: a nibble of the signature's s value. */
	t = json_string_value(json_object_get(s.collateral, "pck_crl"));
	c = coll_edit(s.collateral, "pck_crl", strlen(t) - 9, 'a');
	run_coll(&s, c, &v);
	expect_check_failed(&v, "pck_crl", TP_ERR_crl_signature_invalid);
	verdict_free(&v);
	json_decref(c);
	t = json_string_value(json_object_get(s.collateral, "root_ca_crl"));
	c = coll_edit(s.collateral, "root_ca_crl", strlen(t) - 9, 'a');
	run_coll(&s, c, &v);
	expect_check_failed(&v, "root_ca_crl", TP_ERR_crl_signature_invalid);
	verdict_free(&v);
	json_decref(c);
	/* TCB Signing certificate (first PEM block of its chain): a base64
	 * character of its signature value. */
	t = json_string_value(
	        json_object_get(s.collateral, "tcb_info_issuer_chain"));
	n = (size_t)(strstr(t, "-----END CERTIFICATE-----") - t) - 20;
	c = coll_edit(s.collateral, "tcb_info_issuer_chain", n, 'A');
	run_coll(&s, c, &v);
	expect_check_failed(&v, "tcb_info_issuer_chain",
	                    TP_ERR_certificate_chain_invalid);
	verdict_free(&v);
	json_decref(c);
	/* PCK CRL of the other CA (SGX sample: Processor CA). */
	{
		struct sample sgx;
		sample_load(&sgx, SGX_DIR, true);
		c = json_deep_copy(s.collateral);
		json_object_set(c, "pck_crl",
		                json_object_get(sgx.collateral, "pck_crl"));
		json_object_set(c, "pck_crl_issuer_chain",
		                json_object_get(sgx.collateral,
		                                "pck_crl_issuer_chain"));
		run_coll(&s, c, &v);
		expect_check_failed(&v, "pck_chain",
		                    TP_ERR_pck_crl_issuer_mismatch);
		verdict_free(&v);
		json_decref(c);
		/* SGX TCB Info and QE Identity for a TDX quote. */
		c = json_deep_copy(s.collateral);
		for (const char *const *k =
		             (const char *const[]){
		                     "tcb_info", "tcb_info_signature",
		                     "qe_identity", "qe_identity_signature",
		                     NULL};
		     *k != NULL; k++)
			json_object_set(c, *k,
			                json_object_get(sgx.collateral, *k));
		/* Its validity ends before TDX_TIME + 1 day? No: same
		 * window (both 2025-06-19 .. 2025-07-19). */
		run_coll(&s, c, &v);
		expect_check_failed(&v, "tcb_info_match",
		                    TP_ERR_tcb_info_mismatch);
		verdict_free(&v);
		json_decref(c);
		sample_free(&sgx);
	}
	sample_free(&s);
}

static void
test_missing_collateral(void **state)
{
	static const char *const items[] = {"tcb_info",
	                                    "tcb_info_signature",
	                                    "tcb_info_issuer_chain",
	                                    "qe_identity",
	                                    "qe_identity_signature",
	                                    "qe_identity_issuer_chain",
	                                    "pck_crl",
	                                    "pck_crl_issuer_chain",
	                                    "root_ca_crl"};
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, TDX_DIR, true);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		json_t *c = json_deep_copy(s.collateral);
		json_object_del(c, items[i]);
		run_coll(&s, c, &v);
		expect_check_failed(&v, "collateral_present",
		                    TP_ERR_collateral_missing);
		expect_error_mentions(&v, items[i]);
		verdict_free(&v);
		json_decref(c);
	}
	/* Not an object. */
	{
		json_t *c = json_string("nope");
		run_coll(&s, c, &v);
		expect_error(&v, TP_ERR_collateral_invalid);
		verdict_free(&v);
		json_decref(c);
	}
	sample_free(&s);
}

/* The PCS shapes: a response body as text, and as a nested object. */
static void
test_pcs_shapes(void **state)
{
	const char *dir = "tests/data/tdx/teep_tinfoil_v4_20260629";
	struct sample s;
	struct verdict v;
	json_t *c;
	char path[256];
	uint8_t *b;
	size_t n;

	(void)state;
	sample_load(&s, dir, false);
	c = json_object();
	static const char *const files[][2] = {
	        {"tcb_info", "tcb_info.json"},
	        {"tcb_info_issuer_chain", "tcb_info_issuer_chain.pem"},
	        {"qe_identity", "qe_identity.json"},
	        {"qe_identity_issuer_chain", "qe_identity_issuer_chain.pem"},
	        {"pck_crl_issuer_chain", "pck_crl_issuer_chain.pem"}};
	for (size_t i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][1]);
		b = tu_read_file(path, &n);
		json_object_set_new(c, files[i][0],
		                    json_stringn((const char *)b, n));
		free(b);
	}
	static const char *const crls[][2] = {
	        {"pck_crl", "pck_crl.der"}, {"root_ca_crl", "root_ca_crl.der"}};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, crls[i][1]);
		b = tu_read_file(path, &n);
		char *hex = codec_hex_encode(b, n);
		json_object_set_new(c, crls[i][0], json_string(hex));
		free(hex);
		free(b);
	}
	/* PCS bodies as text: signed bytes taken verbatim. */
	run_bytes(s.quote, s.len, c, NULL, TP_PROVIDER_INTEL_TDX, 1782698885,
	          cfg(), &v);
	expect_valid(&v, "UpToDate");
	verdict_free(&v);
	/* PCS bodies as nested objects: re-serialised compactly. Intel
	 * serves compact JSON, so this reproduces the signed bytes. */
	for (int k = 0; k < 2; k++) {
		const char *key = k == 0 ? "tcb_info" : "qe_identity";
		json_t *o = json_loads(
		        json_string_value(json_object_get(c, key)), 0, NULL);
		assert_non_null(o);
		json_object_set_new(c, key, o);
	}
	run_bytes(s.quote, s.len, c, NULL, TP_PROVIDER_INTEL_TDX, 1782698885,
	          cfg(), &v);
	expect_valid(&v, "UpToDate");
	verdict_free(&v);
	/* The collateral given as a JSON file path. */
	json_decref(c);
	sample_free(&s);
}

/* A self-signed P-256 certificate with NAME as subject and issuer. */
static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *issuer_key, X509 *issuer,
          const X509_NAME *subject, bool ca)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 7 : 8);
	X509_set_subject_name(x, (X509_NAME *)subject);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
	                                       : (X509_NAME *)subject);
	ASN1_TIME_set(X509_getm_notBefore(x), 1514764800); /* 2018 */
	ASN1_TIME_set(X509_getm_notAfter(x), 2524608000);  /* 2050 */
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	                        ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage,
	                        ca ? "critical,keyCertSign,cRLSign"
	                           : "critical,digitalSignature");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
	return x;
}

static char *
pem_of(X509 *a, X509 *b)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	PEM_write_bio_X509(bio, a);
	PEM_write_bio_X509(bio, b);
	n = BIO_get_mem_data(bio, &p);
	out = strndup(p, (size_t)n);
	BIO_free(bio);
	return out;
}

/*
 * A look-alike Intel SGX Root CA (same subject, another key) issuing a
 * look-alike TCB Signing certificate that signs the real TCB Info and QE
 * Identity bytes: everything is well formed and every signature holds,
 * but the chain does not end at the pinned root, so it is refused.
 */
static void
test_lookalike_root(void **state)
{
	struct sample s;
	struct verdict v;
	EVP_PKEY *rk = EVP_EC_gen("P-256"), *sk = EVP_EC_gen("P-256");
	X509 *real = dcap_root_ca(), *root, *signer;
	X509_NAME *signer_name = X509_NAME_new();
	json_t *c;
	uint8_t sig[64];
	char *pem, *hex;

	(void)state;
	assert_non_null(real);
	root = make_cert(rk, rk, NULL, X509_get_subject_name(real), true);
	X509_NAME_add_entry_by_txt(
	        signer_name, "CN", MBSTRING_ASC,
	        (const unsigned char *)"Intel SGX TCB Signing", -1, -1, 0);
	signer = make_cert(sk, rk, root, signer_name, false);
	pem = pem_of(signer, root);
	sample_load(&s, TDX_DIR, true);
	c = json_deep_copy(s.collateral);
	for (int k = 0; k < 2; k++) {
		const char *doc = k == 0 ? "tcb_info" : "qe_identity";
		const char *t = json_string_value(json_object_get(c, doc));
		char key[64];
		assert_true(ecdsa_sign_raw(sk, EVP_sha256(), (const uint8_t *)t,
		                           strlen(t), sig, 32));
		hex = codec_hex_encode(sig, 64);
		snprintf(key, sizeof(key), "%s_signature", doc);
		json_object_set_new(c, key, json_string(hex));
		snprintf(key, sizeof(key), "%s_issuer_chain", doc);
		json_object_set_new(c, key, json_string(pem));
		free(hex);
	}
	run_coll(&s, c, &v);
	expect_check_failed(&v, "tcb_info_issuer_chain",
	                    TP_ERR_certificate_chain_invalid);
	expect_check_failed(&v, "qe_identity_issuer_chain",
	                    TP_ERR_certificate_chain_invalid);
	assert_string_equal(v.tcb_status, "");
	verdict_free(&v);
	json_decref(c);
	free(pem);
	sample_free(&s);
	X509_free(root);
	X509_free(signer);
	X509_NAME_free(signer_name);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(sk);
}

/*
 * TDX 1.5 (v5 quote, TD 1.5 body) TCB evaluation against its TCB Info:
 * MANIFEST gotdx_v5_td15, "Collector's TCB-level evaluation against this
 * TCB info: UpToDate [] (matched level tcbDate 2024-11-13T00:00:00Z; TDX
 * module identity TDX_01 -> UpToDate)". Its TCB Info signature verifies
 * with the key of Intel SGX TCB Signing (the re-issued certificate of the
 * Tinfoil sample carries the same key).
 */
static void
test_v5_td15_tcb(void **state)
{
	const char *dir = "tests/data/tdx/gotdx_v5_td15";
	struct sample s;
	struct dcap_quote q;
	struct dcap_tcb_info t;
	struct dcap_pck_ext ext;
	struct dcap_tcb_result r;
	STACK_OF(X509) * chain, *signer;
	uint8_t *body, *pem;
	size_t n, pn, o, len;
	const char *check;
	char why[240], date[32];

	(void)state;
	sample_load(&s, dir, false);
	parse_ok(&s, &q);
	assert_int_equal(q.hdr.version, 5);
	assert_int_equal(q.body_type, 3);
	chain = x509_parse_pem_chain(q.cert_data, q.cert_len);
	assert_non_null(chain);
	assert_true(dcap_pck_ext_parse(sk_X509_value(chain, 0), &ext, why,
	                               sizeof(why)));
	/* MANIFEST: FMSPC 90c06f000000, PCESVN 13, components
	 * [4, 4, 2, 2, 4, 1, 0, 5, 0...]. */
	assert_memory_equal(ext.fmspc, "\x90\xc0\x6f\x00\x00\x00", 6);
	assert_int_equal(ext.pcesvn, 13);
	assert_memory_equal(ext.comp_svn,
	                    "\x04\x04\x02\x02\x04\x01\x00\x05\x00\x00\x00\x00"
	                    "\x00\x00\x00\x00",
	                    16);
	assert_int_equal(ext.sgx_type, 1);
	body = tu_read_file("tests/data/tdx/gotdx_v5_td15/tcb_info.json", &n);
	assert_true(dcap_json_member_span((const char *)body, n, "tcbInfo", &o,
	                                  &len));
	assert_true(dcap_tcb_info_parse(body + o, len, &t, why, sizeof(why)));
	/* Signature over the exact bytes (hex r||s in the body). */
	{
		json_t *doc = json_loadb((const char *)body, n, 0, NULL);
		uint8_t sig[64];
		assert_true(codec_hex_decode_fixed(
		        json_string_value(json_object_get(doc, "signature")),
		        sig, 64));
		pem = tu_read_file("tests/data/tdx/teep_tinfoil_v4_20260629/"
		                   "tcb_info_issuer_chain.pem",
		                   &pn);
		signer = x509_parse_pem_chain(pem, pn);
		assert_true(ecdsa_verify_raw(
		        X509_get0_pubkey(sk_X509_value(signer, 0)),
		        EVP_sha256(), body + o, len, sig, sig + 32, 32));
		sig[5] ^= 1;
		assert_false(ecdsa_verify_raw(
		        X509_get0_pubkey(sk_X509_value(signer, 0)),
		        EVP_sha256(), body + o, len, sig, sig + 32, 32));
		sk_X509_pop_free(signer, X509_free);
		free(pem);
		json_decref(doc);
	}
	assert_int_equal(
	        dcap_tcb_platform(&q, &ext, &t, &r, &check, why, sizeof(why)),
	        TP_ERR_none);
	assert_int_equal(r.overall, DCAP_UP_TO_DATE);
	assert_true(r.has_module);
	assert_int_equal(r.module, DCAP_UP_TO_DATE);
	assert_int_equal(json_array_size(r.advisories), 0);
	tptime_format(r.tcb_date, date);
	assert_string_equal(date, "2024-11-13T00:00:00Z");
	dcap_tcb_result_free(&r);
	dcap_tcb_info_clear(&t);
	free(body);
	sk_X509_pop_free(chain, X509_free);
	sample_free(&s);
}

static void
test_policy(void **state)
{
	struct verify_config c;
	struct sample s;
	struct verdict v;
	char err[160];

	(void)state;
	verify_config_defaults(&c);
	/* Unknown keys and bad values are refused. */
	assert_false(verify_config_set(&c, "dcap.nope", "1", err, sizeof(err)));
	assert_false(verify_config_set(&c, "dcap.accepted_statuses",
	                               "UpToDate,Revoked", err, sizeof(err)));
	assert_false(verify_config_set(&c, "dcap.tcb_grace_period_days", "-1",
	                               err, sizeof(err)));
	assert_false(verify_config_set(&c, "dcap.mrservicetd", "00", err,
	                               sizeof(err)));
	assert_false(verify_config_set(&c, "dcap.allow_out_of_date", "maybe",
	                               err, sizeof(err)));

	sample_load(&s, SGX_DIR, true);
	/* Only UpToDate accepted: the SGX sample's status is refused. */
	assert_true(verify_config_set(&c, "dcap.accepted_statuses", "UpToDate",
	                              err, sizeof(err)));
	run_bytes(s.quote, s.len, s.collateral, NULL, TP_PROVIDER_INTEL_SGX,
	          SGX_TIME, &c, &v);
	expect_check_failed(&v, "tcb_status", TP_ERR_tcb_status_not_accepted);
	assert_string_equal(v.tcb_status, "ConfigurationAndSWHardeningNeeded");
	verdict_free(&v);
	/* Advisory deny-list. */
	verify_config_defaults(&c);
	assert_true(verify_config_set(&c, "dcap.advisory_deny",
	                              "INTEL-SA-00001, INTEL-SA-00615", err,
	                              sizeof(err)));
	run_bytes(s.quote, s.len, s.collateral, NULL, TP_PROVIDER_INTEL_SGX,
	          SGX_TIME, &c, &v);
	expect_check_failed(&v, "tcb_advisories", TP_ERR_tcb_advisory_denied);
	verdict_free(&v);
	sample_free(&s);

	/* MRSERVICETD required: a TD 1.0 body has none. */
	verify_config_defaults(&c);
	assert_true(verify_config_set(&c, "dcap.mrservicetd", ZERO48 ZERO48,
	                              err, sizeof(err)) == false);
	assert_true(verify_config_set(&c, "dcap.mrservicetd", ZERO48, err,
	                              sizeof(err)));
	sample_load(&s, TDX_DIR, true);
	run_bytes(s.quote, s.len, s.collateral, NULL, TP_PROVIDER_INTEL_TDX,
	          TDX_TIME, &c, &v);
	expect_check_failed(&v, "mrservicetd_policy",
	                    TP_ERR_tdx_mrservicetd_mismatch);
	verdict_free(&v);
	sample_free(&s);

	/* Issue 13: the real TD 1.5 quote (body type 3, MRSERVICETD all
	 * zero): the value it carries passes, any other fails. */
	sample_load(&s, "tests/data/tdx/gotdx_v5_td15", false);
	for (int m = 0; m < 2; m++) {
		bool seen = false;
		size_t i;
		json_t *ck;

		char want[97];

		/* m == 1: one bit off in the last byte */
		snprintf(want, sizeof(want), "%s", ZERO48);
		if (m == 1)
			want[95] = '1';
		verify_config_defaults(&c);
		assert_true(verify_config_set(&c, "dcap.mrservicetd", want, err,
		                              sizeof(err)));
		run_bytes(s.quote, s.len, NULL, "tests/data/tdx/gotdx_v5_td15",
		          TP_PROVIDER_INTEL_TDX, 1770080400, &c, &v);
		json_array_foreach(v.checks, i, ck)
		{
			if (strcmp(json_string_value(
			                   json_object_get(ck, "check")),
			           "mrservicetd_policy") != 0)
				continue;
			seen = true;
			assert_int_equal(
			        json_is_true(json_object_get(ck, "ok")),
			        m == 0);
		}
		assert_true(seen);
		assert_int_equal(
		        verdict_has_error(&v, TP_ERR_tdx_mrservicetd_mismatch),
		        m == 1);
		verdict_free(&v);
		verify_config_free(&c);
	}
	sample_free(&s);

	/* SEPT_VE_DISABLE: the go-tdx-guest TD has it clear (TD_ATTRIBUTES
	 * 0000004000000000). */
	verify_config_defaults(&c);
	sample_load(&s, "tests/data/tdx/gotdx_v4_spr_e4_no_tcb_match", false);
	run_bytes(s.quote, s.len, NULL,
	          "tests/data/tdx/gotdx_v4_spr_e4_no_tcb_match",
	          TP_PROVIDER_INTEL_TDX, 1688173200, &c, &v);
	expect_check_failed(&v, "td_attributes_policy",
	                    TP_ERR_tdx_sept_ve_disable_required);
	verdict_free(&v);
	assert_true(verify_config_set(&c, "dcap.require_sept_ve_disable",
	                              "false", err, sizeof(err)));
	run_bytes(s.quote, s.len, NULL,
	          "tests/data/tdx/gotdx_v4_spr_e4_no_tcb_match",
	          TP_PROVIDER_INTEL_TDX, 1688173200, &c, &v);
	assert_false(
	        verdict_has_error(&v, TP_ERR_tdx_sept_ve_disable_required));
	verdict_free(&v);
	sample_free(&s);
	verify_config_free(&c);
}

/* runtime_data binding through report_data (SHA-512 of the bytes). */
static void
test_binding(void **state)
{
	struct sample s;
	struct verdict v;
	struct verify_request req;
	struct artifact_set set;

	(void)state;
	sample_load(&s, SGX_DIR, true);
	memset(&req, 0, sizeof(req));
	req.evidence = s.quote;
	req.evidence_len = s.len;
	tu_load(TP_PROVIDER_INTEL_SGX, s.collateral, NULL, &set);
	req.artifacts = &set;
	req.now = SGX_TIME;
	req.cfg = cfg();
	req.runtime_data = (const uint8_t *)"not bound";
	req.runtime_data_len = 9;
	verify_run(&req, &v);
	expect_error(&v, TP_ERR_binding_mismatch);
	verdict_free(&v);
	artifact_set_clear(&set);
	sample_free(&s);
}

/*
 * The debug policy. A real debug quote cannot be made here (the QE key is
 * Intel's), so the DEBUG attribute is set in a sample: the signature then
 * fails, and the debug check must still refuse it unless allowed.
 */
static void
test_debug_policy(void **state)
{
	/* SGX ATTRIBUTES.DEBUG: body offset 48, bit 1. TDX TD_ATTRIBUTES
	 * bit 0 (DEBUG): body offset 120. The body starts at 48. */
	const char *dirs[2] = {SGX_DIR, TDX_DIR};
	const size_t at[2] = {48 + 48, 48 + 120};
	const uint8_t bit[2] = {0x02, 0x01};
	const enum tp_provider prov[2] = {TP_PROVIDER_INTEL_SGX,
	                                  TP_PROVIDER_INTEL_TDX};
	const int64_t when[2] = {SGX_TIME, TDX_TIME};
	struct verify_config c;
	struct sample s;
	struct verdict v;
	uint8_t *b;

	(void)state;
	for (int d = 0; d < 2; d++) {
		sample_load(&s, dirs[d], true);
		b = malloc(s.len);
		memcpy(b, s.quote, s.len);
		assert_int_equal(b[at[d]] & bit[d], 0);
		b[at[d]] |= bit[d];
		verify_config_defaults(&c);
		run_bytes(b, s.len, s.collateral, NULL, prov[d], when[d], &c,
		          &v);
		assert_true(json_is_true(json_object_get(v.claims, "debug")));
		expect_check_failed(&v, "debug_policy",
		                    TP_ERR_debug_not_allowed);
		expect_check_failed(&v, "quote_signature",
		                    TP_ERR_quote_signature_invalid);
		verdict_free(&v);
		c.allow_debug = true;
		run_bytes(b, s.len, s.collateral, NULL, prov[d], when[d], &c,
		          &v);
		assert_false(verdict_has_error(&v, TP_ERR_debug_not_allowed));
		expect_error(&v, TP_ERR_quote_signature_invalid);
		verdict_free(&v);
		free(b);
		sample_free(&s);
	}
}

/* The needs of phase 1 (verify_begin) for QUOTE, with no artifacts. */
static void
begin(const uint8_t *quote, size_t len, struct verdict *v,
      struct verify_evidence *ev)
{
	static struct verify_request req;

	memset(&req, 0, sizeof(req));
	req.evidence = quote;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_INTEL_TDX;
	req.now = TDX_TIME;
	req.cfg = cfg();
	verify_begin(&req, v, ev);
}

/*
 * Phase 1 names the collateral of a quote whose PCK chain verified: the
 * TCB Info of the FMSPC Intel's signed TCB Info gives for this platform,
 * the TD QE identity, the CRL of the CA in the quote's chain, the Root CA
 * CRL. A quote whose leaf signature is broken needs nothing, so no vendor
 * is ever asked about it; phase 2 still names the broken chain.
 */
static void
test_needs_phase(void **state)
{
	struct sample s;
	struct verdict v;
	struct verify_evidence ev;
	struct dcap_quote q;
	json_t *tcb;
	char want[32], fmspc[16];
	const uint8_t *end;
	uint8_t *b;
	size_t at;

	(void)state;
	sample_load(&s, TDX_DIR, true);
	tcb = json_loads(
	        json_string_value(json_object_get(s.collateral, "tcb_info")), 0,
	        NULL);
	assert_non_null(tcb);
	snprintf(fmspc, sizeof(fmspc), "%s",
	         json_string_value(json_object_get(tcb, "fmspc")));
	for (char *c = fmspc; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(want, sizeof(want), "tdx/%s", fmspc);
	json_decref(tcb);

	begin(s.quote, s.len, &v, &ev);
	assert_int_equal(ev.needs.n, 4);
	assert_int_equal(ev.needs.items[0].kind, ARTIFACT_INTEL_TCB_INFO);
	assert_string_equal(ev.needs.items[0].key, want);
	assert_int_equal(ev.needs.items[1].kind, ARTIFACT_INTEL_QE_IDENTITY);
	assert_string_equal(ev.needs.items[1].key, "tdx");
	assert_int_equal(ev.needs.items[2].kind, ARTIFACT_INTEL_PCK_CRL);
	/* The CA the sample's own PCK CRL (Intel's, for this platform)
	 * names as its issuer. */
	{
		const char *hex = json_string_value(
		        json_object_get(s.collateral, "pck_crl"));
		uint8_t *crl = NULL;
		size_t crllen = 0;
		assert_true(codec_hex_decode(hex, strlen(hex), &crl, &crllen));
		assert_string_equal(ev.needs.items[2].key,
		                    memmem(crl, crllen, "PCK Platform CA", 15)
		                            ? "platform"
		                            : "processor");
		free(crl);
	}
	assert_int_equal(ev.needs.items[3].kind, ARTIFACT_INTEL_ROOT_CA_CRL);
	assert_int_equal(json_array_size(v.errors), 0);
	verify_evidence_free(&ev);
	verdict_free(&v);

	/* The leaf's signature value broken (the DER still parses). */
	parse_ok(&s, &q);
	end = memmem(q.cert_data, q.cert_len, "-----END CERTIFICATE-----", 25);
	assert_non_null(end);
	at = off(&s, end) - 20;
	b = malloc(s.len);
	memcpy(b, s.quote, s.len);
	b[at] = b[at] == 'A' ? 'B' : 'A';
	dcap_cache_clear();
	begin(b, s.len, &v, &ev);
	assert_int_equal(ev.needs.n, 0);
	assert_int_equal(json_array_size(v.errors), 0);
	verify_evidence_free(&ev);
	verdict_free(&v);
	/* Nor with its CA (the same text as the good quote's) verified and
	 * cached by the good quote first: the leaf is checked every time. */
	begin(s.quote, s.len, &v, &ev);
	assert_int_equal(ev.needs.n, 4);
	verify_evidence_free(&ev);
	verdict_free(&v);
	begin(b, s.len, &v, &ev);
	assert_int_equal(ev.needs.n, 0);
	verify_evidence_free(&ev);
	verdict_free(&v);
	run_bytes(b, s.len, s.collateral, NULL, TP_PROVIDER_INTEL_TDX, TDX_TIME,
	          cfg(), &v);
	expect_check_failed(&v, "pck_chain", TP_ERR_certificate_chain_invalid);
	verdict_free(&v);
	/* Without collateral (nobody fetched any for it) the broken chain
	 * is the whole verdict, not a list of missing collateral. */
	run_bytes(b, s.len, NULL, NULL, TP_PROVIDER_INTEL_TDX, TDX_TIME, cfg(),
	          &v);
	assert_only_error(&v, "certificate_chain_invalid");
	verdict_free(&v);
	/* A good quote without collateral still names what is missing. */
	run_bytes(s.quote, s.len, NULL, NULL, TP_PROVIDER_INTEL_TDX, TDX_TIME,
	          cfg(), &v);
	assert_string_equal(first_error(&v), "collateral_missing");
	verdict_free(&v);
	free(b);
	sample_free(&s);
}

static void
put_u32le(uint8_t *p, uint32_t x)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t
get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * A well-formed v4 quote whose PCK chain is followed by 200 more copies
 * of its CA certificate (every length field grown to match): refused as
 * pck_chain_too_long before any certificate is parsed, and phase 1 needs
 * nothing for it.
 */
static void
test_inflated_chain(void **state)
{
	struct sample s;
	struct verdict v;
	struct verify_evidence ev;
	struct dcap_quote q;
	const uint8_t *ca, *ca_end;
	size_t ca_len, extra, cert_off, cert_end, n;
	uint8_t *b;
	char why[160];

	(void)state;
	sample_load(&s, TDX_DIR, true);
	parse_ok(&s, &q);
	assert_int_equal(q.hdr.version, 4);
	/* The second PEM block: the CA. */
	ca = memmem(q.cert_data + 1, q.cert_len - 1,
	            "-----BEGIN CERTIFICATE-----", 27);
	assert_non_null(ca);
	ca_end = memmem(ca, q.cert_len - (size_t)(ca - q.cert_data),
	                "-----END CERTIFICATE-----\n", 26);
	assert_non_null(ca_end);
	ca_len = (size_t)(ca_end + 26 - ca);
	extra = 200 * ca_len;
	cert_off = off(&s, q.cert_data);
	cert_end = cert_off + q.cert_len;
	n = s.len + extra;
	b = calloc(1, n);
	memcpy(b, s.quote, cert_end);
	for (size_t i = 0; i < 200; i++)
		memcpy(b + cert_end + i * ca_len, ca, ca_len);
	memcpy(b + cert_end + extra, s.quote + cert_end, s.len - cert_end);
	/* Inner certification data size, the type-6 wrapper's size (just
	 * before the QE report) and signature_data_len. */
	put_u32le(b + cert_off - 4, get_u32le(b + cert_off - 4) + extra);
	put_u32le(b + off(&s, q.qe_report.raw) - 4,
	          get_u32le(b + off(&s, q.qe_report.raw) - 4) + extra);
	put_u32le(b + q.signed_len, get_u32le(b + q.signed_len) + extra);
	assert_int_equal(dcap_quote_parse(b, n, &q, why, sizeof(why)),
	                 TP_ERR_none);
	assert_true(q.cert_len > extra);
	begin(b, n, &v, &ev);
	assert_int_equal(ev.needs.n, 0);
	verify_evidence_free(&ev);
	verdict_free(&v);
	run_bytes(b, n, s.collateral, NULL, TP_PROVIDER_INTEL_TDX, TDX_TIME,
	          cfg(), &v);
	expect_check_failed(&v, "pck_chain", TP_ERR_pck_chain_too_long);
	assert_int_equal(v.certificate_chain_valid, TP_FALSE);
	assert_false(verdict_valid(&v));
	verdict_free(&v);
	free(b);
	sample_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_truncation_every_offset),
	        cmocka_unit_test(test_trailing_bytes),
	        cmocka_unit_test(test_versions),
	        cmocka_unit_test(test_flip_quote_regions),
	        cmocka_unit_test(test_flip_collateral),
	        cmocka_unit_test(test_missing_collateral),
	        cmocka_unit_test(test_pcs_shapes),
	        cmocka_unit_test(test_lookalike_root),
	        cmocka_unit_test(test_v5_td15_tcb),
	        cmocka_unit_test(test_policy),
	        cmocka_unit_test(test_binding),
	        cmocka_unit_test(test_debug_policy),
	        cmocka_unit_test(test_needs_phase),
	        cmocka_unit_test(test_inflated_chain),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	dcap_cache_clear();
	return rc;
}
