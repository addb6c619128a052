/*
 * How many signature verifications a TDX quote costs (issue 19), counted
 * by a probe on libcrypto's ECDSA_verify: this program defines the symbol,
 * so every ECDSA verification libcrypto does for teepass (X.509 chains,
 * CRLs, TCB Info and QE Identity, the quote and QE report) passes through
 * the counter before the real function (dlsym RTLD_NEXT) runs. The counts
 * are asserted so that a change which verifies something twice fails here:
 *   platform seen before: 2 (quote, QE report);
 *   new platform (collateral and PCK CA cached): 3 (+ the PCK leaf);
 *   nothing cached: 9 = the new platform's 3 (quote, QE report, PCK leaf)
 *   + the PCK CA (one verification for the quote's chain and the PCK CRL
 *   issuer chain, the same certificate) + the Root CA CRL + the PCK CRL
 *   + the TCB Signing certificate (shared by TCB Info and QE Identity)
 *   + the TCB Info + the QE Identity.
 * Every verdict is also checked valid: a count of a refusal proves nothing.
 */

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/ec.h>

#include "tests/unit/test_dcap_util.h"
#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_quote.h"

#define TDX_DIR "tests/data/tdx/dcapqvl_v4_uptodate"
#define TDX_NOW 1752919234

static unsigned long verifies;

typedef int (*ecdsa_verify_fn)(int, const unsigned char *, int,
                               const unsigned char *, int, EC_KEY *);

/* The probe: libcrypto's own calls (its provider's ECDSA verification)
 * bind to this definition, which counts and forwards. */
int
ECDSA_verify(int type, const unsigned char *dgst, int dgstlen,
             const unsigned char *sig, int siglen, EC_KEY *eckey)
{
	static ecdsa_verify_fn real;

	if (real == NULL)
		real = (ecdsa_verify_fn)dlsym(RTLD_NEXT, "ECDSA_verify");
	if (real == NULL)
		abort();
	verifies++;
	return real(type, dgst, dgstlen, sig, siglen, eckey);
}

/* Verifications one valid verdict of S took. */
static unsigned long
count(const struct sample *s)
{
	struct verdict v;
	unsigned long before = verifies;

	run(s, TP_PROVIDER_INTEL_TDX, TDX_NOW, NULL, &v);
	expect_valid(&v, "UpToDate");
	verdict_free(&v);
	return verifies - before;
}

static void
test_probe_counts(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t sig[80], msg[1] = {7};
	size_t n = sizeof(sig);
	unsigned long before = verifies;

	(void)state;
	/* The probe sees an EVP-level verification (else every count
	 * below would be 0 and prove nothing). */
	assert_true(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) == 1);
	assert_true(EVP_DigestSign(ctx, sig, &n, msg, 1) == 1);
	assert_true(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) ==
	            1);
	assert_true(EVP_DigestVerify(ctx, sig, n, msg, 1) == 1);
	assert_int_equal(verifies - before, 1);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
}

static void
test_tdx_counts(void **state)
{
	struct sample s;
	unsigned long cold, cold2, fresh, hot;

	(void)state;
	sample_load(&s, TDX_DIR, true);
	dcap_cache_clear();
	cold = count(&s);
	hot = count(&s);
	dcap_cache_clear_platform();
	fresh = count(&s);
	dcap_cache_clear();
	cold2 = count(&s);
	printf("# ECDSA verifications per TDX quote: cold %lu, new platform "
	       "%lu, seen before %lu\n",
	       cold, fresh, hot);
	assert_int_equal(cold, cold2);
	assert_int_equal(hot, 2);
	assert_int_equal(fresh, 3);
	assert_int_equal(cold, 9);
	dcap_cache_clear();
	sample_free(&s);
}

/*
 * A quote whose PCK chain does not verify leaves nothing in the
 * per-platform cache: its attestation key, which no Intel-rooted PCK key
 * vouched for, must not take a real platform's place.
 */
static void
test_unvouched_key_not_cached(void **state)
{
	struct sample s;
	struct dcap_quote q;
	struct dcap_cache_stats st;
	struct verdict v;
	char why[240];
	uint8_t *b;
	size_t at;

	(void)state;
	sample_load(&s, TDX_DIR, true);
	assert_int_equal(dcap_quote_parse(s.quote, s.len, &q, why, sizeof(why)),
	                 TP_ERR_none);
	/* A base64 digit inside the leaf's body, changed to another: the
	 * PEM still decodes, the certificate is another one. */
	at = (size_t)(q.cert_data - s.quote) + 200;
	b = s.quote + at;
	assert_true((*b >= 'A' && *b <= 'Z') || (*b >= 'a' && *b <= 'z') ||
	            (*b >= '0' && *b <= '9') || *b == '+' || *b == '/');
	*b = *b == 'A' ? 'B' : 'A';
	dcap_cache_clear();
	run(&s, TP_PROVIDER_INTEL_TDX, TDX_NOW, NULL, &v);
	assert_false(verdict_valid(&v));
	verdict_free(&v);
	dcap_cache_stats(&st);
	assert_int_equal(st.entries[1], 0);
	/* The intact quote caches its platform's entries (the assertion
	 * above is not vacuous). */
	sample_free(&s);
	sample_load(&s, TDX_DIR, true);
	(void)count(&s); /* checks the verdict valid */
	dcap_cache_stats(&st);
	assert_true(st.entries[1] >= 3);
	dcap_cache_clear();
	sample_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_probe_counts),
	        cmocka_unit_test(test_tdx_counts),
	        cmocka_unit_test(test_unvouched_key_not_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
