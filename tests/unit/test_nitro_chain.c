/*
 * The Nitro chain rules (verify/nitro_chain.h) on chains made here with
 * generated P-384 keys: a good chain, a cabundle out of order, a leaf that
 * is a CA, a leaf from another issuer, constraints in the bundle, and the
 * cache's validity window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "verify/aws/nitro_chain.h"
#include "tests/unit/test_x509_make.h"

#define T0 1700000000 /* certificates valid T0-1d .. T0+1d */

/* A certificate of the shared maker (tests/unit/test_x509_make.h),
 * valid T0 - 1 d .. T0 + 1 d, with a key of its own. */
static void
make(struct tu_cert *c, const char *cn, const struct tu_cert *issuer, bool ca,
     const char *extra_value, int extra_nid)
{
	tu_cert_make(c, cn, issuer, ca, extra_value, extra_nid, NULL, T0);
}

static void
doc_of(struct nitro_doc *d, const struct tu_cert *leaf,
       const struct tu_cert *const *bundle, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->certificate.p = leaf->der;
	d->certificate.n = (size_t)leaf->n;
	for (size_t i = 0; i < n; i++) {
		d->cabundle[i].p = bundle[i]->der;
		d->cabundle[i].n = (size_t)bundle[i]->n;
	}
	d->n_cabundle = n;
}

static bool
check(const struct nitro_doc *d, X509 *anchor, int64_t at, enum tp_err *code)
{
	X509 *leaf = NULL;
	int64_t na = 0;
	char why[256];
	bool ok = nitro_chain_verify(d, anchor, at, &leaf, &na, code, why,
	                             sizeof(why));

	if (ok) {
		assert_non_null(leaf);
		assert_int_equal(na, T0 + 86400);
	} else {
		print_message("refused: %s\n", why);
	}
	X509_free(leaf);
	return ok;
}

static void
test_chains(void **state)
{
	struct tu_cert root, inter, inst, leaf, caleaf, stray, nc;
	struct nitro_doc d;
	enum tp_err code;
	uint64_t h0, m0, h1, m1;

	nitro_chain_cache_clear();
	make(&root, "root", NULL, true, NULL, 0);
	make(&inter, "regional", &root, true, NULL, 0);
	make(&inst, "instance", &inter, true, NULL, 0);
	make(&leaf, "enclave", &inst, false, NULL, 0);
	make(&caleaf, "enclave-ca", &inst, true, NULL, 0);
	make(&stray, "stray", &inter, false, NULL, 0);
	make(&nc, "constrained", &root, true, "permitted;DNS:.example",
	     NID_name_constraints);

	{
		const struct tu_cert *b[] = {&root, &inter, &inst};
		doc_of(&d, &leaf, b, 3);
		nitro_chain_cache_stats(&h0, &m0);
		assert_true(check(&d, root.x, T0, &code));
		assert_true(check(&d, root.x, T0 + 60, &code)); /* cached */
		nitro_chain_cache_stats(&h1, &m1);
		assert_int_equal(m1 - m0, 1);
		assert_int_equal(h1 - h0, 1);
		/* Outside the window, cached or not: expired. */
		assert_false(check(&d, root.x, T0 + 2 * 86400, &code));
		assert_int_equal(code, TP_ERR_certificate_expired);
		assert_false(check(&d, root.x, T0 - 2 * 86400, &code));
		assert_int_equal(code, TP_ERR_certificate_expired);
		/* Another root: the bundle does not chain to it. */
		assert_false(check(&d, stray.x, T0, &code));
		assert_int_equal(code, TP_ERR_certificate_chain_invalid);
		/* The leaf is a CA; the leaf is from another issuer. */
		doc_of(&d, &caleaf, b, 3);
		assert_false(check(&d, root.x, T0, &code));
		assert_int_equal(code, TP_ERR_certificate_chain_invalid);
		doc_of(&d, &stray, b, 3);
		assert_false(check(&d, root.x, T0, &code));
		assert_int_equal(code, TP_ERR_certificate_chain_invalid);
	}
	{
		/* Out of order: the bundle must run root first. */
		const struct tu_cert *b[] = {&root, &inst, &inter};
		doc_of(&d, &leaf, b, 3);
		assert_false(check(&d, root.x, T0, &code));
		assert_int_equal(code, TP_ERR_certificate_chain_invalid);
	}
	{
		/* An intermediate missing from the bundle. */
		const struct tu_cert *b[] = {&root, &inst};
		doc_of(&d, &leaf, b, 2);
		assert_false(check(&d, root.x, T0, &code));
		assert_int_equal(code, TP_ERR_certificate_chain_invalid);
	}
	{
		/* Name constraints above the leaf are refused. */
		struct tu_cert ncleaf;
		const struct tu_cert *b[] = {&root, &nc};
		make(&ncleaf, "enclave", &nc, false, NULL, 0);
		doc_of(&d, &ncleaf, b, 2);
		assert_false(check(&d, root.x, T0, &code));
		assert_int_equal(code, TP_ERR_certificate_chain_invalid);
		tu_cert_drop(&ncleaf);
	}
	{
		/* A leaf issued directly by the root (bundle of one). */
		struct tu_cert direct;
		const struct tu_cert *b[] = {&root};
		make(&direct, "enclave", &root, false, NULL, 0);
		doc_of(&d, &direct, b, 1);
		assert_true(check(&d, root.x, T0, &code));
		assert_false(check(&d, root.x, T0 + 3 * 86400, &code));
		assert_int_equal(code, TP_ERR_certificate_expired);
		tu_cert_drop(&direct);
	}
	tu_cert_drop(&root);
	tu_cert_drop(&inter);
	tu_cert_drop(&inst);
	tu_cert_drop(&leaf);
	tu_cert_drop(&caleaf);
	tu_cert_drop(&stray);
	tu_cert_drop(&nc);
	nitro_chain_cache_clear();
}

/*
 * A fleet of instances (one instance CA a host) through a cache of
 * FLEET_CACHE: the cache holds at most that many bundles, the most
 * recently used stay, the least recently used are verified again, and
 * one host's bundle is never a hit for another's.
 */
#define FLEET       24
#define FLEET_CACHE 8
static void
test_fleet_cache(void **state)
{
	struct tu_cert root, inter, inst[FLEET], leaf[FLEET];
	struct nitro_doc d;
	enum tp_err code;
	uint64_t h0, m0, h1, m1;

	(void)state;
	nitro_chain_cache_clear();
	nitro_chain_cache_configure(FLEET_CACHE);
	make(&root, "root", NULL, true, NULL, 0);
	make(&inter, "regional", &root, true, NULL, 0);
	for (int i = 0; i < FLEET; i++) {
		make(&inst[i], "instance", &inter, true, NULL, 0);
		make(&leaf[i], "enclave", &inst[i], false, NULL, 0);
	}
	nitro_chain_cache_stats(&h0, &m0);
	for (int i = 0; i < FLEET; i++) {
		const struct tu_cert *b[] = {&root, &inter, &inst[i]};
		doc_of(&d, &leaf[i], b, 3);
		assert_true(check(&d, root.x, T0, &code));
		assert_true(nitro_chain_cache_entries() <= FLEET_CACHE);
	}
	nitro_chain_cache_stats(&h1, &m1);
	assert_int_equal(m1 - m0, FLEET);
	assert_int_equal(h1 - h0, 0);
	assert_int_equal(nitro_chain_cache_entries(), FLEET_CACHE);
	/* The last FLEET_CACHE hosts: hits. */
	for (int i = FLEET - FLEET_CACHE; i < FLEET; i++) {
		const struct tu_cert *b[] = {&root, &inter, &inst[i]};
		doc_of(&d, &leaf[i], b, 3);
		assert_true(check(&d, root.x, T0, &code));
	}
	nitro_chain_cache_stats(&h0, &m0);
	assert_int_equal(h0 - h1, FLEET_CACHE);
	assert_int_equal(m0 - m1, 0);
	/* The first: evicted, verified again (a miss that passes). */
	{
		const struct tu_cert *b[] = {&root, &inter, &inst[0]};
		doc_of(&d, &leaf[0], b, 3);
		assert_true(check(&d, root.x, T0, &code));
		nitro_chain_cache_stats(&h1, &m1);
		assert_int_equal(m1 - m0, 1);
	}
	/* Host 1's leaf with host 2's cached bundle: not issued by it,
	 * refused although that bundle is a hit. */
	{
		const struct tu_cert *b[] = {&root, &inter, &inst[FLEET - 1]};
		doc_of(&d, &leaf[FLEET - 2], b, 3);
		assert_false(check(&d, root.x, T0, &code));
		assert_int_equal(code, TP_ERR_certificate_chain_invalid);
	}
	/* Nothing cached at 0, and every verdict the same. */
	nitro_chain_cache_configure(0);
	assert_int_equal(nitro_chain_cache_entries(), 0);
	{
		const struct tu_cert *b[] = {&root, &inter, &inst[3]};
		doc_of(&d, &leaf[3], b, 3);
		assert_true(check(&d, root.x, T0, &code));
		assert_int_equal(nitro_chain_cache_entries(), 0);
	}
	nitro_chain_cache_configure(NITRO_CACHE_INSTANCES_DEFAULT);
	nitro_chain_cache_clear();
	for (int i = 0; i < FLEET; i++) {
		tu_cert_drop(&inst[i]);
		tu_cert_drop(&leaf[i]);
	}
	tu_cert_drop(&root);
	tu_cert_drop(&inter);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_chains),
	        cmocka_unit_test(test_fleet_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
