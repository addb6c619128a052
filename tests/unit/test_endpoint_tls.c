/*
 * Attested TLS (issue 18): the two layouts that bind an endpoint's TLS
 * key (verify/core/tls_binding.c), on real data where it exists — the
 * Tinfoil enclave's SEV-SNP report binds its certificate's key as
 * REPORT_DATA[0:32] (tests/data/snp/PROVENANCE.md) — and the endpoint
 * URL rules of the probe (handlers/tls_probe.c): https only, allow-listed
 * hosts only.
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
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "config/config.h"
#include "common/tls_target.h"
#include "load/load.h"
#include "verify/core/composite.h"
#include "verify/intel/dcap_policy.h"
#include "verify/core/tls_binding.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

#define BUNDLE "tests/data/snp/tinfoil_js_genoa_v3/attestation-bundle.json"
#define CERT   "tests/data/snp/tinfoil_js_genoa_v3/enclave_cert.pem"
#define AT     "2026-04-28T00:00:00Z" /* as test_snp_tinfoil.c */
/* ../shared/peer-samples/tinfoil-js/MANIFEST.md: tlsPublicKeyFingerprint,
 * as tinfoil's own verifier reports it. */
#define TINFOIL_FP                                                             \
	"71c31f35d2b06077bbae7c1ddf0cc4020408c8f39c68b04cf3d029d40bdd45e7"

static X509 *
read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

/* The real bundle verified as of AT (the SNP verifier, its own VCEK). */
static void
verify_bundle(struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;
	size_t len;
	uint8_t *b = tu_read_file(BUNDLE, &len);

	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	memset(&req, 0, sizeof(req));
	req.evidence = b;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_NONE;
	req.artifacts = &set;
	assert_true(tptime_parse(AT, &req.now));
	req.cfg = &cfg;
	verify_run(&req, v);
	artifact_set_clear(&set);
	verify_config_free(&cfg);
	free(b);
}

static void
test_tinfoil_report_data_binds_the_certificate_key(void **state)
{
	X509 *cert = read_cert(CERT);
	uint8_t spki[32], bound[32];
	char hex[65], why[200];
	struct verdict v;

	(void)state;
	/* The certificate's SPKI digest is tinfoil's fingerprint. */
	assert_true(tls_spki_sha256(cert, spki));
	codec_hex_encode_to(spki, 32, hex);
	assert_string_equal(hex, TINFOIL_FP);

	verify_bundle(&v);
	assert_true(verdict_valid(&v));
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_REPORT_DATA, bound,
	                                 why, sizeof(why)),
	                 1);
	assert_int_equal(tls_binding_compare(bound, spki), TP_ERR_none);
	/* One bit off in the presented key: a mismatch. */
	spki[31] ^= 1;
	assert_int_equal(tls_binding_compare(bound, spki),
	                 TP_ERR_tls_key_mismatch);
	/* Its runtime data layout binds nothing: no runtime data sent. */
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_RUNTIME_DATA, bound,
	                                 why, sizeof(why)),
	                 0);
	verdict_free(&v);
	X509_free(cert);
}

/* The first error's message of V (the reason a check failed). */
static const char *
first_message(const struct verdict *v)
{
	return json_string_value(
	        json_object_get(json_array_get(v->errors, 0), "message"));
}

/* RA-TLS: the real Gramine certificate of tests/data/ratls (PROVENANCE.md)
 * verified as test_ratls.c does; the key its quote binds is the key of
 * the certificate itself, the one a TLS server presenting it holds. */
static void
test_ratls_certificate_binds_its_own_key(void **state)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set coll;
	struct verdict v;
	size_t len;
	uint8_t *pem = tu_read_file("tests/data/ratls/gramine_cert.pem", &len);
	X509 *cert = read_cert("tests/data/ratls/gramine_cert.pem");
	uint8_t bound[32], spki[32];
	char why[200], err[128];

	(void)state;
	artifact_set_init(&coll);
	assert_true(load_path(
	        TP_PROVIDER_RA_TLS,
	        "tests/data/ratls/collateral_sgx_00606a000000_2025-08", &coll));
	verify_config_defaults(&cfg);
	/* debug test enclaves on an OutOfDate platform (test_ratls.c) */
	cfg.allow_debug = true;
	assert_true(dcap_policy_set(&cfg.dcap, "allow_out_of_date", "true", err,
	                            sizeof(err)));
	memset(&req, 0, sizeof(req));
	req.evidence = pem;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_RA_TLS;
	req.artifacts = &coll;
	assert_true(tptime_parse("2025-08-20T00:00:00Z", &req.now));
	req.cfg = &cfg;
	verify_run(&req, &v);
	assert_true(verdict_valid(&v));
	assert_true(tls_spki_sha256(cert, spki));
	for (int l = 0; l < 3; l++) {
		assert_int_equal(tls_binding_get(&v, (enum tls_binding_layout)l,
		                                 bound, why, sizeof(why)),
		                 1);
		assert_int_equal(tls_binding_compare(bound, spki), TP_ERR_none);
	}
	verdict_free(&v);
	/* Runtime data sent: it could bind only in REPORTDATA[32:64], which
	 * Gramine leaves zero — so none is bound, and the error says so,
	 * split layout declared or not. */
	req.runtime_data = (const uint8_t *)"{\"model\":\"sha256:5eed\"}";
	req.runtime_data_len = strlen((const char *)req.runtime_data);
	for (int upper = 0; upper < 2; upper++) {
		req.runtime_data_upper = upper == 1;
		verify_run(&req, &v);
		assert_false(verdict_valid(&v));
		assert_true(verdict_has_error(&v, TP_ERR_binding_half_zero));
		assert_non_null(strstr(first_message(&v), "REPORTDATA[32:64]"));
		assert_null(v.bound);
		verdict_free(&v);
	}
	verify_config_free(&cfg);
	artifact_set_clear(&coll);
	X509_free(cert);
	free(pem);
}

/*
 * Binds RD (JSON text) through a Mock-shaped verdict whose 64-byte
 * report_data is LOW || HIGH, appraised with or without the split
 * layout declared.
 */
static void
appraise_split(struct verdict *v, const uint8_t low[32], const uint8_t high[32],
               const char *rd, bool upper)
{
	struct verify_config cfg;
	struct verify_request req;
	uint8_t buf[64];
	char hex[129];

	verify_config_defaults(&cfg);
	memcpy(buf, low, 32);
	memcpy(buf + 32, high, 32);
	verdict_init(v, TP_PROVIDER_MOCK, 0);
	codec_hex_encode_to(buf, 64, hex);
	verdict_claim_str(v, "report_data", hex);
	verdict_add_binding(v, "report_data", buf, 64);
	memset(&req, 0, sizeof(req));
	req.runtime_data = (const uint8_t *)rd;
	req.runtime_data_len = strlen(rd);
	req.runtime_data_upper = upper;
	req.cfg = &cfg;
	verify_appraise(&req, v);
	verify_config_free(&cfg);
}

/*
 * tls_binding "report_data_split": REPORT_DATA[0:32] the key's digest,
 * [32:64] SHA-256 of the runtime data (the model digest...). Read only
 * when declared; a zero upper half is its own error; the old
 * SHA-256(rd) || 0^32 layout is not accepted in its place.
 */
static void
test_split_layout(void **state)
{
	static const char rd[] = "{\"model\":\"sha256:5eed\"}";
	static const uint8_t zero[32];
	uint8_t key[32], rdh[32], got[32], other[32];
	char why[200];
	struct verdict v;

	(void)state;
	assert_true(codec_hex_decode_fixed(TINFOIL_FP, key, 32));
	SHA256((const uint8_t *)rd, strlen(rd), rdh);

	appraise_split(&v, key, rdh, rd, true);
	assert_int_equal(v.binding_valid, TP_TRUE);
	assert_string_equal(
	        json_string_value(json_object_get(v.bound, "model")),
	        "sha256:5eed");
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_REPORT_DATA_SPLIT, got,
	                                 why, sizeof(why)),
	                 1);
	assert_memory_equal(got, key, 32);
	verdict_free(&v);

	/* Not declared: the whole field is read, and does not match. */
	appraise_split(&v, key, rdh, rd, false);
	assert_int_equal(v.binding_valid, TP_FALSE);
	assert_true(verdict_has_error(&v, TP_ERR_binding_mismatch));
	assert_null(v.bound);
	verdict_free(&v);

	/* Declared, upper half zero: nothing bound, said so. */
	appraise_split(&v, key, zero, rd, true);
	assert_int_equal(v.binding_valid, TP_FALSE);
	assert_true(verdict_has_error(&v, TP_ERR_binding_half_zero));
	assert_non_null(strstr(first_message(&v), "report_data[32:64]"));
	assert_null(v.bound);
	verdict_free(&v);

	/* SHA-256(rd) || 0^32 (valid without the declaration) is not the
	 * split layout: its upper half is zero. */
	appraise_split(&v, rdh, zero, rd, true);
	assert_true(verdict_has_error(&v, TP_ERR_binding_half_zero));
	verdict_free(&v);
	appraise_split(&v, rdh, zero, rd, false);
	assert_int_equal(v.binding_valid, TP_TRUE);
	verdict_free(&v);

	/* Another digest in [32:64] (one bit off): a mismatch naming the
	 * half, and the runtime data is never read. */
	memcpy(other, rdh, 32);
	other[0] ^= 0x80;
	appraise_split(&v, key, other, rd, true);
	assert_true(verdict_has_error(&v, TP_ERR_binding_mismatch));
	assert_non_null(strstr(first_message(&v), "[32:64]"));
	assert_null(v.bound);
	verdict_free(&v);
}

/* The real Tinfoil report: [32:64] is its HPKE key, so runtime data sent
 * with the split layout declared is not bound. */
static void
test_split_layout_tinfoil(void **state)
{
	static const char rd[] = "{\"model\":\"sha256:5eed\"}";
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;
	struct verdict v;
	size_t len;
	uint8_t *b = tu_read_file(BUNDLE, &len);

	(void)state;
	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	memset(&req, 0, sizeof(req));
	req.evidence = b;
	req.evidence_len = len;
	req.runtime_data = (const uint8_t *)rd;
	req.runtime_data_len = strlen(rd);
	req.runtime_data_upper = true;
	req.artifacts = &set;
	assert_true(tptime_parse(AT, &req.now));
	req.cfg = &cfg;
	verify_run(&req, &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_binding_mismatch));
	assert_null(v.bound);
	verdict_free(&v);
	artifact_set_clear(&set);
	verify_config_free(&cfg);
	free(b);
}

/* A verdict whose runtime data (bound or not) is DOC. */
static void
verdict_with(struct verdict *v, const char *doc, enum tp_tri binding)
{
	verdict_init(v, TP_PROVIDER_MOCK, 0);
	v->binding_valid = binding;
	if (doc != NULL) {
		v->bound = json_loads(doc, 0, NULL);
		assert_non_null(v->bound);
	}
}

static void
test_runtime_data_layout(void **state)
{
	static const char *const bad[] = {
	        /* 63 digits, 65 digits, not hex, not a string */
	        "{\"tls_spki_sha256\": \"71c31f35d2b06077bbae7c1ddf0cc4020408c"
	        "8f39c68b04cf3d029d40bdd45e\"}",
	        "{\"tls_spki_sha256\": \"71c31f35d2b06077bbae7c1ddf0cc4020408c"
	        "8f39c68b04cf3d029d40bdd45e70\"}",
	        "{\"tls_spki_sha256\": \"zzc31f35d2b06077bbae7c1ddf0cc4020408c"
	        "8f39c68b04cf3d029d40bdd45e7\"}",
	        "{\"tls_spki_sha256\": 7}",
	};
	uint8_t want[32], got[32];
	char why[200];
	struct verdict v;

	(void)state;
	assert_true(codec_hex_decode_fixed(TINFOIL_FP, want, 32));
	verdict_with(&v,
	             "{\"model\": \"sha256:00\", \"tls_spki_sha256\": \""
	             "71C31F35D2B06077BBAE7C1DDF0CC4020408C8F39C68B04CF3D0"
	             "29D40BDD45E7\"}",
	             TP_TRUE);
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_RUNTIME_DATA, got, why,
	                                 sizeof(why)),
	                 1);
	assert_memory_equal(got, want, 32);
	verdict_free(&v);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		verdict_with(&v, bad[i], TP_TRUE);
		assert_int_equal(tls_binding_get(&v, TLS_BINDING_RUNTIME_DATA,
		                                 got, why, sizeof(why)),
		                 -1);
		assert_non_null(strstr(why, "tls_spki_sha256"));
		verdict_free(&v);
	}
	/* Runtime data without a key, or none: nothing bound. */
	verdict_with(&v, "{\"model\": \"sha256:00\"}", TP_TRUE);
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_RUNTIME_DATA, got, why,
	                                 sizeof(why)),
	                 0);
	verdict_free(&v);
	verdict_with(&v, NULL, TP_NULL);
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_RUNTIME_DATA, got, why,
	                                 sizeof(why)),
	                 0);
	/* The report_data layout without a report_data claim: malformed. */
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_REPORT_DATA, got, why,
	                                 sizeof(why)),
	                 -1);
	verdict_free(&v);
	/* A key in runtime data whose binding did not hold is refused. */
	verdict_with(&v, "{\"tls_spki_sha256\": \"" TINFOIL_FP "\"}", TP_FALSE);
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_RUNTIME_DATA, got, why,
	                                 sizeof(why)),
	                 -1);
	verdict_free(&v);
}

static void
test_report_data_short_or_not_hex(void **state)
{
	uint8_t got[32];
	char why[200];
	struct verdict v;

	(void)state;
	verdict_init(&v, TP_PROVIDER_MOCK, 0);
	verdict_claim_str(&v, "report_data", "0011");
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_REPORT_DATA, got, why,
	                                 sizeof(why)),
	                 -1);
	verdict_claim_str(&v, "report_data",
	                  "g1c31f35d2b06077bbae7c1ddf0cc4020408c8f39c68b04cf"
	                  "3d029d40bdd45e7");
	assert_int_equal(tls_binding_get(&v, TLS_BINDING_REPORT_DATA, got, why,
	                                 sizeof(why)),
	                 -1);
	verdict_free(&v);
}

static void
test_layout_names(void **state)
{
	enum tls_binding_layout l;

	(void)state;
	assert_true(tls_binding_layout_parse("report_data", &l));
	assert_int_equal(l, TLS_BINDING_REPORT_DATA);
	assert_string_equal(tls_binding_layout_name(l), "report_data");
	assert_true(tls_binding_layout_parse("runtime_data", &l));
	assert_int_equal(l, TLS_BINDING_RUNTIME_DATA);
	assert_false(tls_binding_runtime_data_upper(l));
	assert_true(tls_binding_layout_parse("report_data_split", &l));
	assert_int_equal(l, TLS_BINDING_REPORT_DATA_SPLIT);
	assert_string_equal(tls_binding_layout_name(l), "report_data_split");
	assert_true(strlen(tls_binding_layout_name(l)) + 1 <=
	            TLS_BINDING_NAME_MAX);
	assert_true(tls_binding_runtime_data_upper(l));
	assert_false(tls_binding_layout_parse("user_data", &l));
	assert_false(tls_binding_layout_parse("", &l));
	assert_false(tls_binding_layout_parse(NULL, &l));
}

static void
test_target_parse(void **state)
{
	static const char *const refused[] = {
	        "http://a.example/v1",
	        "https://",
	        "https:///v1",
	        "https://user@a.example/",
	        "https://a.example:0/",
	        "https://a.example:65536/",
	        "https://a.example:12ab/",
	        "https://a.example:/",
	        "https://[::1/",
	        "https://a b/",
	        "ftp://a.example",
	        "https://a.example;x/",
	};
	struct tls_target t;

	(void)state;
	assert_true(tls_target_parse("https://LLM.Example/v1?x=1", &t));
	assert_string_equal(t.host, "llm.example");
	assert_string_equal(t.port, "443");
	assert_true(tls_target_parse("HTTPS://127.0.0.1:8443", &t));
	assert_string_equal(t.host, "127.0.0.1");
	assert_string_equal(t.port, "8443");
	assert_true(tls_target_parse("https://[::1]:9/x", &t));
	assert_string_equal(t.host, "::1");
	assert_string_equal(t.port, "9");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (tls_target_parse(refused[i], &t))
			fail_msg("%s accepted", refused[i]);
}

static void
test_allow_list(void **state)
{
	struct tls_target t;

	(void)state;
	assert_true(tls_target_parse("https://a.llm.example/", &t));
	assert_true(tls_target_allowed(&t, "*.llm.example"));
	assert_true(tls_target_allowed(&t, "x.example, A.LLM.example"));
	assert_false(tls_target_allowed(&t, "llm.example"));
	assert_false(tls_target_allowed(&t, "*.example.org"));
	assert_false(tls_target_allowed(&t, "a.llm.example.evil"));
	assert_false(tls_target_allowed(&t, ""));
	assert_false(tls_target_allowed(&t, NULL));
	assert_true(tls_target_parse("https://llm.example/", &t));
	/* "*.llm.example" names hosts under it, not the domain itself. */
	assert_false(tls_target_allowed(&t, "*.llm.example"));
	assert_true(tls_target_parse("https://evilllm.example/", &t));
	assert_false(tls_target_allowed(&t, "*.llm.example"));
	assert_true(tls_target_parse("https://127.0.0.1:1/", &t));
	assert_true(tls_target_allowed(&t, "localhost,127.0.0.1"));
	assert_false(tls_target_allowed(&t, "127.0.0.10"));
}

/* GPU identities (one GPU, one endpoint): the device certificate's
 * serial, else an NRAS token's ueid; one evidence naming a GPU twice (an
 * NRAS token: at the top and in gpus) names it once. */
static void
test_gpu_ids(void **state)
{
	json_t *claims, *ids = json_array();
	char *s;
	struct verdict v;

	(void)state;
	claims = json_loads("{\"ueid\": \"645\", \"gpus\": {\"GPU-0\": "
	                    "{\"ueid\": \"645\"}, \"GPU-1\": {\"ueid\": "
	                    "\"646\"}}}",
	                    0, NULL);
	composite_gpu_ids(claims, ids);
	composite_gpu_ids(claims, ids); /* a second device: listed again */
	s = json_dumps(ids, JSON_COMPACT);
	assert_string_equal(s, "[\"645\",\"646\",\"645\",\"646\"]");
	free(s);
	json_decref(claims);
	json_array_clear(ids);
	claims = json_loads("{\"device_id\": \"SN1\", \"ueid\": \"9\"}", 0,
	                    NULL);
	composite_gpu_ids(claims, ids);
	s = json_dumps(ids, JSON_COMPACT);
	assert_string_equal(s, "[\"SN1\"]");
	free(s);
	/* A verdict's GPUs by submod: its own (NvidiaGpu), and gpuN's. */
	verdict_init(&v, TP_PROVIDER_NVIDIA_GPU, 0);
	json_object_update(v.claims, claims);
	v.submods = json_loads("{\"gpu0\": {\"claims\": {\"device_id\": "
	                       "\"SN2\"}}, \"dev0\": {\"claims\": "
	                       "{\"device_id\": \"X\"}}}",
	                       0, NULL);
	json_decref(ids);
	ids = composite_verdict_gpu_ids(&v);
	s = json_dumps(ids, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"SN1\":\"gpu0\",\"SN2\":\"gpu0\"}");
	free(s);
	verdict_free(&v);
	json_decref(claims);
	json_decref(ids);
}

/* The configuration keys: off by default, ranges, and never offline. */
static void
test_config_keys(void **state)
{
	struct tp_config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_false(c.endpoint_tls_check);
	assert_null(c.endpoint_tls_allowed_hosts);
	assert_int_equal(c.endpoint_tls_timeout_ms, 5000);
	assert_int_equal(c.endpoint_tls_interval, 300);
	assert_true(
	        config_set(&c, "endpoint_tls_check", "1", err, sizeof(err)));
	assert_true(config_set(&c, "endpoint_tls_allowed_hosts",
	                       "*.llm.example, 10.0.0.7", err, sizeof(err)));
	assert_string_equal(c.endpoint_tls_allowed_hosts,
	                    "*.llm.example, 10.0.0.7");
	assert_true(config_set(&c, "endpoint_tls_allowed_hosts", "", err,
	                       sizeof(err)));
	assert_null(c.endpoint_tls_allowed_hosts);
	assert_false(config_set(&c, "endpoint_tls_timeout_ms", "99", err,
	                        sizeof(err)));
	assert_false(config_set(&c, "endpoint_tls_timeout_ms", "60001", err,
	                        sizeof(err)));
	assert_true(config_set(&c, "endpoint_tls_timeout_ms", "250", err,
	                       sizeof(err)));
	assert_int_equal(c.endpoint_tls_timeout_ms, 250);
	assert_true(
	        config_set(&c, "endpoint_tls_interval", "0", err, sizeof(err)));
	assert_false(config_set(&c, "endpoint_tls_interval", "-1", err,
	                        sizeof(err)));
	assert_false(config_set(&c, "endpoint_tls_check", "maybe", err,
	                        sizeof(err)));
	/* A valid daemon configuration, then offline: refused together. */
	config_set(&c, "database_url", "dbname=x", err, sizeof(err));
	config_set(&c, "signing_key", "/k.pem", err, sizeof(err));
	config_set(&c, "issuer", "https://attest.example.org", err,
	           sizeof(err));
	assert_true(config_validate(&c, true, err, sizeof(err)));
	config_set(&c, "offline", "1", err, sizeof(err));
	assert_false(config_validate(&c, true, err, sizeof(err)));
	assert_non_null(strstr(err, "endpoint_tls_check"));
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_tinfoil_report_data_binds_the_certificate_key),
	        cmocka_unit_test(test_ratls_certificate_binds_its_own_key),
	        cmocka_unit_test(test_split_layout),
	        cmocka_unit_test(test_split_layout_tinfoil),
	        cmocka_unit_test(test_runtime_data_layout),
	        cmocka_unit_test(test_report_data_short_or_not_hex),
	        cmocka_unit_test(test_layout_names),
	        cmocka_unit_test(test_target_parse),
	        cmocka_unit_test(test_allow_list),
	        cmocka_unit_test(test_config_keys),
	        cmocka_unit_test(test_gpu_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
