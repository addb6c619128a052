/*
 * AMD SEV-SNP certificates: the pinned ARKs, VCEK/VLEK extensions, chain
 * links, and the cache of verified chains.
 *
 * Why the links are verified here and not with x509_chain_verify: that
 * function runs OpenSSL with X509_V_FLAG_X509_STRICT, which (OpenSSL 3.0)
 * refuses every AMD VCEK with "Missing Authority Key Identifier" (AMD's
 * KDS issues VCEKs without AKID, and with serial number 0). Rather than
 * weaken the shared function, each link is checked explicitly: issuer
 * name, issuer is a CA with keyCertSign, RSASSA-PSS with SHA-384, the
 * signature itself, and each certificate's validity window at the
 * verification time. The ARK is trusted only through its pinned hash.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "verify/amd/snp_cert.h"
#include "verify/core/lru.h"
#include "verify/core/x509.h"

/* SHA-256 of each ARK's DER (cross-checked against
 * ../shared/vectors/snp/MANIFEST.md: 69d063b4…, 4c6598d1…, 1f084161…). */
static const struct {
	enum snp_product p;
	const char *vcek_file, *vlek_file, *pin;
} root_files[] = {
        {SNP_PRODUCT_MILAN, "ask_ark_milan.pem", "asvk_ark_milan_vlek.pem",
         "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"},
        {SNP_PRODUCT_GENOA, "ask_ark_genoa.pem", "asvk_ark_genoa_vlek.pem",
         "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1"},
        {SNP_PRODUCT_TURIN, "ask_ark_turin.pem", "asvk_ark_turin_vlek.pem",
         "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a"},
};

#define N_ROOTS (sizeof(root_files) / sizeof(root_files[0]))

static pthread_mutex_t roots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool loaded;
	bool ok;
	struct snp_roots r;
} roots[N_ROOTS];

bool
snp_cert_window(const X509 *x, int64_t *not_before, int64_t *not_after)
{
	const ASN1_TIME *a = X509_get0_notBefore(x);
	const ASN1_TIME *b = X509_get0_notAfter(x);
	struct tm ta, tb;

	if (a == NULL || b == NULL || ASN1_TIME_to_tm(a, &ta) != 1 ||
	    ASN1_TIME_to_tm(b, &tb) != 1)
		return false;
	*not_before = (int64_t)timegm(&ta);
	*not_after = (int64_t)timegm(&tb);
	return true;
}

bool
snp_link_verify(X509 *child, X509 *issuer, char *why, size_t whylen)
{
	EVP_PKEY *pub;
	int mdnid = NID_undef, pknid = NID_undef;
	bool ok = false;

	if (X509_NAME_cmp(X509_get_issuer_name(child),
	                  X509_get_subject_name(issuer)) != 0) {
		snprintf(why, whylen,
		         "issuer name differs from the subject of "
		         "the issuing certificate");
		goto out;
	}
	/* X509_check_ca() also caches the extensions it needs. */
	if (X509_check_ca(issuer) != 1 ||
	    (X509_get_extension_flags(issuer) & EXFLAG_KUSAGE &&
	     (X509_get_key_usage(issuer) & KU_KEY_CERT_SIGN) == 0)) {
		snprintf(why, whylen,
		         "issuing certificate is not a CA allowed to sign "
		         "certificates");
		goto out;
	}
	/* AMD signs every link with RSASSA-PSS, SHA-384 (pub. 57230). */
	if (X509_get_signature_nid(child) != NID_rsassaPss ||
	    X509_get_signature_info(child, &mdnid, &pknid, NULL, NULL) != 1 ||
	    mdnid != NID_sha384) {
		snprintf(why, whylen,
		         "signature algorithm: want RSASSA-PSS with SHA-384");
		goto out;
	}
	if ((pub = X509_get0_pubkey(issuer)) == NULL ||
	    X509_verify(child, pub) != 1) {
		snprintf(why, whylen,
		         "signature does not verify with the "
		         "issuing certificate's key");
		goto out;
	}
	ok = true;
out:
	ERR_clear_error();
	return ok;
}

static bool
pinned(X509 *x, const char *pin_hex, uint8_t out[32])
{
	uint8_t pin[32];

	return x509_sha256(x, out) &&
	       codec_hex_decode_fixed(pin_hex, pin, sizeof(pin)) &&
	       CRYPTO_memcmp(out, pin, 32) == 0;
}

/* Loads the intermediate and ARK of FILE; the ARK must carry the pin. */
static X509 *
load_intermediate(const char *file, const char *pin_hex, X509 **ark,
                  uint8_t ark_sha[32], uint8_t inter_sha[32])
{
	STACK_OF(X509) *sk = x509_trust_file_certs(file);
	X509 *inter = NULL, *a = NULL;
	char why[160];

	if (sk == NULL || sk_X509_num(sk) != 2)
		goto out;
	a = sk_X509_value(sk, 1);
	inter = sk_X509_value(sk, 0);
	if (!pinned(a, pin_hex, ark_sha) || !x509_sha256(inter, inter_sha))
		goto fail;
	if (!snp_link_verify(a, a, why, sizeof(why)) ||
	    !snp_link_verify(inter, a, why, sizeof(why)))
		goto fail;
	X509_up_ref(inter);
	if (*ark == NULL) {
		X509_up_ref(a);
		*ark = a;
	}
	goto out;
fail:
	inter = NULL;
out:
	sk_X509_pop_free(sk, X509_free);
	return inter;
}

const struct snp_roots *
snp_roots_get(enum snp_product p)
{
	const struct snp_roots *ret = NULL;
	uint8_t sha2[32];
	size_t i;

	for (i = 0; i < N_ROOTS && root_files[i].p != p; i++)
		;
	if (i == N_ROOTS)
		return NULL;
	pthread_mutex_lock(&roots_lock);
	if (!roots[i].loaded) {
		struct snp_roots *r = &roots[i].r;

		roots[i].loaded = true;
		r->ask = load_intermediate(root_files[i].vcek_file,
		                           root_files[i].pin, &r->ark,
		                           r->ark_sha256, r->ask_sha256);
		r->asvk = load_intermediate(root_files[i].vlek_file,
		                            root_files[i].pin, &r->ark, sha2,
		                            r->asvk_sha256);
		roots[i].ok =
		        r->ark != NULL && r->ask != NULL && r->asvk != NULL;
	}
	if (roots[i].ok)
		ret = &roots[i].r;
	pthread_mutex_unlock(&roots_lock);
	return ret;
}

static enum snp_product
product_from_cn(const char *cn, bool *vlek)
{
	static const struct {
		const char *cn;
		enum snp_product p;
		bool vlek;
	} map[] = {
	        {"SEV-Milan", SNP_PRODUCT_MILAN, false},
	        {"SEV-Genoa", SNP_PRODUCT_GENOA, false},
	        {"SEV-Turin", SNP_PRODUCT_TURIN, false},
	        {"SEV-VLEK-Milan", SNP_PRODUCT_MILAN, true},
	        {"SEV-VLEK-Genoa", SNP_PRODUCT_GENOA, true},
	        {"SEV-VLEK-Turin", SNP_PRODUCT_TURIN, true},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(cn, map[i].cn) == 0) {
			*vlek = map[i].vlek;
			return map[i].p;
		}
	}
	return SNP_PRODUCT_UNKNOWN;
}

/* An SPL extension: a DER INTEGER 0..255 filling the whole value. */
static bool
spl_value(const ASN1_OCTET_STRING *os, int *out)
{
	const unsigned char *p = ASN1_STRING_get0_data(os);
	int len = ASN1_STRING_length(os);
	ASN1_INTEGER *ai = NULL;
	int64_t n;
	bool ok = false;

	if (p == NULL || len <= 0)
		goto out;
	if ((ai = d2i_ASN1_INTEGER(NULL, &p, len)) == NULL)
		goto out;
	if (p != ASN1_STRING_get0_data(os) + len)
		goto out;
	if (ASN1_INTEGER_get_int64(&n, ai) != 1 || n < 0 || n > 255)
		goto out;
	*out = (int)n;
	ok = true;
out:
	ASN1_INTEGER_free(ai);
	ERR_clear_error();
	return ok;
}

/* An IA5String extension into BUF (NUL-terminated). */
static bool
ia5_value(const ASN1_OCTET_STRING *os, char *buf, size_t buflen)
{
	const unsigned char *p = ASN1_STRING_get0_data(os);
	int len = ASN1_STRING_length(os);
	ASN1_IA5STRING *s = NULL;
	bool ok = false;
	int n;

	if (p == NULL || len <= 0)
		goto out;
	if ((s = d2i_ASN1_IA5STRING(NULL, &p, len)) == NULL)
		goto out;
	if (p != ASN1_STRING_get0_data(os) + len)
		goto out;
	n = ASN1_STRING_length(s);
	if (n < 0 || (size_t)n >= buflen)
		goto out;
	memcpy(buf, ASN1_STRING_get0_data(s), (size_t)n);
	buf[n] = '\0';
	for (int i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			goto out;
	ok = true;
out:
	ASN1_IA5STRING_free(s);
	ERR_clear_error();
	return ok;
}

#define AMD_OID "1.3.6.1.4.1.3704.1."

bool
snp_ek_info_parse(X509 *x, struct snp_ek_info *out, char *why, size_t whylen)
{
	char cn[64], oid[64];
	unsigned seen = 0;
	bool ok = false;
	int n;

	memset(out, 0, sizeof(*out));
	out->bl = out->tee = out->snp = out->microcode = out->fmc = -1;
	n = X509_NAME_get_text_by_NID(X509_get_issuer_name(x), NID_commonName,
	                              cn, sizeof(cn));
	if (n <= 0 || (size_t)n >= sizeof(cn) ||
	    (out->product = product_from_cn(cn, &out->is_vlek)) ==
	            SNP_PRODUCT_UNKNOWN) {
		snprintf(why, whylen,
		         "issuer CN: want SEV-{Milan,Genoa,Turin} or "
		         "SEV-VLEK-{Milan,Genoa,Turin}");
		goto out;
	}
	for (int i = 0; i < X509_get_ext_count(x); i++) {
		X509_EXTENSION *ext = X509_get_ext(x, i);
		const ASN1_OCTET_STRING *val = X509_EXTENSION_get_data(ext);
		const char *tail;
		int *spl = NULL, bit;

		if (OBJ_obj2txt(oid, sizeof(oid),
		                X509_EXTENSION_get_object(ext), 1) <= 0)
			continue;
		if (strncmp(oid, AMD_OID, strlen(AMD_OID)) != 0)
			continue;
		tail = oid + strlen(AMD_OID);
		if (strcmp(tail, "3.1") == 0)
			spl = &out->bl, bit = 0;
		else if (strcmp(tail, "3.2") == 0)
			spl = &out->tee, bit = 1;
		else if (strcmp(tail, "3.3") == 0)
			spl = &out->snp, bit = 2;
		else if (strcmp(tail, "3.8") == 0)
			spl = &out->microcode, bit = 3;
		else if (strcmp(tail, "3.9") == 0)
			spl = &out->fmc, bit = 4;
		else if (strcmp(tail, "4") == 0)
			bit = 5;
		else if (strcmp(tail, "2") == 0)
			bit = 6;
		else if (strcmp(tail, "5") == 0)
			bit = 7;
		else
			continue; /* structVersion, reserved SPLs 3.4-3.7 */
		if (seen & (1u << bit)) {
			snprintf(why, whylen, "extension %s: duplicated", oid);
			goto out;
		}
		seen |= 1u << bit;
		if (spl != NULL) {
			if (!spl_value(val, spl)) {
				snprintf(why, whylen,
				         "extension %s: want a DER INTEGER "
				         "0..255",
				         oid);
				goto out;
			}
		} else if (bit == 5) {
			int len = ASN1_STRING_length(val);
			/* hwID: the raw CHIP_ID, 64 bytes (8 on Turin). */
			if (len != 64 && len != 8) {
				snprintf(why, whylen,
				         "extension %s (hwID): want 64 or 8 "
				         "bytes, have %d",
				         oid, len);
				goto out;
			}
			memcpy(out->hwid, ASN1_STRING_get0_data(val),
			       (size_t)len);
			out->hwid_len = (size_t)len;
		} else if (!ia5_value(val,
		                      bit == 6 ? out->product_name
		                               : out->csp_id,
		                      bit == 6 ? sizeof(out->product_name)
		                               : sizeof(out->csp_id))) {
			snprintf(why, whylen,
			         "extension %s: want a printable IA5String",
			         oid);
			goto out;
		}
	}
	if (out->bl < 0 || out->tee < 0 || out->snp < 0 || out->microcode < 0) {
		snprintf(why, whylen,
		         "TCB extensions: blSPL, teeSPL, snpSPL and ucodeSPL "
		         "(1.3.6.1.4.1.3704.1.3.{1,2,3,8}) are required");
		goto out;
	}
	if (out->product == SNP_PRODUCT_TURIN && out->fmc < 0) {
		snprintf(why, whylen,
		         "TCB extensions: fmcSPL (1.3.6.1.4.1.3704.1.3.9) is "
		         "required on Turin");
		goto out;
	}
	if (out->hwid_len != 0 &&
	    out->hwid_len != (out->product == SNP_PRODUCT_TURIN ? 8u : 64u)) {
		snprintf(why, whylen,
		         "hwID (1.3.6.1.4.1.3704.1.4): want %u bytes for %s, "
		         "have %zu",
		         out->product == SNP_PRODUCT_TURIN ? 8u : 64u, cn,
		         out->hwid_len);
		goto out;
	}
	if (!out->is_vlek && out->hwid_len == 0) {
		snprintf(why, whylen,
		         "hwID (1.3.6.1.4.1.3704.1.4): required in a VCEK");
		goto out;
	}
	ok = true;
out:
	return ok;
}

void
snp_ek_clear(struct snp_ek *e)
{
	if (e == NULL)
		return;
	EVP_PKEY_free(e->pub);
	memset(e, 0, sizeof(*e));
}

/*
 * Verified chains, one entry a chip (its VCEK) or a VLEK: a bounded LRU
 * sized for a fleet. The ARKs and ASKs every entry was verified against
 * are pinned (snp_roots_get), never entries here, so no number of chips
 * evicts them.
 */
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static struct lru *cache;

static void
ek_destroy(void *obj)
{
	snp_ek_clear(obj);
	free(obj);
}

static void
cache_init(void)
{
	cache = lru_new(SNP_CACHE_CHIPS_DEFAULT, ek_destroy);
}

static bool
ek_copy(void *obj, void *out)
{
	const struct snp_ek *e = obj;

	if (EVP_PKEY_up_ref(e->pub) != 1)
		return false;
	*(struct snp_ek *)out = *e;
	return true;
}

bool
snp_cache_get(const uint8_t key[32], int64_t at, struct snp_ek *out)
{
	memset(out, 0, sizeof(*out));
	pthread_once(&cache_once, cache_init);
	/* Outside the window the chain is re-verified, so that the expiry
	 * is reported as such. */
	return lru_get(cache, key, at, ek_copy, out);
}

void
snp_cache_put(const uint8_t key[32], const struct snp_ek *e)
{
	struct snp_ek *copy;

	pthread_once(&cache_once, cache_init);
	if (e->pub == NULL || (copy = malloc(sizeof(*copy))) == NULL)
		return;
	if (EVP_PKEY_up_ref(e->pub) != 1) {
		free(copy);
		return;
	}
	*copy = *e;
	lru_put(cache, key, e->valid_from, e->valid_until, copy);
}

void
snp_cache_configure(size_t chips)
{
	pthread_once(&cache_once, cache_init);
	lru_configure(cache, chips);
}

void
snp_cache_clear(void)
{
	pthread_once(&cache_once, cache_init);
	lru_clear(cache);
}

void
snp_cache_stats(struct lru_stats *out)
{
	pthread_once(&cache_once, cache_init);
	lru_stats(cache, out);
}

static pthread_once_t sha384_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha384;

static void
sha384_fetch(void)
{
	sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
}

bool
snp_ecdsa_p384_verify(EVP_PKEY *pub, const uint8_t *msg, size_t len,
                      const uint8_t r[48], const uint8_t s[48])
{
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char md[48], *der = NULL;
	unsigned int mdlen = 0;
	int derlen;
	bool ok = false;

	pthread_once(&sha384_once, sha384_fetch);
	if (pub == NULL || sha384 == NULL)
		goto out;
	if (EVP_Digest(msg, len, md, &mdlen, sha384, NULL) != 1 ||
	    mdlen != sizeof(md))
		goto out;
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (br = BN_bin2bn(r, 48, NULL)) == NULL ||
	    (bs = BN_bin2bn(s, 48, NULL)) == NULL ||
	    !ECDSA_SIG_set0(sig, br, bs))
		goto out;
	br = bs = NULL; /* owned by sig */
	if ((derlen = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) != 1)
		goto out;
	ok = EVP_PKEY_verify(ctx, der, (size_t)derlen, md, sizeof(md)) == 1;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	return ok;
}
