/* verify/x509.c: PEM chains, pinned anchors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/trust_blobs.h"
#include "verify/core/x509.h"

static char *
milan_chain(void)
{
	const struct trust_blob *b = trust_blob_find("ask_ark_milan.pem");
	char *s;

	assert_non_null(b);
	s = malloc(b->len + 1);
	memcpy(s, b->data, b->len);
	s[b->len] = '\0';
	return s;
}

static void
test_pem_chain(void **state)
{
	char *pem = milan_chain(), *second;
	STACK_OF(X509) * sk;

	sk = x509_parse_pem_chain((uint8_t *)pem, strlen(pem));
	assert_non_null(sk);
	assert_int_equal(sk_X509_num(sk), 2);
	sk_X509_pop_free(sk, X509_free);

	/* A broken second block: the whole chain is refused, not cut. */
	second = strstr(strstr(pem, "-----END CERTIFICATE-----"), "MII");
	assert_non_null(second);
	memcpy(second + 40, "!!!!", 4);
	assert_null(x509_parse_pem_chain((uint8_t *)pem, strlen(pem)));
	assert_null(x509_parse_pem_chain((uint8_t *)"no pem here", 11));
	free(pem);
}

static void
test_anchor_pin(void **state)
{
	/* The Intel root with its pin (tests/data/sgx PROVENANCE). */
	static const char pin[] = "44a0196b2b99f889b8e149e95b807a350e7424964399"
	                          "e885a7cbb8ccfab674d3";
	X509 *a = x509_anchor("intel_sgx_root_ca.der", pin);

	assert_non_null(a);
	assert_ptr_equal(a, x509_anchor("intel_sgx_root_ca.der", pin));
	/* Another pin — also once the right one is cached — or a file that
	 * is not there: no anchor. */
	assert_null(x509_anchor("intel_sgx_root_ca.der",
	                        "00a0196b2b99f889b8e149e95b807a350e7424964399"
	                        "e885a7cbb8ccfab674d3"));
	assert_null(x509_anchor("aws_nitro_root_g1.pem", pin));
	assert_null(x509_anchor("no_such_root.pem", pin));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pem_chain),
	        cmocka_unit_test(test_anchor_pin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
