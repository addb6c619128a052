/*
 * Certificates made at test time with OpenSSL (P-384, SHA-384, the shape
 * of a Nitro cabundle: SKI, AKI, critical basic constraints and key
 * usage), shared by test_nitro_chain.c and bench/bench_nitro.c;
 * tu_x509_ext also by test_dcap_revocation.c. Any
 * OpenSSL failure aborts: a test or benchmark never runs on a
 * certificate that was not made. Static: one copy each.
 */
#ifndef TP_TEST_X509_MAKE_H
#define TP_TEST_X509_MAKE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define TEST_X509_MAKE __attribute__((unused)) static

struct tu_cert {
	EVP_PKEY *key; /* owned unless shared (tu_cert_make's KEY) */
	bool own_key;
	X509 *x;
	unsigned char *der;
	int n;
};

TEST_X509_MAKE void
tu_x509_need(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "test certificate: %s failed\n", what);
		abort();
	}
}

TEST_X509_MAKE void
tu_x509_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	tu_x509_need(ext != NULL, value);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
}

/*
 * A certificate CN issued by ISSUER (NULL: self-signed), valid T0 - 1 d
 * to T0 + 1 d, a CA or not, with one more extension EXTRA_NID =
 * EXTRA_VALUE when EXTRA_VALUE is not NULL. KEY: its key pair, shared
 * with the caller (not freed by tu_cert_drop), or NULL for a new one.
 */
TEST_X509_MAKE void
tu_cert_make(struct tu_cert *c, const char *cn, const struct tu_cert *issuer,
             bool ca, const char *extra_value, int extra_nid, EVP_PKEY *key,
             int64_t t0)
{
	X509_NAME *name = X509_NAME_new();
	static long serial = 1;

	c->own_key = key == NULL;
	c->key = key != NULL ? key : EVP_EC_gen("P-384");
	c->x = X509_new();
	tu_x509_need(c->key != NULL && c->x != NULL && name != NULL, "key");
	X509_set_version(c->x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c->x), serial++);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c->x, name);
	X509_set_issuer_name(
	        c->x, issuer != NULL ? X509_get_subject_name(issuer->x) : name);
	X509_NAME_free(name);
	ASN1_TIME_set(X509_getm_notBefore(c->x), (time_t)(t0 - 86400));
	ASN1_TIME_set(X509_getm_notAfter(c->x), (time_t)(t0 + 86400));
	X509_set_pubkey(c->x, c->key);
	tu_x509_ext(c->x, issuer != NULL ? issuer->x : c->x,
	            NID_subject_key_identifier, "hash");
	if (issuer != NULL)
		tu_x509_ext(c->x, issuer->x, NID_authority_key_identifier,
		            "keyid:always");
	tu_x509_ext(c->x, c->x, NID_basic_constraints,
	            ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	tu_x509_ext(c->x, c->x, NID_key_usage,
	            ca ? "critical,keyCertSign,cRLSign,digitalSignature"
	               : "critical,digitalSignature");
	if (extra_value != NULL)
		tu_x509_ext(c->x, c->x, extra_nid, extra_value);
	tu_x509_need(X509_sign(c->x, issuer != NULL ? issuer->key : c->key,
	                       EVP_sha384()) > 0,
	             "X509_sign");
	c->der = NULL;
	c->n = i2d_X509(c->x, &c->der);
	tu_x509_need(c->n > 0, "i2d_X509");
}

TEST_X509_MAKE void
tu_cert_drop(struct tu_cert *c)
{
	if (c->own_key)
		EVP_PKEY_free(c->key);
	X509_free(c->x);
	OPENSSL_free(c->der);
}

#endif
