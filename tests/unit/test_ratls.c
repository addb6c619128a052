/*
 * RA-TLS certificates (provider RaTls, verify/ratls/): the real
 * certificates of the CCC interoperability tests with the Intel
 * collateral of their platform (tests/data/ratls/PROVENANCE.md gives the
 * expected verdicts and the time), and certificates made here at test
 * time with OpenSSL: the real quotes under another key (binding refused),
 * the Gramine legacy OID in both encodings, and hostile extensions
 * (wrong OID, truncated CBOR, huge lengths, other tags, duplicates,
 * trailing bytes, a CA-signed certificate).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "load/load.h"
#include "verify/intel/dcap_policy.h"
#include "verify/ratls/ratls_cert.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"
#include "tests/unit/test_verify_util.h"

#define DIR  "tests/data/ratls/"
#define COLL DIR "collateral_sgx_00606a000000_2025-08"

/* 2025-08-20T00:00:00Z: inside the collateral windows (PROVENANCE). */
#define AT 1755648000
/* SHA-256 of gramine_cert.pem's SPKI (collector's Python). */
#define GRAMINE_SPKI_SHA256                                                    \
	"5a5a5b2d177433048e9d62409d1acc4ec526c06e294d09e69a36cff9369e4851"

#define OID_DICE           "2.23.133.5.4.9"
#define OID_LEGACY         "1.2.840.113741.1337.6"
#define OID_LEGACY_GRAMINE "0.6.9.42.840.113741.1337.6" /* Gramine's bytes */

static struct artifact_set coll;

static int
setup(void **state)
{
	(void)state;
	tu_collateral_load(TP_PROVIDER_RA_TLS, COLL, &coll);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	artifact_set_clear(&coll);
	return 0;
}

/* LENIENT: the policy overrides the real samples need (debug test
 * enclaves on an OutOfDate platform). */
static void
run(const uint8_t *ev, size_t len, bool lenient, const char *nonce,
    struct verdict *v)
{
	static const char *const out_of_date[] = {"allow_out_of_date", "true",
	                                          NULL};
	const struct tu_run r = {&coll,   TP_PROVIDER_NONE,
	                         nonce,   AT,
	                         lenient, lenient ? out_of_date : NULL};

	tu_run(&r, ev, len, v);
}

/* ---- certificates made at test time ---- */

static EVP_PKEY *
p256(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	assert_non_null(k);
	return k;
}

struct ext {
	const char *oid; /* dotted */
	const uint8_t *val;
	size_t len;
};

/* A certificate of KEY with EXTS, signed by SIGNER (KEY when NULL:
 * self-signed), as DER (malloc'd). */
static uint8_t *
make_cert(EVP_PKEY *key, EVP_PKEY *signer, const struct ext *exts, size_t n_ext,
          size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
	unsigned char *der = NULL, *out;
	int dl;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	/* 2025-01-01 .. 2026-01-01 */
	ASN1_TIME_set(X509_getm_notBefore(x), 1735689600);
	ASN1_TIME_set(X509_getm_notAfter(x), 1767225600);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"RATLS", -1, -1, 0);
	X509_NAME_add_entry_by_txt(
	        iss, "CN", MBSTRING_ASC,
	        (const unsigned char *)(signer != NULL ? "CA" : "RATLS"), -1,
	        -1, 0);
	X509_set_subject_name(x, subj);
	X509_set_issuer_name(x, iss);
	X509_set_pubkey(x, key);
	for (size_t i = 0; i < n_ext; i++) {
		ASN1_OBJECT *o = OBJ_txt2obj(exts[i].oid, 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		X509_EXTENSION *e;

		assert_non_null(o);
		ASN1_OCTET_STRING_set(os, exts[i].val, (int)exts[i].len);
		e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
		assert_non_null(e);
		assert_int_equal(X509_add_ext(x, e, -1), 1);
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(o);
	}
	assert_true(X509_sign(x, signer != NULL ? signer : key, EVP_sha256()) >
	            0);
	dl = i2d_X509(x, &der);
	assert_true(dl > 0);
	out = malloc((size_t)dl);
	memcpy(out, der, (size_t)dl);
	*len = (size_t)dl;
	OPENSSL_free(der);
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	X509_free(x);
	return out;
}

/* CBOR (RFC 8949) heads in preferred encoding. */
static size_t
head(uint8_t *p, uint8_t major, uint64_t arg)
{
	if (arg < 24) {
		p[0] = (uint8_t)(major << 5 | arg);
		return 1;
	}
	if (arg < 0x100) {
		p[0] = (uint8_t)(major << 5 | 24);
		p[1] = (uint8_t)arg;
		return 2;
	}
	if (arg < 0x10000) {
		p[0] = (uint8_t)(major << 5 | 25);
		p[1] = (uint8_t)(arg >> 8);
		p[2] = (uint8_t)arg;
		return 3;
	}
	p[0] = (uint8_t)(major << 5 | 26);
	for (int i = 0; i < 4; i++)
		p[1 + i] = (uint8_t)(arg >> (24 - 8 * i));
	return 5;
}

/* claims-buffer {"pubkey-hash": h'[ALG, h'HASH']'} (+ "nonce"). */
static size_t
claims(uint8_t *p, uint64_t alg, const uint8_t *hash, size_t hn,
       const char *nonce)
{
	uint8_t inner[80];
	size_t k = 0, n = 0;

	k += head(inner + k, 4, 2);
	k += head(inner + k, 0, alg);
	k += head(inner + k, 2, hn);
	memcpy(inner + k, hash, hn);
	k += hn;
	n += head(p + n, 5, nonce != NULL ? 2 : 1);
	n += head(p + n, 3, 11);
	memcpy(p + n, "pubkey-hash", 11);
	n += 11;
	n += head(p + n, 2, k);
	memcpy(p + n, inner, k);
	n += k;
	if (nonce != NULL) {
		n += head(p + n, 3, 5);
		memcpy(p + n, "nonce", 5);
		n += 5;
		n += head(p + n, 2, strlen(nonce));
		memcpy(p + n, nonce, strlen(nonce));
		n += strlen(nonce);
	}
	return n;
}

/* TAG([bstr QUOTE, bstr CLAIMS]) into a malloc'd buffer. */
static uint8_t *
dice(uint64_t tag, const uint8_t *quote, size_t qn, const uint8_t *cl,
     size_t cn, size_t *len)
{
	uint8_t *p = malloc(qn + cn + 32);
	size_t n = 0;

	n += head(p + n, 6, tag);
	n += head(p + n, 4, 2);
	n += head(p + n, 2, qn);
	memcpy(p + n, quote, qn);
	n += qn;
	n += head(p + n, 2, cn);
	memcpy(p + n, cl, cn);
	n += cn;
	*len = n;
	return p;
}

static void
spki_sha256(EVP_PKEY *k, uint8_t md[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);

	assert_true(n > 0);
	SHA256(der, (size_t)n, md);
	OPENSSL_free(der);
}

/* The real Gramine certificate's two quotes (copies). */
struct quotes {
	uint8_t *dice_quote, *legacy_quote, *dice_ext;
	size_t dice_len, legacy_len, dice_ext_len;
};

static void
quotes_load(struct quotes *q)
{
	size_t n;
	uint8_t *pem = tu_read_file(DIR "gramine_cert.pem", &n);
	struct ratls_cert c;
	char why[320];
	ASN1_OBJECT *o = OBJ_txt2obj(OID_LEGACY_GRAMINE, 1);
	int i;
	const ASN1_OCTET_STRING *os;

	assert_int_equal(ratls_cert_parse(pem, n, &c, why, sizeof(why)),
	                 TP_ERR_none);
	q->dice_len = c.quote_len;
	q->dice_quote = malloc(c.quote_len);
	memcpy(q->dice_quote, c.quote, c.quote_len);
	i = X509_get_ext_by_OBJ(c.x509, o, -1);
	assert_true(i >= 0);
	os = X509_EXTENSION_get_data(X509_get_ext(c.x509, i));
	q->legacy_len = (size_t)ASN1_STRING_length(os);
	q->legacy_quote = malloc(q->legacy_len);
	memcpy(q->legacy_quote, ASN1_STRING_get0_data(os), q->legacy_len);
	ASN1_OBJECT_free(o);
	o = OBJ_txt2obj(OID_DICE, 1);
	i = X509_get_ext_by_OBJ(c.x509, o, -1);
	os = X509_EXTENSION_get_data(X509_get_ext(c.x509, i));
	q->dice_ext_len = (size_t)ASN1_STRING_length(os);
	q->dice_ext = malloc(q->dice_ext_len);
	memcpy(q->dice_ext, ASN1_STRING_get0_data(os), q->dice_ext_len);
	ASN1_OBJECT_free(o);
	ratls_cert_free(&c);
	free(pem);
}

static void
quotes_free(struct quotes *q)
{
	free(q->dice_quote);
	free(q->legacy_quote);
	free(q->dice_ext);
}

/* ---- the real certificates ---- */

static void
test_gramine(void **state)
{
	struct verdict v;
	size_t n, dn;
	uint8_t *pem = tu_read_file(DIR "gramine_cert.pem", &n), *der;
	X509 *x;
	BIO *b;

	(void)state;
	assert_int_equal(provider_detect(pem, n), TP_PROVIDER_RA_TLS);
	/* Default policy: exactly what the data gives (PROVENANCE.md). */
	run(pem, n, false, NULL, &v);
	assert_false(verdict_valid(&v));
	assert_int_equal(v.provider, TP_PROVIDER_RA_TLS);
	assert_int_equal(json_array_size(v.errors), 2);
	assert_true(tu_has_error(&v, "tcb_out_of_date"));
	assert_true(tu_has_error(&v, "debug_not_allowed"));
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	verdict_free(&v);
	/* The overrides: valid, the key is the enclave's. */
	run(pem, n, true, NULL, &v);
	if (!verdict_valid(&v))
		print_verdict_errors(&v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	assert_string_equal(v.tcb_status, "OutOfDate");
	assert_string_equal(claim(&v, "tls_public_key_sha256"),
	                    GRAMINE_SPKI_SHA256);
	assert_string_equal(claim(&v, "ratls_format"), "interoperable");
	assert_string_equal(claim(&v, "fmspc"), "00606a000000");
	assert_true(check_passed(&v, "ratls_key_binding"));
	assert_true(check_passed(&v, "ratls_cert_signature"));
	verdict_free(&v);
	/* runtime_data cannot be bound: REPORTDATA holds the key's hash. */
	{
		struct verify_config cfg;
		struct verify_request req;
		char err[128];
		static const char rd[] = "{\"nonce\":\"x\"}";

		verify_config_defaults(&cfg);
		cfg.allow_debug = true;
		assert_true(dcap_policy_set(&cfg.dcap, "allow_out_of_date",
		                            "true", err, sizeof(err)));
		memset(&req, 0, sizeof(req));
		req.evidence = pem;
		req.evidence_len = n;
		req.runtime_data = (const uint8_t *)rd;
		req.runtime_data_len = sizeof(rd) - 1;
		req.artifacts = &coll;
		req.now = AT;
		req.cfg = &cfg;
		verify_run(&req, &v);
		assert_false(verdict_valid(&v));
		/* Only REPORTDATA[32:64] could bind it: Gramine's is zero. */
		assert_true(tu_has_error(&v, "binding_half_zero"));
		verdict_free(&v);
		verify_config_free(&cfg);
	}
	/* The same certificate as DER. */
	b = BIO_new_mem_buf(pem, (int)n);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	der = NULL;
	dn = (size_t)i2d_X509(x, &der);
	assert_int_equal(provider_detect(der, dn), TP_PROVIDER_RA_TLS);
	run(der, dn, true, NULL, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	free(pem);
}

static void
test_rats_tls_expired(void **state)
{
	struct verdict v;
	size_t n;
	uint8_t *pem = tu_read_file(DIR "rats_tls_cert.pem", &n);

	(void)state;
	run(pem, n, true, NULL, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_true(tu_has_error(&v, "ratls_cert_expired"));
	assert_true(check_passed(&v, "ratls_key_binding"));
	verdict_free(&v);
	free(pem);
}

static void
test_sgxsdk_no_collateral(void **state)
{
	struct verdict v;
	size_t n;
	uint8_t *pem = tu_read_file(DIR "intel_sgxsdk_cert.pem", &n);

	(void)state;
	run(pem, n, true, NULL, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_true(check_passed(&v, "ratls_key_binding"));
	assert_true(check_passed(&v, "ratls_cert_signature"));
	verdict_free(&v);
	free(pem);
}

/* ---- real quotes in certificates made here ---- */

/* The real interoperable evidence under a fresh key: the quote verifies,
 * the key is not the one it vouches for. */
static void
test_dice_other_key(void **state)
{
	struct quotes q;
	struct verdict v;
	EVP_PKEY *k = p256();
	struct ext e;
	size_t n;
	uint8_t *der;

	(void)state;
	quotes_load(&q);
	e = (struct ext){OID_DICE, q.dice_ext, q.dice_ext_len};
	der = make_cert(k, NULL, &e, 1, &n);
	run(der, n, true, NULL, &v);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_true(tu_has_error(&v, "ratls_key_binding_mismatch"));
	assert_true(check_passed(&v, "quote_signature"));
	verdict_free(&v);
	free(der);
	EVP_PKEY_free(k);
	quotes_free(&q);
}

/* Claims that name the fresh key: REPORTDATA no longer matches them. */
static void
test_dice_claims_not_quoted(void **state)
{
	struct quotes q;
	struct verdict v;
	EVP_PKEY *k = p256();
	uint8_t md[32], cl[128], *ev, *der;
	size_t cn, en, n;
	struct ext e;

	(void)state;
	quotes_load(&q);
	spki_sha256(k, md);
	cn = claims(cl, 1, md, 32, NULL);
	ev = dice(60000, q.dice_quote, q.dice_len, cl, cn, &en);
	e = (struct ext){OID_DICE, ev, en};
	der = make_cert(k, NULL, &e, 1, &n);
	run(der, n, true, NULL, &v);
	assert_false(verdict_valid(&v));
	assert_true(tu_has_error(&v, "ratls_key_binding_mismatch"));
	{
		char *errs = json_dumps(v.errors, 0);

		/* The REPORTDATA rule, not the pubkey-hash one, refused it. */
		assert_non_null(strstr(errs, "SHA-256(claims-buffer)"));
		free(errs);
	}
	verdict_free(&v);
	free(der);
	free(ev);
	EVP_PKEY_free(k);
	quotes_free(&q);
}

/* Gramine's legacy OID, in its own encoding and the proper one: the
 * raw quote is found and verified; the fresh key is not bound. */
static void
test_legacy(void **state)
{
	const char *oids[] = {OID_LEGACY_GRAMINE, OID_LEGACY};
	struct quotes q;

	(void)state;
	quotes_load(&q);
	for (size_t i = 0; i < 2; i++) {
		EVP_PKEY *k = p256();
		struct ext e = {oids[i], q.legacy_quote, q.legacy_len};
		struct verdict v;
		size_t n;
		uint8_t *der = make_cert(k, NULL, &e, 1, &n);

		assert_int_equal(provider_detect(der, n), TP_PROVIDER_RA_TLS);
		run(der, n, true, NULL, &v);
		assert_string_equal(claim(&v, "ratls_format"),
		                    "gramine-legacy");
		assert_true(check_passed(&v, "quote_signature"));
		assert_true(tu_has_error(&v, "ratls_key_binding_mismatch"));
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		free(der);
		EVP_PKEY_free(k);
	}
	quotes_free(&q);
}

/* A real TDX quote (tests/data/tdx/dcapqvl_v4_uptodate, valid at
 * 2025-07-19T10:00:34Z with its collateral) in an interoperable
 * certificate made here, with a nonce claim: verified as IntelTdx
 * (UpToDate, the TD's claims), the binding refused (its REPORTDATA is not
 * SHA-256 of these claims), and the nonce reported. */
static void
test_tdx_quote(void **state)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;
	struct verdict v;
	EVP_PKEY *k = p256();
	uint8_t md[32], cl[160], *quote, *ev, *der;
	size_t qn, cn, en, n;
	json_t *coll_json;
	struct ext e;

	(void)state;
	quote = tu_read_file("tests/data/tdx/dcapqvl_v4_uptodate/quote.bin",
	                     &qn);
	coll_json = json_load_file(
	        "tests/data/tdx/dcapqvl_v4_uptodate/collateral.json", 0, NULL);
	assert_non_null(coll_json);
	spki_sha256(k, md);
	cn = claims(cl, 1, md, 32, "fresh-nonce");
	ev = dice(60000, quote, qn, cl, cn, &en);
	e = (struct ext){OID_DICE, ev, en};
	der = make_cert(k, NULL, &e, 1, &n);
	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	load_json(TP_PROVIDER_RA_TLS, coll_json, &set);
	memset(&req, 0, sizeof(req));
	req.evidence = der;
	req.evidence_len = n;
	req.artifacts = &set;
	req.now = 1752919234;
	req.cfg = &cfg;
	verify_run(&req, &v);
	assert_int_equal(v.provider, TP_PROVIDER_RA_TLS);
	assert_string_equal(v.tcb_status, "UpToDate");
	assert_true(check_passed(&v, "quote_signature"));
	assert_true(check_passed(&v, "ratls_cert_signature"));
	assert_string_equal(
	        claim(&v, "mrtd"),
	        "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a6"
	        "04a407de03ae6dc5f87f27428b2538873118b7");
	assert_string_equal(claim(&v, "ratls_nonce"),
	                    "66726573682d6e6f6e6365"); /* "fresh-nonce" */
	assert_true(tu_has_error(&v, "ratls_key_binding_mismatch"));
	assert_int_equal(json_array_size(v.errors), 1);
	assert_false(verdict_valid(&v));
	assert_false(v.hardware_verified);
	verdict_free(&v);
	verify_config_free(&cfg);
	artifact_set_clear(&set);
	json_decref(coll_json);
	free(der);
	free(ev);
	free(quote);
	EVP_PKEY_free(k);
}

/* The legacy quote as it is now, in a certificate of K: verified. */
struct flip_quote {
	struct quotes *q;
	EVP_PKEY *k;
};

static void
flip_quote_run(void *ctx, struct verdict *v)
{
	struct flip_quote *f = ctx;
	struct ext e = {OID_LEGACY, f->q->legacy_quote, f->q->legacy_len};
	size_t n;
	uint8_t *der = make_cert(f->k, NULL, &e, 1, &n);

	run(der, n, true, NULL, v);
	free(der);
}

/* Every byte of the quote's signed part (header + SGX report body),
 * flipped inside a certificate: never valid. */
static void
test_flip_quote(void **state)
{
	struct quotes q;
	EVP_PKEY *k = p256();

	(void)state;
	quotes_load(&q);
	{
		struct flip_quote f = {&q, k};

		tu_flip_each(q.legacy_quote, 0, 48 + 384, 1, flip_quote_run, &f,
		             true, "quote");
	}
	EVP_PKEY_free(k);
	quotes_free(&q);
}

/* The certificate's DER as it is now: verified. */
struct flip_cert {
	const uint8_t *der;
	size_t n;
};

static void
flip_cert_run(void *ctx, struct verdict *v)
{
	const struct flip_cert *f = ctx;

	run(f->der, f->n, true, NULL, v);
}

/* Bytes of the real certificate flipped (TBS and signature). */
static void
test_flip_cert(void **state)
{
	size_t n;
	uint8_t *pem = tu_read_file(DIR "gramine_cert.pem", &n), *der = NULL;
	BIO *b = BIO_new_mem_buf(pem, (int)n);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	int dn = i2d_X509(x, &der);

	(void)state;
	{
		struct flip_cert f = {der, (size_t)dn};

		tu_flip_each(der, 0, (size_t)dn, 7, flip_cert_run, &f, false,
		             "certificate");
	}
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	free(pem);
}

/* ---- hostile shapes: the parser's codes ---- */

static enum tp_err
parse_code(const uint8_t *buf, size_t len)
{
	struct ratls_cert c;
	char why[320];
	enum tp_err rc = ratls_cert_parse(buf, len, &c, why, sizeof(why));

	ratls_cert_free(&c);
	return rc;
}

static enum tp_err
ext_code(const char *oid, const uint8_t *val, size_t len)
{
	EVP_PKEY *k = p256();
	struct ext e = {oid, val, len};
	size_t n;
	uint8_t *der = make_cert(k, NULL, &e, 1, &n);
	enum tp_err rc = parse_code(der, n);

	free(der);
	EVP_PKEY_free(k);
	return rc;
}

static void
test_hostile(void **state)
{
	struct quotes q;
	uint8_t md[32] = {0}, cl[128], *ev, huge[16], *der;
	size_t cn, en, n;
	EVP_PKEY *k;

	(void)state;
	quotes_load(&q);
	/* Wrong OID (a sibling of the DICE one): no evidence. */
	assert_int_equal(ext_code("2.23.133.5.4.8", q.dice_ext, q.dice_ext_len),
	                 TP_ERR_ratls_extension_missing);
	/* Truncated CBOR, at several points. */
	for (size_t cut = 1; cut < q.dice_ext_len; cut += 331)
		assert_int_equal(ext_code(OID_DICE, q.dice_ext, cut),
		                 TP_ERR_ratls_extension_malformed);
	/* Trailing bytes after the CBOR item. */
	ev = malloc(q.dice_ext_len + 1);
	memcpy(ev, q.dice_ext, q.dice_ext_len);
	ev[q.dice_ext_len] = 0;
	assert_int_equal(ext_code(OID_DICE, ev, q.dice_ext_len + 1),
	                 TP_ERR_ratls_extension_malformed);
	free(ev);
	/* Huge declared lengths: a bstr of 2^32-1 bytes, an array of 2^32-1
	 * items. */
	n = 0;
	n += head(huge + n, 6, 60000);
	n += head(huge + n, 4, 2);
	n += head(huge + n, 2, 0xffffffffu);
	assert_int_equal(ext_code(OID_DICE, huge, n),
	                 TP_ERR_ratls_extension_malformed);
	n = 0;
	n += head(huge + n, 6, 60000);
	n += head(huge + n, 4, 0xffffffffu);
	assert_int_equal(ext_code(OID_DICE, huge, n),
	                 TP_ERR_ratls_extension_malformed);
	/* Local reports (60001, 60002) and an unknown tag. */
	cn = claims(cl, 1, md, 32, NULL);
	for (uint64_t tag = 60001; tag <= 60003; tag++) {
		ev = dice(tag, q.dice_quote, q.dice_len, cl, cn, &en);
		assert_int_equal(ext_code(OID_DICE, ev, en),
		                 TP_ERR_ratls_evidence_unsupported);
		free(ev);
	}
	/* An unknown hash algorithm; a hash of the wrong size. */
	cn = claims(cl, 99, md, 32, NULL);
	ev = dice(60000, q.dice_quote, q.dice_len, cl, cn, &en);
	assert_int_equal(ext_code(OID_DICE, ev, en),
	                 TP_ERR_ratls_evidence_unsupported);
	free(ev);
	cn = claims(cl, 7, md, 32, NULL); /* sha-384 wants 48 bytes */
	ev = dice(60000, q.dice_quote, q.dice_len, cl, cn, &en);
	assert_int_equal(ext_code(OID_DICE, ev, en),
	                 TP_ERR_ratls_extension_malformed);
	free(ev);
	/* No pubkey-hash claim: an empty map. */
	cl[0] = 0xa0;
	ev = dice(60000, q.dice_quote, q.dice_len, cl, 1, &en);
	assert_int_equal(ext_code(OID_DICE, ev, en),
	                 TP_ERR_ratls_extension_malformed);
	free(ev);
	/* The extension twice. */
	k = p256();
	{
		struct ext two[2] = {{OID_DICE, q.dice_ext, q.dice_ext_len},
		                     {OID_DICE, q.dice_ext, q.dice_ext_len}};

		der = make_cert(k, NULL, two, 2, &n);
		assert_int_equal(parse_code(der, n),
		                 TP_ERR_ratls_extension_malformed);
		free(der);
	}
	{
		struct ext one = {OID_DICE, q.dice_ext, q.dice_ext_len};
		uint8_t *d2;

		der = make_cert(k, NULL, &one, 1, &n);
		/* Trailing bytes after the DER certificate. */
		d2 = malloc(n + 1);
		memcpy(d2, der, n);
		d2[n] = 0x00;
		assert_int_equal(parse_code(d2, n + 1),
		                 TP_ERR_ratls_cert_malformed);
		/* Cut short. */
		assert_int_equal(parse_code(der, n - 1),
		                 TP_ERR_ratls_cert_malformed);
		free(d2);
		free(der);
	}
	/* No extension at all. */
	der = make_cert(k, NULL, NULL, 0, &n);
	assert_int_equal(parse_code(der, n), TP_ERR_ratls_extension_missing);
	free(der);
	/* dstack's RA-TLS (a TDX attestation under 1.3.6.1.4.1.62397.1.8,
	 * or a raw quote under .1.1): named and refused, never read. A
	 * look-alike arc (62398) is just no evidence. */
	{
		static const uint8_t body[] = {0x00, 0x00, 0x04, 0x00};
		const struct ext ds[] = {
		        {"1.3.6.1.4.1.62397.1.8", body, sizeof(body)},
		        {"1.3.6.1.4.1.62397.1.1", body, sizeof(body)},
		        {"1.3.6.1.4.1.62398.1.8", body, sizeof(body)},
		};
		for (size_t i = 0; i < 3; i++) {
			der = make_cert(k, NULL, &ds[i], 1, &n);
			assert_int_equal(
			        parse_code(der, n),
			        i < 2 ? TP_ERR_ratls_evidence_unsupported
			              : TP_ERR_ratls_extension_missing);
			free(der);
		}
	}
	EVP_PKEY_free(k);
	quotes_free(&q);
}

/* Two certificates in one PEM; not a certificate at all. */
static void
test_hostile_pem(void **state)
{
	size_t n;
	uint8_t *pem = tu_read_file(DIR "gramine_cert.pem", &n);
	uint8_t *two = malloc(2 * n);

	(void)state;
	memcpy(two, pem, n);
	memcpy(two + n, pem, n);
	assert_int_equal(parse_code(two, 2 * n), TP_ERR_ratls_cert_malformed);
	{
		static const char bad[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
		                          "-----END CERTIFICATE-----\n";

		assert_int_equal(
		        parse_code((const uint8_t *)bad, sizeof(bad) - 1),
		        TP_ERR_ratls_cert_malformed);
	}
	assert_int_equal(parse_code((const uint8_t *)"\x30\x03\x02\x01\x00", 5),
	                 TP_ERR_ratls_cert_malformed);
	free(two);
	free(pem);
}

/* A certificate signed by another key than its own: whoever holds that
 * key, not the enclave, made it. */
static void
test_ca_signed(void **state)
{
	struct quotes q;
	struct verdict v;
	EVP_PKEY *k = p256(), *ca = p256();
	struct ext e;
	size_t n;
	uint8_t *der;

	(void)state;
	quotes_load(&q);
	e = (struct ext){OID_DICE, q.dice_ext, q.dice_ext_len};
	der = make_cert(k, ca, &e, 1, &n);
	run(der, n, true, NULL, &v);
	assert_false(verdict_valid(&v));
	assert_true(tu_has_error(&v, "ratls_cert_signature_invalid"));
	verdict_free(&v);
	free(der);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ca);
	quotes_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_gramine),
	        cmocka_unit_test(test_rats_tls_expired),
	        cmocka_unit_test(test_sgxsdk_no_collateral),
	        cmocka_unit_test(test_dice_other_key),
	        cmocka_unit_test(test_dice_claims_not_quoted),
	        cmocka_unit_test(test_legacy),
	        cmocka_unit_test(test_tdx_quote),
	        cmocka_unit_test(test_flip_quote),
	        cmocka_unit_test(test_flip_cert),
	        cmocka_unit_test(test_hostile),
	        cmocka_unit_test(test_hostile_pem),
	        cmocka_unit_test(test_ca_signed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
