#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "common/codec.h"
#include "common/trust_blobs.h"
#include "verify/core/x509.h"

#define ANCHOR_CACHE 16

static pthread_mutex_t anchor_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char *name;
	uint8_t pin[32];
	X509 *cert;
} anchors[ANCHOR_CACHE];

X509 *
x509_parse(const uint8_t *buf, size_t len)
{
	const unsigned char *p = buf;
	X509 *x = NULL;
	BIO *bio = NULL;

	if (buf == NULL || len == 0 || len > INT32_MAX)
		return NULL;
	if (buf[0] == 0x30) {
		x = d2i_X509(NULL, &p, (long)len);
		/* Trailing bytes after the certificate are refused. */
		if (x != NULL && p != buf + len) {
			X509_free(x);
			x = NULL;
		}
		return x;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

STACK_OF(X509) * x509_parse_pem_chain(const uint8_t *buf, size_t len)
{
	STACK_OF(X509) *sk = NULL;
	BIO *bio = NULL;
	X509 *x;

	if (buf == NULL || len == 0 || len > INT32_MAX)
		return NULL;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		goto out;
	if ((sk = sk_X509_new_null()) == NULL)
		goto out;
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			break;
		}
	}
	/* The loop ends at the end of the text ("no start line"); any other
	 * reason is a broken block, and a chain with a block dropped is not
	 * the chain that was sent. */
	{
		unsigned long e = ERR_peek_last_error();
		if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
		                ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
			sk_X509_pop_free(sk, X509_free);
			sk = NULL;
		}
	}
	ERR_clear_error();
	if (sk != NULL && sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		sk = NULL;
	}
out:
	BIO_free(bio);
	return sk;
}

/*
 * As x509_parse_pem_chain, with every CERTIFICATE block whose DER is
 * exactly ANCHOR's DER taken as ANCHOR itself (a reference, no parse):
 * OpenSSL 3 decoding a certificate costs more than verifying one, and a
 * copy of a pinned root is only ever compared with it. Any block this
 * reader does not take as plainly as PEM_read_bio_X509 does (another
 * label, PEM headers, a read error) sends the whole text to
 * x509_parse_pem_chain, so the result is the certificates it would
 * return (a block equal to the anchor in bytes is the anchor).
 */
STACK_OF(X509) * x509_parse_pem_chain_anchor(const uint8_t *buf, size_t len,
                                             X509 *anchor)
{
	STACK_OF(X509) *sk = NULL;
	unsigned char *adr = NULL;
	int alen;
	BIO *bio = NULL;
	bool fallback = true;

	if (anchor == NULL || buf == NULL || len == 0 || len > INT32_MAX)
		return x509_parse_pem_chain(buf, len);
	if ((alen = i2d_X509(anchor, &adr)) <= 0)
		goto out;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (sk = sk_X509_new_null()) == NULL)
		goto out;
	ERR_clear_error();
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		const unsigned char *p;
		long n = 0;
		X509 *x = NULL;
		bool plain;

		if (PEM_read_bio(bio, &name, &header, &data, &n) != 1) {
			unsigned long e = ERR_peek_last_error();

			/* The end of the text, as x509_parse_pem_chain's loop
			 * ends; anything else it judges itself. */
			fallback = !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
			             ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
			break;
		}
		plain = strcmp(name, PEM_STRING_X509) == 0 && header[0] == '\0';
		if (plain && n == alen && CRYPTO_memcmp(data, adr, n) == 0) {
			if (X509_up_ref(anchor) == 1)
				x = anchor;
		} else if (plain) {
			p = data;
			x = d2i_X509(NULL, &p, n);
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		if (x == NULL || !sk_X509_push(sk, x)) {
			X509_free(x);
			goto out;
		}
	}
	if (!fallback && sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		sk = NULL;
	}
out:
	ERR_clear_error();
	BIO_free(bio);
	OPENSSL_free(adr);
	if (fallback) {
		sk_X509_pop_free(sk, X509_free);
		sk = x509_parse_pem_chain(buf, len);
	}
	return sk;
}

X509_CRL *
x509_crl_parse(const uint8_t *buf, size_t len)
{
	const unsigned char *p = buf;
	X509_CRL *crl = NULL;
	BIO *bio;

	if (buf == NULL || len == 0 || len > INT32_MAX)
		return NULL;
	if (buf[0] == 0x30) {
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (crl != NULL && p != buf + len) {
			X509_CRL_free(crl);
			crl = NULL;
		}
		return crl;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return NULL;
	crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return crl;
}

bool
x509_sha256(X509 *cert, uint8_t out[32])
{
	unsigned int n = 0;

	return X509_digest(cert, EVP_sha256(), out, &n) == 1 && n == 32;
}

int64_t
x509_not_after(const X509 *cert)
{
	const ASN1_TIME *t = X509_get0_notAfter(cert);
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return INT64_MAX;
	return (int64_t)timegm(&tm);
}

X509 *
x509_anchor(const char *name, const char *pin_hex)
{
	const struct trust_blob *b;
	uint8_t md[32], pin[32];
	X509 *x = NULL;
	size_t i;

	if (!codec_hex_decode_fixed(pin_hex, pin, sizeof(pin)))
		return NULL;
	pthread_mutex_lock(&anchor_lock);
	for (i = 0; i < ANCHOR_CACHE && anchors[i].name != NULL; i++) {
		if (strcmp(anchors[i].name, name) == 0) {
			/* The pin is checked on every lookup, cached or not. */
			if (CRYPTO_memcmp(anchors[i].pin, pin, 32) == 0)
				x = anchors[i].cert;
			goto out;
		}
	}
	if (i == ANCHOR_CACHE)
		goto out;
	if ((b = trust_blob_find(name)) == NULL)
		goto out;
	if ((x = x509_parse(b->data, b->len)) == NULL)
		goto out;
	/* The pin: a root replaced in config/trust/ is never trusted. */
	if (!x509_sha256(x, md) || CRYPTO_memcmp(md, pin, 32) != 0) {
		X509_free(x);
		x = NULL;
		goto out;
	}
	anchors[i].name = name;
	memcpy(anchors[i].pin, pin, 32);
	anchors[i].cert = x;
out:
	pthread_mutex_unlock(&anchor_lock);
	return x;
}

STACK_OF(X509) * x509_trust_file_certs(const char *name)
{
	const struct trust_blob *b = trust_blob_find(name);

	if (b == NULL)
		return NULL;
	return x509_parse_pem_chain(b->data, b->len);
}

static enum tp_err
map_error(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TP_ERR_certificate_expired;
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return TP_ERR_collateral_expired;
	case X509_V_ERR_CERT_REVOKED:
		return TP_ERR_certificate_revoked;
	default:
		return TP_ERR_certificate_chain_invalid;
	}
}

static bool chain_verify(X509 *leaf, STACK_OF(X509) * untrusted, X509 *anchor,
                         int64_t at, STACK_OF(X509_CRL) * crls,
                         unsigned long flags, enum tp_err *code, char *why,
                         size_t whylen);

bool
x509_chain_verify(X509 *leaf, STACK_OF(X509) * untrusted, X509 *anchor,
                  int64_t at, STACK_OF(X509_CRL) * crls, enum tp_err *code,
                  char *why, size_t whylen)
{
	return chain_verify(leaf, untrusted, anchor, at, crls, 0, code, why,
	                    whylen);
}

bool
x509_leaf_verify(X509 *leaf, X509 *issuer, int64_t at, enum tp_err *code,
                 char *why, size_t whylen)
{
	return chain_verify(leaf, NULL, issuer, at, NULL,
	                    X509_V_FLAG_PARTIAL_CHAIN, code, why, whylen);
}

static bool
chain_verify(X509 *leaf, STACK_OF(X509) * untrusted, X509 *anchor, int64_t at,
             STACK_OF(X509_CRL) * crls, unsigned long extra, enum tp_err *code,
             char *why, size_t whylen)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned long flags = X509_V_FLAG_X509_STRICT | extra;
	bool ok = false;
	int err;

	*code = TP_ERR_certificate_chain_invalid;
	snprintf(why, whylen, "chain verification could not run");
	if (leaf == NULL || anchor == NULL)
		goto out;
	if ((store = X509_STORE_new()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL)
		goto out;
	if (X509_STORE_add_cert(store, anchor) != 1)
		goto out;
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	if (crls != NULL) {
		X509_STORE_CTX_set0_crls(ctx, crls);
		flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
	}
	X509_VERIFY_PARAM_set_flags(param, flags);
	X509_VERIFY_PARAM_set_time(param, (time_t)at);
	if (X509_verify_cert(ctx) == 1) {
		ok = true;
		goto out;
	}
	err = X509_STORE_CTX_get_error(ctx);
	*code = map_error(err);
	snprintf(why, whylen, "%s (at chain depth %d)",
	         X509_verify_cert_error_string(err),
	         X509_STORE_CTX_get_error_depth(ctx));
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

/* True when CRL needs more than x509_crl_check's rules. */
static bool
crl_unsupported(X509_CRL *crl)
{
	STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);

	if (X509_CRL_get_ext_by_critical(crl, 1, -1) >= 0 ||
	    X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1) >=
	            0 ||
	    X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0 ||
	    X509_CRL_get_ext_by_NID(crl, NID_freshest_crl, -1) >= 0)
		return true;
	for (int i = 0; i < sk_X509_REVOKED_num(revoked); i++) {
		if (X509_REVOKED_get_ext_by_critical(
		            sk_X509_REVOKED_value(revoked, i), 1, -1) >= 0)
			return true;
	}
	return false;
}

static enum x509_crl_result
crl_bad(int err, int depth, enum tp_err *code, char *why, size_t whylen)
{
	*code = map_error(err);
	snprintf(why, whylen, "%s (at chain depth %d)",
	         X509_verify_cert_error_string(err), depth);
	return X509_CRL_BAD;
}

enum x509_crl_result
x509_crl_check(X509 *cert, X509 *issuer, X509_CRL *crl, bool signature_checked,
               int64_t at, int depth, enum tp_err *code, char *why,
               size_t whylen)
{
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	X509_REVOKED *rev = NULL;
	EVP_PKEY *k;
	time_t t = (time_t)at;
	int r;

	if (crl_unsupported(crl))
		return X509_CRL_UNSUPPORTED;
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
	                  X509_get_issuer_name(cert)) != 0)
		return crl_bad(X509_V_ERR_UNABLE_TO_GET_CRL, depth, code, why,
		               whylen);
	if (!signature_checked && ((k = X509_get0_pubkey(issuer)) == NULL ||
	                           X509_CRL_verify(crl, k) != 1)) {
		ERR_clear_error();
		return crl_bad(X509_V_ERR_CRL_SIGNATURE_FAILURE, depth, code,
		               why, whylen);
	}
	if ((r = X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &t)) == 0)
		return crl_bad(X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, depth,
		               code, why, whylen);
	if (r > 0)
		return crl_bad(X509_V_ERR_CRL_NOT_YET_VALID, depth, code, why,
		               whylen);
	if (next != NULL) {
		if ((r = X509_cmp_time(next, &t)) == 0)
			return crl_bad(
			        X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD,
			        depth, code, why, whylen);
		if (r < 0)
			return crl_bad(X509_V_ERR_CRL_HAS_EXPIRED, depth, code,
			               why, whylen);
	}
	/* 1: listed; 2: listed as removeFromCRL, which revokes nothing. */
	if (X509_CRL_get0_by_cert(crl, &rev, cert) == 1)
		return crl_bad(X509_V_ERR_CERT_REVOKED, depth, code, why,
		               whylen);
	return X509_CRL_GOOD;
}
