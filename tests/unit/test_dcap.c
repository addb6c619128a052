/*
 * Intel DCAP (SGX v3, TDX v4/v5) verification against the real samples of
 * tests/data/{sgx,tdx} (see PROVENANCE.md there). Every expected
 * value below is copied from the MANIFEST.md of the collector
 * (../shared/vectors/{sgx,tdx}, ../shared/peer-samples/dcap-qvl), never
 * from this code's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <jansson.h>

#include <openssl/x509.h>

#include "common/tptime.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_cache.h"
#include "verify/verify.h"

#include "tests/unit/test_dcap_util.h"

#define INTEL_ROOT_SHA256                                                      \
	"44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3"

/* 2026-11-23T00:00:00Z: "today", every sample's collateral has expired. */
#define TODAY 1795392000

static void
test_sgx_v3_processor_ca(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/sgx/dcapqvl_v3_processor_ca", true);
	/* MANIFEST: 2025-07-19T10:01:17Z */
	run(&s, TP_PROVIDER_NONE, 1752919277, NULL, &v);
	expect_valid(&v, "ConfigurationAndSWHardeningNeeded");
	assert_int_equal(v.provider, TP_PROVIDER_INTEL_SGX);
	assert_true(v.warning);
	expect_advisories(&v, "INTEL-SA-00289", "INTEL-SA-00615", NULL);
	expect_claim(&v, "mrenclave",
	             "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f5"
	             "60452fbb");
	expect_claim(&v, "mrsigner",
	             "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66c"
	             "f9a3e0e6");
	expect_claim(&v, "attributes", "0500000000000000e700000000000000");
	expect_claim(
	        &v, "report_data",
	        "48656c6c6f2c20776f726c642100000000000000000000000000000000"
	        "0000000000000000000000000000000000000000000000000000000000"
	        "000000000000");
	expect_claim(&v, "fmspc", "00a067110000");
	expect_claim(&v, "tcb_date", "2024-03-13T00:00:00Z");
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "isv_prod_id")),
	        0);
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "isv_svn")), 0);
	assert_true(json_is_false(json_object_get(v.claims, "debug")));
	/* Nine collateral items recorded; expiry = QE identity nextUpdate
	 * 2025-07-19T10:01:18Z (the earliest). */
	assert_int_equal(json_object_size(v.collateral), 9);
	assert_int_equal(v.expires_at, 1752919278);
	verdict_free(&v);

	/* A second run is served from the cache and says the same. */
	run(&s, TP_PROVIDER_INTEL_SGX, 1752919277, NULL, &v);
	expect_valid(&v, "ConfigurationAndSWHardeningNeeded");
	assert_int_equal(v.expires_at, 1752919278);
	verdict_free(&v);

	/* Before the collateral was issued (2025-06-01): the cached result
	 * is not used outside its window. */
	run(&s, TP_PROVIDER_INTEL_SGX, 1748736000, NULL, &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	/* One second later the QE identity has expired. */
	run(&s, TP_PROVIDER_INTEL_SGX, 1752919278, NULL, &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	run(&s, TP_PROVIDER_INTEL_SGX, TODAY, NULL, &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	sample_free(&s);
}

static void
test_tdx_v4_uptodate(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/tdx/dcapqvl_v4_uptodate", true);
	/* MANIFEST: 2025-07-19T10:00:34Z */
	run(&s, TP_PROVIDER_NONE, 1752919234, NULL, &v);
	expect_valid(&v, "UpToDate");
	assert_int_equal(v.provider, TP_PROVIDER_INTEL_TDX);
	assert_false(v.warning);
	expect_advisories(&v, NULL);
	expect_claim(
	        &v, "mrtd",
	        "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a6"
	        "04a407de03ae6dc5f87f27428b2538873118b7");
	expect_claim(
	        &v, "rtmr0",
	        "44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe"
	        "9d9e5c48aca29b220b80b6a540cf994b9bc9c0");
	expect_claim(
	        &v, "rtmr1",
	        "0084452c01668329d4bc06acdf58a7205c26743304509973949e5619bf"
	        "81a6a7aea8c323c173019b3093d54e579e9378");
	expect_claim(
	        &v, "rtmr2",
	        "d833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc"
	        "207aa3ba80b70870d7330733642e01d48c3132");
	expect_claim(&v, "rtmr3", ZERO48);
	expect_claim(&v, "mrconfigid", ZERO48);
	expect_claim(&v, "mrowner", ZERO48);
	expect_claim(&v, "mrownerconfig", ZERO48);
	expect_claim(&v, "mrsignerseam", ZERO48);
	expect_claim(
	        &v, "mrseam",
	        "5b38e33a6487958b72c3c12a938eaa5e3fd4510c51aeeab58c7d5ecee4"
	        "1d7c436489d6c8e4f92f160b7cad34207b00c1");
	expect_claim(&v, "td_attributes", "0000001000000000");
	expect_claim(&v, "xfam", "e702060000000000");
	expect_claim(&v, "tee_tcb_svn", "06010300000000000000000000000000");
	expect_claim(
	        &v, "report_data",
	        "9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35"
	        "c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fad"
	        "b92c2b523f20");
	expect_claim(&v, "fmspc", "b0c06f000000");
	/* The pinned Intel SGX Root CA it verified to (sha256sum of
	 * config/trust/intel_sgx_root_ca.der). */
	expect_claim(&v, "intel_root_sha256", INTEL_ROOT_SHA256);
	expect_claim(&v, "intel_root", "intel");
	expect_claim(&v, "tcb_date", "2024-03-13T00:00:00Z");
	assert_true(json_is_false(json_object_get(v.claims, "debug")));
	/* Earliest expiry: PCK CRL nextUpdate 2025-07-19T10:00:35Z. */
	assert_int_equal(v.expires_at, 1752919235);
	verdict_free(&v);
	run(&s, TP_PROVIDER_INTEL_TDX, TODAY, NULL, &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	/* An SGX verifier refuses a TDX quote. */
	run(&s, TP_PROVIDER_INTEL_SGX, 1752919234, NULL, &v);
	assert_false(verdict_valid(&v));
	verdict_free(&v);
	sample_free(&s);
}

/*
 * A custom root (intel_root_ca_file): the claims say "custom" and its
 * digest. The custom root here is Intel's own certificate loaded as a
 * file (a test PKI's root is reappraisal-pki.test.mjs's), so the quote
 * still verifies and only the claim changes.
 */
static void
test_tdx_custom_root_claim(void **state)
{
	struct sample s;
	struct verdict v;
	FILE *f;
	X509 *root;

	(void)state;
	f = fopen(TEEPASS_SOURCE_DIR "/config/trust/intel_sgx_root_ca.der",
	          "rb");
	assert_non_null(f);
	root = d2i_X509_fp(f, NULL);
	fclose(f);
	assert_non_null(root);
	dcap_root_ca_override(root, INTEL_ROOT_SHA256);
	sample_load(&s, "tests/data/tdx/dcapqvl_v4_uptodate", true);
	run(&s, TP_PROVIDER_INTEL_TDX, 1752919234, NULL, &v);
	assert_true(verdict_valid(&v));
	expect_claim(&v, "intel_root", "custom");
	expect_claim(&v, "intel_root_sha256", INTEL_ROOT_SHA256);
	verdict_free(&v);
	dcap_root_ca_override(NULL, NULL);
	assert_false(dcap_root_ca_overridden());
	run(&s, TP_PROVIDER_INTEL_TDX, 1752919234, NULL, &v);
	expect_claim(&v, "intel_root", "intel");
	verdict_free(&v);
	sample_free(&s);
}

static void
test_tdx_near_v4_uptodate(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/tdx/dcapqvl_near_v4_uptodate", true);
	/* MANIFEST: 2025-09-10T00:00:00Z */
	run(&s, TP_PROVIDER_INTEL_TDX, 1757462400, NULL, &v);
	expect_valid(&v, "UpToDate");
	expect_advisories(&v, NULL);
	expect_claim(
	        &v, "mrtd",
	        "f06dfda6dce1cf904d4e2bab1dc370634cf95cefa2ceb2de2eee127c93"
	        "82698090d7a4a13e14c536ec6c9c3c8fa87077");
	expect_claim(
	        &v, "rtmr3",
	        "287a9242edd8c8429913ec66f44af611b820cf9b574f303a6caeddeb4c"
	        "9826311aef6e518aaf4a17f55a81154592b7b3");
	expect_claim(
	        &v, "mrconfigid",
	        "0112a20aed7d6c68601e9f6e108a93b4199ae7231684307ffc4833c9cd"
	        "08d45de7000000000000000000000000000000");
	expect_claim(&v, "xfam", "0702000000000000");
	expect_claim(&v, "tee_tcb_svn", "06010400000000000000000000000000");
	expect_claim(&v, "fmspc", "20a06f000000");
	verdict_free(&v);
	run(&s, TP_PROVIDER_INTEL_TDX, TODAY, NULL, &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	sample_free(&s);
}

static void
test_tdx_tinfoil_dir(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/tdx/teep_tinfoil_v4_20260629", false);
	/* MANIFEST: 2026-06-29T02:08:05Z; collateral as a directory. */
	run(&s, TP_PROVIDER_INTEL_TDX, 1782698885,
	    "tests/data/tdx/teep_tinfoil_v4_20260629", &v);
	expect_valid(&v, "UpToDate");
	expect_advisories(&v, NULL);
	expect_claim(
	        &v, "mrtd",
	        "7357a10d2e2724dffe68813e3cc4cfcde6814d749f2fb62e3953e54f6e"
	        "0b50a219786afe2cd478f684b52c61837e1114");
	expect_claim(
	        &v, "rtmr2",
	        "48c6559c034f1a127bfb9d38576e8efdb53b5237c1440adb926bdbd74d"
	        "29932a67b6b03c0eb1bc68142d4395c022ce5b");
	expect_claim(
	        &v, "mrseam",
	        "7bf063280e94fb051f5dd7b1fc59ce9aac42bb961df8d44b709c9b0ff8"
	        "7a7b4df648657ba6d1189589feab1d5a3c9a9d");
	expect_claim(&v, "tee_tcb_svn", "0b010300000000000000000000000000");
	expect_claim(&v, "fmspc", "90c06f000000");
	expect_claim(&v, "tcb_date", "2025-05-14T00:00:00Z");
	expect_claim(
	        &v, "report_data",
	        "b90f44cac33d13e2356be6fedb25326c9b039cff66f7d2afc5c7218566"
	        "dd82ff0000000000000000000000000000000000000000000000000000"
	        "000000000000");
	verdict_free(&v);
	run(&s, TP_PROVIDER_INTEL_TDX, TODAY,
	    "tests/data/tdx/teep_tinfoil_v4_20260629", &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	sample_free(&s);
}

static void
test_tdx_gotdx_no_tcb_match(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/tdx/gotdx_v4_spr_e4_no_tcb_match", false);
	/* MANIFEST: 2023-07-01T01:00:00Z; expected outcome: no matching TCB
	 * level. The 39 ASCII bytes after the signature data are refused
	 * too (quote_trailing_data), without stopping the evaluation. */
	run(&s, TP_PROVIDER_INTEL_TDX, 1688173200,
	    "tests/data/tdx/gotdx_v4_spr_e4_no_tcb_match", &v);
	assert_false(verdict_valid(&v));
	expect_error(&v, TP_ERR_tcb_level_not_found);
	expect_error(&v, TP_ERR_quote_trailing_data);
	expect_check_ok(&v, "quote_signature");
	expect_check_ok(&v, "qe_report_signature");
	expect_check_ok(&v, "pck_chain");
	expect_check_ok(&v, "tcb_info_signature");
	expect_check_ok(&v, "qe_identity_signature");
	expect_claim(
	        &v, "mrtd",
	        "6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd933692"
	        "3db86f22fc00b8dcd404bc10d5e119d7215cbb");
	expect_claim(&v, "td_attributes", "0000004000000000");
	expect_claim(&v, "fmspc", "50806f000000");
	verdict_free(&v);
	/* go-tdx-guest's negative time: 2053-07-01T01:00Z. */
	run(&s, TP_PROVIDER_INTEL_TDX, 2635376400,
	    "tests/data/tdx/gotdx_v4_spr_e4_no_tcb_match", &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	run(&s, TP_PROVIDER_INTEL_TDX, TODAY,
	    "tests/data/tdx/gotdx_v4_spr_e4_no_tcb_match", &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	sample_free(&s);
}

static void
test_tdx_v5_outdated_no_match(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/tdx/dcapqvl_v5_outdated", true);
	/* peer MANIFEST: "fixed now = midpoint of tcb_info/qe_identity
	 * validity" (2026-02-18 .. 2026-03-20): 2026-03-05T00:00:00Z.
	 * Expected: "No matching TCB level found". */
	run(&s, TP_PROVIDER_INTEL_TDX, 1772668800, NULL, &v);
	assert_false(verdict_valid(&v));
	expect_error(&v, TP_ERR_tcb_level_not_found);
	expect_check_ok(&v, "quote_signature");
	expect_check_ok(&v, "tcb_info_signature");
	verdict_free(&v);
	run(&s, TP_PROVIDER_INTEL_TDX, TODAY, NULL, &v);
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);
	sample_free(&s);
}

static void
test_tdx_v5_td15(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/tdx/gotdx_v5_td15", false);
	/* MANIFEST: 2026-02-03T01:00:00Z; only TCB info is available, so
	 * full verification must fail naming the missing items. */
	run(&s, TP_PROVIDER_INTEL_TDX, 1770080400,
	    "tests/data/tdx/gotdx_v5_td15", &v);
	assert_false(verdict_valid(&v));
	expect_error(&v, TP_ERR_collateral_missing);
	expect_error_mentions(&v, "qe_identity");
	expect_error_mentions(&v, "pck_crl");
	expect_error_mentions(&v, "root_ca_crl");
	assert_string_equal(v.tcb_status, ""); /* not evaluated */
	expect_check_ok(&v, "quote_signature");
	expect_check_ok(&v, "qe_report_data");
	expect_claim(
	        &v, "mrtd",
	        "7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0"
	        "d21fb001a1ced3ee19747dda8f750c3bc8f876");
	expect_claim(
	        &v, "rtmr0",
	        "5c8daf76063a71ac8fcef4067564661fc682ed7944c7a5d21dbbced02f"
	        "61ceff4ba0678c6aef3bdae8cbc614cec24619");
	expect_claim(&v, "tee_tcb_svn", "0b010400000000000000000000000000");
	expect_claim(&v, "tee_tcb_svn2", "0d010400000000000000000000000000");
	expect_claim(&v, "mrservicetd", ZERO48);
	expect_claim(
	        &v, "report_data",
	        "945eaacf5abc1f719d8666a942fda03d1edcb4490277396093dc5a5289"
	        "ab9f1e094aed63060cd4a4933a4dd537ed1255c9c79ecb3ed82cd1b486"
	        "233e31c25c3a");
	verdict_free(&v);
	/* No collateral at all. */
	run(&s, TP_PROVIDER_INTEL_TDX, 1770080400, NULL, &v);
	assert_false(verdict_valid(&v));
	expect_error(&v, TP_ERR_collateral_missing);
	verdict_free(&v);
	sample_free(&s);
}

/* The collateral given as a path to a JSON file (flat shape). */
static void
test_collateral_json_file(void **state)
{
	struct sample s;
	struct verdict v;

	(void)state;
	sample_load(&s, "tests/data/sgx/dcapqvl_v3_processor_ca", false);
	run(&s, TP_PROVIDER_INTEL_SGX, 1752919277,
	    "tests/data/sgx/dcapqvl_v3_processor_ca/collateral.json", &v);
	expect_valid(&v, "ConfigurationAndSWHardeningNeeded");
	verdict_free(&v);
	run(&s, TP_PROVIDER_INTEL_SGX, 1752919277, "tests/data/sgx/nonexistent",
	    &v);
	expect_error(&v, TP_ERR_collateral_invalid);
	verdict_free(&v);
	sample_free(&s);
}

/* Concurrent verifications share the caches (run under ASan). */
static struct sample mt_samples[2];

static void *
mt_worker(void *arg)
{
	long id = (long)arg;
	int bad = 0;

	for (int i = 0; i < 25; i++) {
		struct verdict v;
		const struct sample *s = &mt_samples[(id + i) % 2];
		bool tdx = s == &mt_samples[0];
		run(s, TP_PROVIDER_NONE, tdx ? 1752919234 : 1752919277, NULL,
		    &v);
		if (!verdict_valid(&v))
			bad++;
		verdict_free(&v);
		if (i % 10 == 0 && id == 0)
			dcap_cache_clear();
	}
	return (void *)(long)bad;
}

static void
test_threads(void **state)
{
	pthread_t t[4];
	void *bad;

	(void)state;
	(void)cfg();
	sample_load(&mt_samples[0], "tests/data/tdx/dcapqvl_v4_uptodate", true);
	sample_load(&mt_samples[1], "tests/data/sgx/dcapqvl_v3_processor_ca",
	            true);
	for (long i = 0; i < 4; i++)
		assert_int_equal(
		        pthread_create(&t[i], NULL, mt_worker, (void *)i), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_int_equal((long)bad, 0);
	}
	sample_free(&mt_samples[0]);
	sample_free(&mt_samples[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sgx_v3_processor_ca),
	        cmocka_unit_test(test_tdx_v4_uptodate),
	        cmocka_unit_test(test_tdx_custom_root_claim),
	        cmocka_unit_test(test_tdx_near_v4_uptodate),
	        cmocka_unit_test(test_tdx_tinfoil_dir),
	        cmocka_unit_test(test_tdx_gotdx_no_tcb_match),
	        cmocka_unit_test(test_tdx_v5_outdated_no_match),
	        cmocka_unit_test(test_tdx_v5_td15),
	        cmocka_unit_test(test_collateral_json_file),
	        cmocka_unit_test(test_threads),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	dcap_cache_clear();
	return rc;
}
