/* Nitro certificate chain with a cache of verified cabundles: see
 * verify/nitro_chain.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "verify/aws/nitro_chain.h"
#include "verify/core/lru.h"
#include "verify/core/x509.h"

/*
 * Two bounded LRU caches sized for a fleet of instances: verified
 * cabundles (root to the instance's CA, one a host) and parsed enclave
 * leaves. The root they all chain to is pinned (the caller compares
 * cabundle[0] with it), never an entry, so no number of instances
 * evicts it.
 */
struct bundle {
	X509_STORE *store; /* trusts cabundle[n-1] only */
	int64_t not_after; /* earliest notAfter of the cabundle */
};

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static struct lru *bundles, *leaves;

static void
bundle_destroy(void *obj)
{
	struct bundle *b = obj;

	X509_STORE_free(b->store);
	free(b);
}

static void
leaf_destroy(void *obj)
{
	X509_free(obj);
}

static void
cache_init(void)
{
	bundles = lru_new(NITRO_CACHE_INSTANCES_DEFAULT, bundle_destroy);
	leaves = lru_new(NITRO_CACHE_INSTANCES_DEFAULT, leaf_destroy);
}

static bool
leaf_copy(void *obj, void *out)
{
	if (X509_up_ref(obj) != 1)
		return false;
	*(X509 **)out = obj;
	return true;
}

/*
 * Parsed leaf certificates by the SHA-256 of their DER: parsing is a pure
 * function of the bytes, and documents of one enclave share their leaf
 * for its ~3 h life. Saves the d2i and extension decoding per document;
 * the leaf's signature and validity are still verified every time.
 */
static X509 *
leaf_parse(const uint8_t *der, size_t n)
{
	uint8_t key[32];
	X509 *x = NULL;

	if (n == 0 || der[0] != 0x30 ||
	    EVP_Digest(der, n, key, NULL, EVP_sha256(), NULL) != 1)
		return NULL;
	pthread_once(&cache_once, cache_init);
	if (lru_get(leaves, key, 0, leaf_copy, &x))
		return x;
	if ((x = x509_parse(der, n)) == NULL)
		return NULL;
	/* Extensions decoded once, before the certificate is shared. */
	(void)X509_get_extension_flags(x);
	if (X509_up_ref(x) == 1)
		lru_put(leaves, key, INT64_MIN, INT64_MAX, x);
	return x;
}

static int64_t
asn1_unix(const ASN1_TIME *t, int64_t dflt)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return dflt;
	return (int64_t)timegm(&tm);
}

/* SHA-256 over the anchor's fingerprint and the length-prefixed cabundle
 * certificates: what was verified, and against what. */
static bool
bundle_key(const struct nitro_doc *d, X509 *anchor, uint8_t key[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t len[4], fp[32];
	bool ok = false;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    !x509_sha256(anchor, fp) || EVP_DigestUpdate(ctx, fp, 32) != 1)
		goto out;
	for (size_t i = 0; i < d->n_cabundle; i++) {
		/* Length-prefixed so that no two bundles hash alike. */
		for (int j = 0; j < 4; j++)
			len[j] = (uint8_t)(d->cabundle[i].n >> (24 - 8 * j));
		if (EVP_DigestUpdate(ctx, len, 4) != 1 ||
		    EVP_DigestUpdate(ctx, d->cabundle[i].p, d->cabundle[i].n) !=
		            1)
			goto out;
	}
	ok = EVP_DigestFinal_ex(ctx, key, NULL) == 1;
out:
	EVP_MD_CTX_free(ctx);
	return ok;
}

static bool
bundle_copy(void *obj, void *out)
{
	const struct bundle *b = obj;

	if (X509_STORE_up_ref(b->store) != 1)
		return false;
	*(struct bundle *)out = *b;
	return true;
}

/* A store trusting only a reference to the verified cabundle[n-1],
 * inside every cabundle certificate's window. */
static bool
cache_get(const uint8_t key[32], int64_t at, X509_STORE **store,
          int64_t *not_after)
{
	struct bundle b;

	pthread_once(&cache_once, cache_init);
	if (!lru_get(bundles, key, at, bundle_copy, &b))
		return false;
	*store = b.store;
	*not_after = b.not_after;
	return true;
}

static void
cache_put(const uint8_t key[32], X509_STORE *store, int64_t not_before,
          int64_t not_after)
{
	struct bundle *b = malloc(sizeof(*b));

	pthread_once(&cache_once, cache_init);
	if (b == NULL)
		return;
	if (X509_STORE_up_ref(store) != 1) {
		free(b);
		return;
	}
	b->store = store;
	b->not_after = not_after;
	lru_put(bundles, key, not_before, not_after, b);
}

void
nitro_chain_cache_clear(void)
{
	pthread_once(&cache_once, cache_init);
	lru_clear(bundles);
	lru_clear(leaves);
}

void
nitro_chain_cache_configure(size_t instances)
{
	pthread_once(&cache_once, cache_init);
	lru_configure(bundles, instances);
	lru_configure(leaves, instances);
}

void
nitro_chain_cache_stats(uint64_t *hits, uint64_t *misses)
{
	struct lru_stats st;

	pthread_once(&cache_once, cache_init);
	lru_stats(bundles, &st);
	*hits = st.hits;
	*misses = st.misses;
}

size_t
nitro_chain_cache_entries(void)
{
	struct lru_stats st;

	pthread_once(&cache_once, cache_init);
	lru_stats(bundles, &st);
	return st.entries;
}

static enum tp_err
map_error(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TP_ERR_certificate_expired;
	default:
		return TP_ERR_certificate_chain_invalid;
	}
}

/*
 * X509_V_FLAG_X509_STRICT as configured everywhere, less one RFC 5280
 * §4.2.1.1/§4.2.1.2 rule AWS's instance CA and enclave certificates do not
 * follow: they carry no authority/subject key identifier. The chain is
 * still found by name and verified by signature; nothing else is waived.
 */
static int
strict_but_akid(int ok, X509_STORE_CTX *ctx)
{
	int err = X509_STORE_CTX_get_error(ctx);

	if (!ok && (err == X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER ||
	            err == X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER))
		return 1;
	return ok;
}

/*
 * Verifies CERT up to the only certificate STORE trusts, through
 * UNTRUSTED, as of AT. PARTIAL: the trusted certificate need not be
 * self-signed (it is the verified cabundle[n-1]). WANT_LEN: the exact
 * chain length required (0: any).
 */
static bool
chain_run(X509 *cert, STACK_OF(X509) * untrusted, X509_STORE *store, int64_t at,
          bool partial, int want_len, const char *what, enum tp_err *code,
          char *why, size_t whylen)
{
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned long flags = X509_V_FLAG_X509_STRICT;
	bool ok = false;
	int err;

	*code = TP_ERR_certificate_chain_invalid;
	snprintf(why, whylen, "%s: chain verification could not run", what);
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, store, cert, untrusted) != 1)
		goto out;
	if (partial)
		flags |= X509_V_FLAG_PARTIAL_CHAIN;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, flags);
	X509_VERIFY_PARAM_set_time(param, (time_t)at);
	X509_STORE_CTX_set_verify_cb(ctx, strict_but_akid);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		*code = map_error(err);
		snprintf(why, whylen, "%s: %s (at chain depth %d)", what,
		         X509_verify_cert_error_string(err),
		         X509_STORE_CTX_get_error_depth(ctx));
		goto out;
	}
	if (want_len > 0 &&
	    sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) != want_len) {
		snprintf(why, whylen,
		         "%s: the chain skips certificates of cabundle", what);
		goto out;
	}
	ok = true;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	return ok;
}

/* AWS: the leaf signs documents; it is no CA and its key is P-384. */
static bool
leaf_profile(X509 *leaf, char *why, size_t whylen)
{
	EVP_PKEY *pub = X509_get0_pubkey(leaf);
	char group[32];

	if (X509_check_ca(leaf) != 0) {
		snprintf(why, whylen,
		         "certificate: the leaf is a CA "
		         "certificate");
		return false;
	}
	if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
		snprintf(why, whylen,
		         "certificate: key usage lacks "
		         "digitalSignature");
		return false;
	}
	if (pub == NULL || EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(pub, "group", group, sizeof(group),
	                                    NULL) ||
	    strcmp(group, "secp384r1") != 0) {
		snprintf(why, whylen, "certificate: key is not EC P-384");
		return false;
	}
	return true;
}

/*
 * Verifies the cabundle itself: cabundle[n-1] up to ANCHOR through
 * cabundle[1..n-2], each issued by the one before it. On success returns
 * a store trusting cabundle[n-1] and the window where all are valid.
 */
static bool
bundle_verify(const struct nitro_doc *d, X509 *anchor, int64_t at,
              X509_STORE **store_out, int64_t *nb_out, int64_t *na_out,
              enum tp_err *code, char *why, size_t whylen)
{
	STACK_OF(X509) *certs = NULL, *untrusted = NULL;
	X509_STORE *store = NULL, *root = NULL;
	X509 *x, *tip;
	int64_t nb = INT64_MIN, na = INT64_MAX, t;
	size_t n = d->n_cabundle;
	bool ok = false;

	*code = TP_ERR_certificate_chain_invalid;
	if ((certs = sk_X509_new_null()) == NULL ||
	    (untrusted = sk_X509_new_null()) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((x = x509_parse(d->cabundle[i].p, d->cabundle[i].n)) ==
		            NULL ||
		    d->cabundle[i].p[0] != 0x30) {
			X509_free(x);
			snprintf(why, whylen,
			         "cabundle[%zu]: not a DER X.509 certificate",
			         i);
			goto out;
		}
		if (!sk_X509_push(certs, x)) {
			X509_free(x);
			snprintf(why, whylen, "out of memory");
			goto out;
		}
		/* The leaf is later checked against cabundle[n-1] alone:
		 * constraints above it that would bind the leaf are refused
		 * rather than silently dropped (AWS's chain has none). */
		if (X509_get_ext_by_NID(x, NID_name_constraints, -1) >= 0 ||
		    X509_get_ext_by_NID(x, NID_policy_constraints, -1) >= 0 ||
		    X509_get_ext_by_NID(x, NID_inhibit_any_policy, -1) >= 0) {
			snprintf(
			        why, whylen,
			        "cabundle[%zu]: name or policy constraints are "
			        "not supported in a Nitro chain",
			        i);
			goto out;
		}
		if (i > 0 && i + 1 < n && !sk_X509_push(untrusted, x)) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
		t = asn1_unix(X509_get0_notBefore(x), INT64_MAX);
		nb = t > nb ? t : nb;
		t = asn1_unix(X509_get0_notAfter(x), INT64_MIN);
		na = t < na ? t : na;
		if (i > 0 && X509_check_issued(sk_X509_value(certs, i - 1),
		                               x) != X509_V_OK) {
			snprintf(why, whylen,
			         "cabundle[%zu]: not issued by cabundle[%zu] "
			         "(the bundle runs root first)",
			         i, i - 1);
			goto out;
		}
	}
	tip = sk_X509_value(certs, (int)n - 1);
	if ((root = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(root, anchor) != 1) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* The bundle as a chain of exactly n certificates, root first. */
	if (n > 1 && !chain_run(tip, untrusted, root, at, false, (int)n,
	                        "cabundle", code, why, whylen))
		goto out;
	if (n == 1 && (at < nb || at > na)) {
		*code = TP_ERR_certificate_expired;
		snprintf(why, whylen,
		         "cabundle[0]: outside its validity at the "
		         "verification time");
		goto out;
	}
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, tip) != 1) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	*store_out = store;
	store = NULL;
	*nb_out = nb;
	*na_out = na;
	ok = true;
out:
	ERR_clear_error();
	X509_STORE_free(root);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
	sk_X509_pop_free(certs, X509_free);
	return ok;
}

bool
nitro_chain_verify(const struct nitro_doc *d, X509 *anchor, int64_t at,
                   X509 **leaf_out, int64_t *not_after, enum tp_err *code,
                   char *why, size_t whylen)
{
	X509_STORE *store = NULL;
	X509 *leaf = NULL;
	uint8_t key[32];
	int64_t nb = 0, na = INT64_MAX, t;
	bool ok = false;

	*leaf_out = NULL;
	*code = TP_ERR_certificate_chain_invalid;
	if (d->n_cabundle == 0 || anchor == NULL) {
		snprintf(why, whylen, "cabundle: empty, or no pinned root");
		goto out;
	}
	if ((leaf = leaf_parse(d->certificate.p, d->certificate.n)) == NULL) {
		snprintf(why, whylen,
		         "certificate: not a DER X.509 "
		         "certificate");
		goto out;
	}
	if (!bundle_key(d, anchor, key)) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (!cache_get(key, at, &store, &na)) {
		if (!bundle_verify(d, anchor, at, &store, &nb, &na, code, why,
		                   whylen))
			goto out;
		cache_put(key, store, nb, na);
	}
	if (!leaf_profile(leaf, why, whylen))
		goto out;
	/* The leaf must be issued by cabundle[n-1] itself. */
	if (!chain_run(leaf, NULL, store, at, true, 2, "certificate (leaf)",
	               code, why, whylen))
		goto out;
	t = x509_not_after(leaf);
	*not_after = t < na ? t : na;
	*leaf_out = leaf;
	leaf = NULL;
	ok = true;
out:
	X509_STORE_free(store);
	X509_free(leaf);
	return ok;
}
