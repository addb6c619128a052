/*
 * Revocation of the PCK chain. Intel's PCK CRLs cannot be re-signed here,
 * so the PCK chain check (dcap_pck_chain_verify, the function the provider
 * runs with the pinned root) is exercised with a PKI made at test time: a
 * root, a PCK CA and a PCK leaf carrying the real SGX extensions of a
 * sample's PCK certificate, and CRLs signed by root and CA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_pck.h"
#include "verify/intel/dcap_quote.h"
#include "verify/core/verdict.h"
#include "verify/core/x509.h"

#include "tests/unit/test_dcap_util.h"
#include "tests/unit/test_x509_make.h"

#define NOW 1752919234 /* 2025-07-19 */

struct pki {
	EVP_PKEY *root_key, *ca_key, *leaf_key;
	X509 *root, *ca, *leaf;
	char *pem; /* leaf, CA, root */
};

static X509_NAME *
name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	return n;
}

static X509 *
cert(EVP_PKEY *key, EVP_PKEY *ikey, X509 *issuer, const char *cn, long serial,
     bool ca, const X509_EXTENSION *extra)
{
	X509 *x = X509_new();
	X509_NAME *n = name(cn);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
	                                       : n);
	ASN1_TIME_set(X509_getm_notBefore(x), NOW - 86400 * 365);
	ASN1_TIME_set(X509_getm_notAfter(x), NOW + 86400 * 365);
	X509_set_pubkey(x, key);
	tu_x509_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
	            ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	tu_x509_ext(x, issuer != NULL ? issuer : x, NID_key_usage,
	            ca ? "critical,keyCertSign,cRLSign"
	               : "critical,digitalSignature,nonRepudiation");
	tu_x509_ext(x, x, NID_subject_key_identifier, "hash");
	if (issuer != NULL)
		tu_x509_ext(x, issuer, NID_authority_key_identifier, "keyid");
	if (extra != NULL)
		X509_add_ext(x, (X509_EXTENSION *)extra, -1);
	assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return x;
}

/* The SGX extension of the real PCK certificate of the TDX sample. */
static X509_EXTENSION *
real_sgx_extension(void)
{
	struct sample s;
	struct dcap_quote q;
	STACK_OF(X509) * sk;
	X509_EXTENSION *e = NULL;
	ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	char why[200];
	int i;

	sample_load(&s, "tests/data/tdx/dcapqvl_v4_uptodate", false);
	assert_int_equal(dcap_quote_parse(s.quote, s.len, &q, why, sizeof(why)),
	                 TP_ERR_none);
	sk = x509_parse_pem_chain(q.cert_data, q.cert_len);
	assert_non_null(sk);
	i = X509_get_ext_by_OBJ(sk_X509_value(sk, 0), oid, -1);
	assert_true(i >= 0);
	e = X509_EXTENSION_dup(X509_get_ext(sk_X509_value(sk, 0), i));
	sk_X509_pop_free(sk, X509_free);
	ASN1_OBJECT_free(oid);
	sample_free(&s);
	return e;
}

static void
pki_make(struct pki *p)
{
	X509_EXTENSION *sgx = real_sgx_extension();
	BIO *bio = BIO_new(BIO_s_mem());
	char *d;
	long n;

	p->root_key = EVP_EC_gen("P-256");
	p->ca_key = EVP_EC_gen("P-256");
	p->leaf_key = EVP_EC_gen("P-256");
	p->root = cert(p->root_key, p->root_key, NULL, "Test SGX Root CA", 1,
	               true, NULL);
	/* The CA's name is Intel's (phase 1 asks for the CRL of the
	 * Platform or the Processor CA by it); the root is not. */
	p->ca = cert(p->ca_key, p->root_key, p->root,
	             "Intel SGX PCK Platform CA", 2, true, NULL);
	p->leaf = cert(p->leaf_key, p->ca_key, p->ca, "Test PCK Certificate", 3,
	               false, sgx);
	PEM_write_bio_X509(bio, p->leaf);
	PEM_write_bio_X509(bio, p->ca);
	PEM_write_bio_X509(bio, p->root);
	n = BIO_get_mem_data(bio, &d);
	p->pem = strndup(d, (size_t)n);
	BIO_free(bio);
	X509_EXTENSION_free(sgx);
}

static void
pki_free(struct pki *p)
{
	X509_free(p->root);
	X509_free(p->ca);
	X509_free(p->leaf);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->leaf_key);
	free(p->pem);
}

/* A CRL by ISSUER listing REVOKED (or nothing), valid [from, until). */
static X509_CRL *
crl(X509 *issuer, EVP_PKEY *key, X509 *revoked, int64_t from, int64_t until)
{
	X509_CRL *c = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();

	X509_CRL_set_version(c, 1);
	X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer));
	ASN1_TIME_set(t, (time_t)from);
	X509_CRL_set1_lastUpdate(c, t);
	ASN1_TIME_set(t, (time_t)until);
	X509_CRL_set1_nextUpdate(c, t);
	if (revoked != NULL) {
		X509_REVOKED *r = X509_REVOKED_new();
		X509_REVOKED_set_serialNumber(r,
		                              X509_get_serialNumber(revoked));
		ASN1_TIME_set(t, (time_t)from);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(c, r);
	}
	X509_CRL_sort(c);
	assert_true(X509_CRL_sign(c, key, EVP_sha256()) > 0);
	ASN1_TIME_free(t);
	return c;
}

/*
 * How the chain is checked: in one go (dcap_pck_chain_verify), or as
 * the provider does, phase 1 without CRLs (dcap_pck_chain_precheck) and
 * phase 2 with its parsed chain, whose revocation alone is then checked
 * (x509_crl_check) — with the CRL signatures verified there, or taken as
 * verified by the collateral check (SIGNER).
 */
enum path { ONE_GO, TWO_PHASES, TWO_PHASES_SIGNED, PATHS };

static bool
check_path(const struct pki *p, const char *pem, X509_CRL *pck_crl,
           X509_CRL *root_crl, struct verdict *v, struct dcap_pck_ext *ext,
           enum path path)
{
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *pub = NULL;
	struct dcap_pck_ext pre_ext;
	enum dcap_pck_ca ca;
	int64_t from = 0, until = 0;
	bool ok;

	verdict_init(v, TP_PROVIDER_INTEL_TDX, NOW);
	if (path != ONE_GO &&
	    dcap_pck_chain_precheck((const uint8_t *)pem, strlen(pem), p->root,
	                            NOW, &pre_ext, &ca, &from, &until,
	                            &chain)) {
		assert_non_null(chain);
		assert_int_equal(ca, DCAP_PCK_CA_PLATFORM);
	}
	/* The well-formed chain passes phase 1, so phase 2 really takes the
	 * revocation-only path. */
	if (path != ONE_GO && pem == p->pem)
		assert_non_null(chain);
	ok = dcap_pck_chain_verify_parsed(
	        (const uint8_t *)pem, strlen(pem), chain, p->root, pck_crl,
	        root_crl, path == TWO_PHASES_SIGNED ? p->ca : NULL, NOW, v, ext,
	        &pub, &from, &until);
	if (ok) {
		assert_non_null(pub);
		assert_int_equal(from, NOW - 86400 * 365);
		assert_int_equal(until, NOW + 86400 * 365);
	}
	sk_X509_pop_free(chain, X509_free);
	EVP_PKEY_free(pub);
	return ok;
}

/* Every path below END gives the same answer; the verdict of the last
 * is kept. */
static bool
check_upto(const struct pki *p, const char *pem, X509_CRL *pck_crl,
           X509_CRL *root_crl, struct verdict *v, struct dcap_pck_ext *ext,
           enum path end)
{
	bool ok = check_path(p, pem, pck_crl, root_crl, v, ext, ONE_GO);
	char *errors = json_dumps(v->errors, JSON_COMPACT), *other;

	for (int path = TWO_PHASES; path < (int)end; path++) {
		verdict_free(v);
		assert_int_equal(check_path(p, pem, pck_crl, root_crl, v, ext,
		                            (enum path)path),
		                 ok);
		/* The same errors, messages included. */
		other = json_dumps(v->errors, JSON_COMPACT);
		assert_string_equal(other, errors);
		free(other);
	}
	free(errors);
	return ok;
}

static bool
check(const struct pki *p, const char *pem, X509_CRL *pck_crl,
      X509_CRL *root_crl, struct verdict *v, struct dcap_pck_ext *ext)
{
	return check_upto(p, pem, pck_crl, root_crl, v, ext, PATHS);
}

static void
test_revocation(void **state)
{
	struct pki p;
	struct verdict v;
	struct dcap_pck_ext ext;
	X509_CRL *root_crl, *pck_ok, *pck_revoked, *root_revoked, *pck_stale;

	(void)state;
	pki_make(&p);
	root_crl = crl(p.root, p.root_key, NULL, NOW - 3600, NOW + 3600);
	pck_ok = crl(p.ca, p.ca_key, NULL, NOW - 3600, NOW + 3600);
	pck_revoked = crl(p.ca, p.ca_key, p.leaf, NOW - 3600, NOW + 3600);
	root_revoked = crl(p.root, p.root_key, p.ca, NOW - 3600, NOW + 3600);
	pck_stale = crl(p.ca, p.ca_key, NULL, NOW - 7200, NOW - 3600);

	/* Nothing revoked: the chain holds and the real SGX extensions
	 * are read from the leaf (MANIFEST dcapqvl_v4_uptodate: FMSPC
	 * b0c06f000000, PCESVN 11). */
	assert_true(check(&p, p.pem, pck_ok, root_crl, &v, &ext));
	assert_true(verdict_valid(&v));
	assert_memory_equal(ext.fmspc, "\xb0\xc0\x6f\x00\x00\x00", 6);
	assert_int_equal(ext.pcesvn, 11);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	verdict_free(&v);

	/* The PCK certificate listed in the PCK CRL. */
	assert_false(check(&p, p.pem, pck_revoked, root_crl, &v, &ext));
	expect_error(&v, TP_ERR_certificate_revoked);
	assert_int_equal(v.certificate_chain_valid, TP_FALSE);
	verdict_free(&v);

	/* The PCK CA listed in the Root CA CRL. */
	assert_false(check(&p, p.pem, pck_ok, root_revoked, &v, &ext));
	expect_error(&v, TP_ERR_certificate_revoked);
	verdict_free(&v);

	/* A PCK CRL past its nextUpdate. */
	assert_false(check(&p, p.pem, pck_stale, root_crl, &v, &ext));
	expect_error(&v, TP_ERR_collateral_expired);
	verdict_free(&v);

	/* A PCK CRL in the CA's name signed by another key: refused on
	 * both paths that verify CRL signatures (the third takes the
	 * caller's word that it verified this one, which it did not). */
	{
		EVP_PKEY *other = EVP_EC_gen("P-256");
		X509_CRL *forged =
		        crl(p.ca, other, NULL, NOW - 3600, NOW + 3600);
		assert_false(check_upto(&p, p.pem, forged, root_crl, &v, &ext,
		                        TWO_PHASES_SIGNED));
		expect_error(&v, TP_ERR_certificate_chain_invalid);
		verdict_free(&v);
		X509_CRL_free(forged);
		EVP_PKEY_free(other);
	}

	/* A PCK CRL with a critical extension nobody knows: OpenSSL
	 * refuses it, and the revocation-only path leaves such CRLs to
	 * OpenSSL. */
	{
		X509_CRL *odd =
		        crl(p.ca, p.ca_key, NULL, NOW - 3600, NOW + 3600);
		ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1);
		ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
		X509_EXTENSION *e;
		ASN1_OCTET_STRING_set(val, (const unsigned char *)"\x05\x00",
		                      2);
		e = X509_EXTENSION_create_by_OBJ(NULL, oid, 1, val);
		assert_non_null(e);
		assert_true(X509_CRL_add_ext(odd, e, -1) == 1);
		assert_true(X509_CRL_sign(odd, p.ca_key, EVP_sha256()) > 0);
		/* As teepass meets a CRL: decoded from DER (OpenSSL notes
		 * the critical extension while decoding). */
		{
			unsigned char *der = NULL;
			const unsigned char *q;
			int n = i2d_X509_CRL(odd, &der);
			assert_true(n > 0);
			X509_CRL_free(odd);
			q = der;
			odd = d2i_X509_CRL(NULL, &q, n);
			assert_non_null(odd);
			OPENSSL_free(der);
		}
		assert_false(check(&p, p.pem, odd, root_crl, &v, &ext));
		expect_error(&v, TP_ERR_certificate_chain_invalid);
		verdict_free(&v);
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(val);
		ASN1_OBJECT_free(oid);
		X509_CRL_free(odd);
	}

	/* A PCK CRL of another issuer (the root's CRL as PCK CRL). */
	assert_false(check(&p, p.pem, root_crl, root_crl, &v, &ext));
	expect_error(&v, TP_ERR_pck_crl_issuer_mismatch);
	verdict_free(&v);

	/* Wrong order: CA first. */
	{
		BIO *bio = BIO_new(BIO_s_mem());
		char *d;
		long n;
		PEM_write_bio_X509(bio, p.ca);
		PEM_write_bio_X509(bio, p.leaf);
		n = BIO_get_mem_data(bio, &d);
		char *pem = strndup(d, (size_t)n);
		BIO_free(bio);
		assert_false(check(&p, pem, pck_ok, root_crl, &v, &ext));
		expect_error(&v, TP_ERR_pck_chain_invalid);
		verdict_free(&v);
		free(pem);
	}

	/* The test root is not the pinned one: with the real anchor the
	 * same well-formed chain is refused. */
	verdict_init(&v, TP_PROVIDER_INTEL_TDX, NOW);
	{
		EVP_PKEY *pub = NULL;
		int64_t from, until;
		assert_false(dcap_pck_chain_verify(
		        (const uint8_t *)p.pem, strlen(p.pem),
		        x509_anchor(
		                "intel_sgx_root_ca.der",
		                "44a0196b2b99f889b8e149e95b807a350e7424964399"
		                "e885a7cbb8ccfab674d3"),
		        NULL, NULL, NOW, &v, &ext, &pub, &from, &until));
		assert_null(pub);
	}
	expect_error(&v, TP_ERR_certificate_chain_invalid);
	verdict_free(&v);

	X509_CRL_free(root_crl);
	X509_CRL_free(pck_ok);
	X509_CRL_free(pck_revoked);
	X509_CRL_free(root_revoked);
	X509_CRL_free(pck_stale);
	pki_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_revocation),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	dcap_cache_clear();
	return rc;
}
