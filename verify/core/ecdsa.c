#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "verify/core/ecdsa.h"

bool
ecdsa_verify_raw(EVP_PKEY *pub, const EVP_MD *md, const uint8_t *msg,
                 size_t msglen, const uint8_t *r, const uint8_t *s, size_t n)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	int derlen;
	bool ok = false;

	if (pub == NULL || n == 0 || n > 66)
		goto out;
	if ((sig = ECDSA_SIG_new()) == NULL)
		goto out;
	br = BN_bin2bn(r, (int)n, NULL);
	bs = BN_bin2bn(s, (int)n, NULL);
	if (br == NULL || bs == NULL || !ECDSA_SIG_set0(sig, br, bs))
		goto out;
	br = bs = NULL; /* owned by sig now */
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) != 1)
		goto out;
	ok = EVP_DigestVerify(ctx, der, (size_t)derlen, msg, msglen) == 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	return ok;
}

bool
ecdsa_sign_raw(EVP_PKEY *priv, const EVP_MD *md, const uint8_t *msg,
               size_t msglen, uint8_t *out, size_t n)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char der[160];
	const unsigned char *p = der;
	size_t derlen = sizeof(der);
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	bool ok = false;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, priv) != 1 ||
	    EVP_DigestSign(ctx, der, &derlen, msg, msglen) != 1)
		goto out;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, (int)n) < 0 ||
	    BN_bn2binpad(s, out + n, (int)n) < 0)
		goto out;
	ok = true;
out:
	ERR_clear_error();
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/*
 * One public key per curve, built once through the generic
 * EVP_PKEY_fromdata (the curve's generator as its point): keys are then
 * its duplicate with another point set. Building a key through
 * fromdata (the group looked up by name) or the SPKI decoder each time
 * costs several times what the duplicate does.
 */
static pthread_once_t template_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *template_p256, *template_p384;

static EVP_PKEY *
template_build(const char *group)
{
	uint8_t g[1 + 2 * 66];
	size_t glen = 0;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(
	        strcmp(group, "P-384") == 0 ? NID_secp384r1
	                                    : NID_X9_62_prime256v1);

	if (grp == NULL ||
	    (glen = EC_POINT_point2oct(grp, EC_GROUP_get0_generator(grp),
	                               POINT_CONVERSION_UNCOMPRESSED, g,
	                               sizeof(g), NULL)) == 0)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	                                             (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	                                              g, glen);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	EC_GROUP_free(grp);
	return key;
}

static void
template_init(void)
{
	template_p256 = template_build("P-256");
	template_p384 = template_build("P-384");
}

EVP_PKEY *
ecdsa_pub_from_point(const char *group, const uint8_t *pt, size_t len)
{
	uint8_t buf[1 + 2 * 66];
	EVP_PKEY_CTX *chk = NULL;
	EVP_PKEY *tmpl, *key = NULL;
	size_t n = strcmp(group, "P-384") == 0   ? 48
	           : strcmp(group, "P-256") == 0 ? 32
	                                         : 0;

	if (n == 0)
		goto out;
	if (len == 2 * n) {
		buf[0] = 0x04;
		memcpy(buf + 1, pt, len);
	} else if (len == 2 * n + 1 && pt[0] == 0x04) {
		memcpy(buf, pt, len);
	} else {
		goto out;
	}
	pthread_once(&template_once, template_init);
	if ((tmpl = n == 48 ? template_p384 : template_p256) == NULL)
		goto out;
	/* The duplicate carries the template's group and point, never a
	 * private key (the template has none); the point is then replaced
	 * (EC_POINT_oct2point: refused when not on the curve). */
	if ((key = EVP_PKEY_dup(tmpl)) == NULL)
		goto out;
	if (EVP_PKEY_set1_encoded_public_key(key, buf, 2 * n + 1) != 1)
		goto bad;
	/* On the curve and not the point at infinity. The full check adds
	 * order * Q == O, a scalar multiplication that cannot fail on
	 * P-256 or P-384: their cofactor is 1, so every point of the curve
	 * but O has the group's order (SEC 1 v2, 3.2.2.1: the nQ check is
	 * for curves whose cofactor is not 1). */
	if ((chk = EVP_PKEY_CTX_new(key, NULL)) == NULL ||
	    EVP_PKEY_public_check_quick(chk) != 1)
		goto bad;
	goto out;
bad:
	EVP_PKEY_free(key);
	key = NULL;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(chk);
	return key;
}

bool
ecdsa_spki_der(EVP_PKEY *key, uint8_t **out, size_t *outlen)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);

	if (n <= 0)
		return false;
	*out = malloc((size_t)n);
	if (*out == NULL) {
		OPENSSL_free(der);
		return false;
	}
	memcpy(*out, der, (size_t)n);
	*outlen = (size_t)n;
	OPENSSL_free(der);
	return true;
}
