/*
 * The shortcuts of issue 19 accept nothing the slow path refuses:
 * EC public keys built from a per-curve template equal the SPKI
 * decoder's and refuse what it refuses; a copy of the pinned Intel root
 * recognised by its DER bytes is the root, and a copy with one byte
 * changed is not (and the chain carrying it is refused, as before).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "verify/core/ecdsa.h"
#include "verify/core/x509.h"
#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"

/* tests/data/tdx/dcapqvl_v4_uptodate MANIFEST time. */
#define NOW 1752919234

/* The uncompressed point of KEY (0x04 || x || y). */
static size_t
point_of(EVP_PKEY *key, uint8_t *pt, size_t cap)
{
	size_t n = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(
	                         key, OSSL_PKEY_PARAM_PUB_KEY, pt, cap, &n),
	                 1);
	return n;
}

static void
test_template_key_equals_decoder(void **state)
{
	static const char *const curves[] = {"P-256", "P-384"};

	(void)state;
	for (size_t c = 0; c < 2; c++) {
		for (int i = 0; i < 8; i++) {
			EVP_PKEY *gen = EVP_EC_gen(curves[c]), *built, *dec;
			uint8_t pt[1 + 2 * 66], *der = NULL, sig[2 * 48];
			const unsigned char *p;
			size_t n = point_of(gen, pt, sizeof(pt));
			size_t f = (n - 1) / 2;
			const EVP_MD *md =
			        f == 48 ? EVP_sha384() : EVP_sha256();
			uint8_t msg[] = "teepass template key";
			BIGNUM *priv = NULL;
			int dl = i2d_PUBKEY(gen, &der);

			assert_true(dl > 0);
			p = der;
			dec = d2i_PUBKEY(NULL, &p, dl);
			assert_non_null(dec);
			/* With and without the 0x04 prefix. */
			built = ecdsa_pub_from_point(curves[c], pt, n);
			assert_non_null(built);
			assert_int_equal(EVP_PKEY_eq(built, dec), 1);
			EVP_PKEY_free(built);
			built = ecdsa_pub_from_point(curves[c], pt + 1, n - 1);
			assert_non_null(built);
			assert_int_equal(EVP_PKEY_eq(built, dec), 1);
			assert_int_equal(EVP_PKEY_get_bits(built),
			                 EVP_PKEY_get_bits(dec));
			/* Public only: the template never lends a private
			 * key. */
			assert_int_equal(
			        EVP_PKEY_get_bn_param(
			                built, OSSL_PKEY_PARAM_PRIV_KEY, &priv),
			        0);
			/* What the generated key signs, the built key
			 * verifies; one bit of the message changed, it
			 * does not. */
			assert_true(ecdsa_sign_raw(gen, md, msg, sizeof(msg),
			                           sig, f));
			assert_true(ecdsa_verify_raw(
			        built, md, msg, sizeof(msg), sig, sig + f, f));
			msg[0] ^= 1;
			assert_false(ecdsa_verify_raw(
			        built, md, msg, sizeof(msg), sig, sig + f, f));
			/* Each key its own: another point, another key
			 * (the template is copied, never changed). */
			{
				EVP_PKEY *other = EVP_EC_gen(curves[c]), *ob;
				uint8_t opt[1 + 2 * 66];
				size_t on = point_of(other, opt, sizeof(opt));

				ob = ecdsa_pub_from_point(curves[c], opt, on);
				assert_non_null(ob);
				assert_int_equal(EVP_PKEY_eq(ob, built), 0);
				assert_int_equal(EVP_PKEY_eq(built, dec), 1);
				EVP_PKEY_free(ob);
				EVP_PKEY_free(other);
			}
			EVP_PKEY_free(built);
			OPENSSL_free(der);
			EVP_PKEY_free(dec);
			EVP_PKEY_free(gen);
		}
	}
}

static void
test_template_key_refuses_what_decoder_refuses(void **state)
{
	EVP_PKEY *gen = EVP_EC_gen("P-256");
	uint8_t pt[65], bad[65], spki[91];
	const unsigned char *p;
	unsigned char *der = NULL;
	int dl;

	(void)state;
	assert_int_equal(point_of(gen, pt, sizeof(pt)), 65);
	dl = i2d_PUBKEY(gen, &der);
	assert_int_equal(dl, 91);
	memcpy(spki, der, 91);
	/* y + 1: not on the curve. Refused by both. */
	memcpy(bad, pt, 65);
	bad[64] ^= 1;
	assert_null(ecdsa_pub_from_point("P-256", bad, 65));
	memcpy(spki + 91 - 65, bad, 65);
	p = spki;
	assert_null(d2i_PUBKEY(NULL, &p, 91));
	/* The point at infinity / all zero; a compressed or hybrid
	 * prefix; a P-256 point as P-384; wrong lengths; an unknown
	 * curve. */
	memset(bad, 0, sizeof(bad));
	assert_null(ecdsa_pub_from_point("P-256", bad + 1, 64));
	memcpy(bad, pt, 65);
	bad[0] = 0x06;
	assert_null(ecdsa_pub_from_point("P-256", bad, 65));
	assert_null(ecdsa_pub_from_point("P-384", pt, 65));
	assert_null(ecdsa_pub_from_point("P-256", pt, 64));
	assert_null(ecdsa_pub_from_point("P-256", pt + 1, 63));
	assert_null(ecdsa_pub_from_point("P-521", pt, 65));
	/* And the good point still builds after the refusals. */
	{
		EVP_PKEY *k = ecdsa_pub_from_point("P-256", pt, 65);

		assert_non_null(k);
		assert_int_equal(EVP_PKEY_eq(k, gen), 1);
		EVP_PKEY_free(k);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(gen);
}

/* The collateral's PCK CA chain (PCK CA, then a copy of the root). */
static char *
pck_ca_chain(void)
{
	json_t *c = json_load_file(
	        "tests/data/tdx/dcapqvl_v4_uptodate/collateral.json", 0, NULL);
	char *s;

	assert_non_null(c);
	s = strdup(
	        json_string_value(json_object_get(c, "pck_crl_issuer_chain")));
	assert_non_null(s);
	json_decref(c);
	return s;
}

/* TEXT with its second PEM block replaced by DER (as PEM). */
static char *
with_second_block(const char *text, const uint8_t *der, size_t len)
{
	const char *second = strstr(strstr(text, "-----END CERTIFICATE-----"),
	                            "-----BEGIN CERTIFICATE-----");
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *m;
	X509 *x;
	const unsigned char *p = der;
	char *out;

	assert_non_null(second);
	assert_non_null(b);
	BIO_write(b, text, (int)(second - text));
	x = d2i_X509(NULL, &p, (long)len);
	assert_non_null(x);
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	BIO_get_mem_ptr(b, &m);
	out = strndup(m->data, m->length);
	BIO_free(b);
	X509_free(x);
	return out;
}

static void
test_root_copy_by_der(void **state)
{
	X509 *root = dcap_root_ca(), *ca;
	char *text = pck_ca_chain(), *changed;
	unsigned char *rder = NULL;
	int rlen;
	STACK_OF(X509) * fast, *slow;

	(void)state;
	assert_non_null(root);
	fast = x509_parse_pem_chain_anchor((uint8_t *)text, strlen(text), root);
	slow = x509_parse_pem_chain((uint8_t *)text, strlen(text));
	assert_non_null(fast);
	assert_non_null(slow);
	assert_int_equal(sk_X509_num(fast), 2);
	assert_int_equal(sk_X509_num(slow), 2);
	/* The copy is the pinned root object itself; the PCK CA parsed. */
	assert_ptr_equal(sk_X509_value(fast, 1), root);
	assert_int_equal(
	        X509_cmp(sk_X509_value(fast, 0), sk_X509_value(slow, 0)), 0);
	assert_int_equal(
	        X509_cmp(sk_X509_value(fast, 1), sk_X509_value(slow, 1)), 0);
	sk_X509_pop_free(fast, X509_free);
	sk_X509_pop_free(slow, X509_free);

	/* The root's copy with one byte changed (the last of its
	 * signature: the certificate still parses) is not the root: it is
	 * parsed like any certificate, and the chain carrying it is
	 * refused. */
	rlen = i2d_X509(root, &rder);
	assert_true(rlen > 0);
	rder[rlen - 1] ^= 0x01;
	changed = with_second_block(text, rder, (size_t)rlen);
	fast = x509_parse_pem_chain_anchor((uint8_t *)changed, strlen(changed),
	                                   root);
	assert_non_null(fast);
	assert_int_equal(sk_X509_num(fast), 2);
	assert_ptr_not_equal(sk_X509_value(fast, 1), root);
	assert_int_not_equal(X509_cmp(sk_X509_value(fast, 1), root), 0);
	sk_X509_pop_free(fast, X509_free);
	dcap_cache_clear();
	assert_null(dcap_root_issued_verified((uint8_t *)changed,
	                                      strlen(changed), root, NOW));
	/* The same byte changed in the subject instead. */
	free(changed);
	rder[rlen - 1] ^= 0x01;
	{
		/* "Intel SGX Root CA" in the root's DER: its first 'I'. */
		unsigned char *cn =
		        memmem(rder, (size_t)rlen, "Intel SGX Root CA", 17);

		assert_non_null(cn);
		cn[0] = 'J';
	}
	changed = with_second_block(text, rder, (size_t)rlen);
	fast = x509_parse_pem_chain_anchor((uint8_t *)changed, strlen(changed),
	                                   root);
	assert_non_null(fast);
	assert_ptr_not_equal(sk_X509_value(fast, 1), root);
	sk_X509_pop_free(fast, X509_free);
	dcap_cache_clear();
	assert_null(dcap_root_issued_verified((uint8_t *)changed,
	                                      strlen(changed), root, NOW));
	free(changed);

	/* The unchanged text verifies through the shortcut. */
	dcap_cache_clear();
	ca = dcap_root_issued_verified((uint8_t *)text, strlen(text), root,
	                               NOW);
	assert_non_null(ca);
	X509_free(ca);
	dcap_cache_clear();
	OPENSSL_free(rder);
	free(text);
}

static void
test_root_copy_same_refusals(void **state)
{
	X509 *root = dcap_root_ca();
	char *text = pck_ca_chain(), *t;
	size_t len = strlen(text);
	STACK_OF(X509) * sk;

	(void)state;
	/* A broken base64 block, no PEM at all, a truncated END line:
	 * both readers refuse. */
	t = strdup(text);
	memcpy(strstr(strstr(t, "-----END CERTIFICATE-----"), "MII") + 40,
	       "!!!!", 4);
	assert_null(x509_parse_pem_chain_anchor((uint8_t *)t, len, root));
	assert_null(x509_parse_pem_chain((uint8_t *)t, len));
	free(t);
	assert_null(x509_parse_pem_chain_anchor((uint8_t *)"no pem", 6, root));
	assert_null(
	        x509_parse_pem_chain_anchor((uint8_t *)text, len - 10, root));
	assert_null(x509_parse_pem_chain((uint8_t *)text, len - 10));
	/* A block under another label between the two: the generic
	 * reader skips it, and so does the result. */
	{
		const char *second =
		        strstr(strstr(text, "-----END CERTIFICATE-----"),
		               "-----BEGIN CERTIFICATE-----");
		size_t at = (size_t)(second - text);
		static const char other[] = "-----BEGIN FOO-----\nAAAA\n"
		                            "-----END FOO-----\n";

		t = malloc(len + sizeof(other));
		memcpy(t, text, at);
		memcpy(t + at, other, sizeof(other) - 1);
		memcpy(t + at + sizeof(other) - 1, text + at, len - at + 1);
		sk = x509_parse_pem_chain_anchor((uint8_t *)t, strlen(t), root);
		{
			STACK_OF(X509) *slow =
			        x509_parse_pem_chain((uint8_t *)t, strlen(t));

			assert_int_equal(sk == NULL, slow == NULL);
			if (sk != NULL) {
				assert_int_equal(sk_X509_num(sk),
				                 sk_X509_num(slow));
				for (int i = 0; i < sk_X509_num(sk); i++)
					assert_int_equal(
					        X509_cmp(
					                sk_X509_value(sk, i),
					                sk_X509_value(slow, i)),
					        0);
			}
			sk_X509_pop_free(slow, X509_free);
		}
		sk_X509_pop_free(sk, X509_free);
		free(t);
	}
	/* No anchor: the generic reader. */
	sk = x509_parse_pem_chain_anchor((uint8_t *)text, len, NULL);
	assert_non_null(sk);
	assert_int_equal(sk_X509_num(sk), 2);
	assert_ptr_not_equal(sk_X509_value(sk, 1), root);
	sk_X509_pop_free(sk, X509_free);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_template_key_equals_decoder),
	        cmocka_unit_test(
	                test_template_key_refuses_what_decoder_refuses),
	        cmocka_unit_test(test_root_copy_by_der),
	        cmocka_unit_test(test_root_copy_same_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
