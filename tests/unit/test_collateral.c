/*
 * The collateral service's artifact checks (collateral/artifact.c) on the
 * real collateral of tests/data (windows and FMSPCs as the vectors'
 * collateral states them, tests/data/tdx/PROVENANCE.md) and hostile
 * variants: tampered bytes, truncation at every offset, wrong key,
 * missing or wrong issuer chain, outside the window, look-alike VCEK.
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
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "collateral/collateral.h"
#include "collateral/service.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"
#include "verify/intel/dcap_quote.h"
#include "verify/core/x509.h"
#include "common/codec.h"
#include "config/config.h"
#include "common/tptime.h"

#define TDX "tests/data/tdx/dcapqvl_v4_uptodate/collateral.json"
#define SGX "tests/data/sgx/dcapqvl_v3_processor_ca/collateral.json"
#define AT  "2025-07-10T00:00:00Z"

static int64_t
at(const char *s)
{
	int64_t t = 0;
	assert_true(tptime_parse(s, &t));
	return t;
}

static json_t *
load(const char *path)
{
	json_t *j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	return j;
}

/* A row of KIND with BODY (copied) and CHAIN (copied or NULL). */
static void
row(struct db_collateral_row *r, const char *kind, const char *key,
    const void *body, size_t len, const char *chain)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->body = malloc(len + 1);
	assert_non_null(r->body);
	memcpy(r->body, body, len);
	r->body_len = len;
	r->issuer_chain = chain != NULL ? strdup(chain) : NULL;
}

/* The PCS body of the sample's TCB Info. */
static char *
tcb_body(json_t *c)
{
	char *b = NULL;
	assert_true(asprintf(&b, "{\"tcbInfo\":%s,\"signature\":\"%s\"}",
	                     json_string_value(json_object_get(c, "tcb_info")),
	                     json_string_value(json_object_get(
	                             c, "tcb_info_signature"))) > 0);
	return b;
}

static const char *
fmspc(json_t *c, char out[13])
{
	json_t *t = json_loads(
	        json_string_value(json_object_get(c, "tcb_info")), 0, NULL);
	assert_non_null(t);
	snprintf(out, 13, "%s", json_string_value(json_object_get(t, "fmspc")));
	for (char *p = out; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	json_decref(t);
	return out;
}

static void
test_tcb_info_real(void **state)
{
	json_t *c = load(TDX);
	char *body = tcb_body(c), key[32], f[13], why[256];
	const char *chain =
	        json_string_value(json_object_get(c, "tcb_info_issuer_chain"));
	struct db_collateral_row r;
	bool stale = true;

	(void)state;
	/* Key derived from the content (imports). */
	row(&r, "intel_tcb_info", "", body, strlen(body), chain);
	assert_true(coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)));
	snprintf(key, sizeof(key), "tdx/%s", fmspc(c, f));
	assert_string_equal(r.key, key);
	/* The window the sample's tcbInfo states. */
	assert_int_equal(r.issue_date, at("2025-06-19T10:16:03Z"));
	assert_int_equal(r.next_update, at("2025-07-19T10:16:03Z"));
	assert_int_equal(strlen(r.sha256), 64);
	db_collateral_row_clear(&r);

	/* Asked for another FMSPC or TEE: refused. */
	row(&r, "intel_tcb_info", "sgx/000000000000", body, strlen(body),
	    chain);
	assert_false(coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)));
	assert_false(stale);
	db_collateral_row_clear(&r);

	/* Outside the window: authentic but stale. */
	row(&r, "intel_tcb_info", key, body, strlen(body), chain);
	assert_false(coll_artifact_check(&r, at("2025-07-19T10:16:03Z"), &stale,
	                                 why, sizeof(why)));
	assert_true(stale);
	/* Still named by its digest: the cache stores stale imports and
	 * refuses a row without one (the CHECK of collateral_cache). */
	assert_int_equal(strlen(r.sha256), 64);
	assert_int_equal(r.next_update, at("2025-07-19T10:16:03Z"));
	db_collateral_row_clear(&r);

	/* No issuer chain, or the PCK CRL's chain (another signer). */
	row(&r, "intel_tcb_info", key, body, strlen(body), NULL);
	assert_false(coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)));
	db_collateral_row_clear(&r);
	row(&r, "intel_tcb_info", key, body, strlen(body),
	    json_string_value(json_object_get(c, "pck_crl_issuer_chain")));
	assert_false(coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)));
	assert_false(stale);
	db_collateral_row_clear(&r);
	free(body);
	json_decref(c);
}

/* Every byte of the signed tcbInfo flipped: never accepted. */
static void
test_tcb_info_flips(void **state)
{
	json_t *c = load(TDX);
	char *body = tcb_body(c), why[256];
	const char *chain =
	        json_string_value(json_object_get(c, "tcb_info_issuer_chain"));
	size_t n = strlen(body);
	struct db_collateral_row r;
	bool stale;

	(void)state;
	for (size_t i = 0; i < n; i += 7) {
		char saved = body[i];
		body[i] = (char)(body[i] ^ 0x01);
		row(&r, "intel_tcb_info", "", body, n, chain);
		assert_false(coll_artifact_check(&r, at(AT), &stale, why,
		                                 sizeof(why)));
		db_collateral_row_clear(&r);
		body[i] = saved;
	}
	/* Truncated at every offset: refused, never a crash. */
	for (size_t i = 0; i < n; i++) {
		row(&r, "intel_tcb_info", "", body, i == 0 ? 1 : i, chain);
		assert_false(coll_artifact_check(&r, at(AT), &stale, why,
		                                 sizeof(why)));
		db_collateral_row_clear(&r);
	}
	free(body);
	json_decref(c);
}

static void
test_qe_identity_real(void **state)
{
	json_t *c = load(SGX);
	char *body = NULL, why[256];
	struct db_collateral_row r;
	bool stale;

	(void)state;
	assert_true(
	        asprintf(&body, "{\"enclaveIdentity\":%s,\"signature\":\"%s\"}",
	                 json_string_value(json_object_get(c, "qe_identity")),
	                 json_string_value(json_object_get(
	                         c, "qe_identity_signature"))) > 0);
	row(&r, "intel_qe_identity", "sgx", body, strlen(body),
	    json_string_value(json_object_get(c, "qe_identity_issuer_chain")));
	assert_true(coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)));
	assert_int_equal(r.next_update, at("2025-07-19T10:01:18Z"));
	db_collateral_row_clear(&r);
	row(&r, "intel_qe_identity", "tdx", body, strlen(body),
	    json_string_value(json_object_get(c, "qe_identity_issuer_chain")));
	assert_false(coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)));
	db_collateral_row_clear(&r);
	free(body);
	json_decref(c);
}

static void
crl(const char *path, const char *item, const char *chain_item,
    const char *want_key, bool ok)
{
	json_t *c = load(path);
	const char *hex = json_string_value(json_object_get(c, item));
	uint8_t *der = NULL;
	size_t n = 0;
	struct db_collateral_row r;
	bool stale;
	char why[256];

	assert_true(codec_hex_decode(hex, strlen(hex), &der, &n));
	row(&r, item[0] == 'p' ? "intel_pck_crl" : "intel_root_ca_crl", "", der,
	    n,
	    chain_item != NULL
	            ? json_string_value(json_object_get(c, chain_item))
	            : NULL);
	assert_int_equal(
	        coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)), ok);
	if (ok)
		assert_string_equal(r.key, want_key);
	db_collateral_row_clear(&r);
	/* One flipped byte in the signed part: refused. */
	der[n / 2] ^= 1;
	row(&r, item[0] == 'p' ? "intel_pck_crl" : "intel_root_ca_crl", "", der,
	    n,
	    chain_item != NULL
	            ? json_string_value(json_object_get(c, chain_item))
	            : NULL);
	assert_false(coll_artifact_check(&r, at(AT), &stale, why, sizeof(why)));
	db_collateral_row_clear(&r);
	free(der);
	json_decref(c);
}

static void
test_crls(void **state)
{
	(void)state;
	crl(TDX, "pck_crl", "pck_crl_issuer_chain", "platform", true);
	crl(SGX, "pck_crl", "pck_crl_issuer_chain", "processor", true);
	crl(TDX, "root_ca_crl", NULL, "root", true);
	/* A PCK CRL with the TCB signing chain: not its issuer. */
	crl(TDX, "pck_crl", "tcb_info_issuer_chain", NULL, false);
}

static uint8_t *
file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 16);
	assert_non_null(f);
	*len = fread(b, 1, 1 << 16, f);
	fclose(f);
	return b;
}

static void
test_vcek(void **state)
{
	size_t n, rn;
	uint8_t *der = file("tests/data/snp/teep_tinfoil_genoa_v3_20260629/"
	                    "vcek.der",
	                    &n);
	uint8_t *rep = file("tests/data/snp/teep_tinfoil_genoa_v3_20260629/"
	                    "report.bin",
	                    &rn);
	struct db_collateral_row r;
	char hwid[129], prefix[160], why[256];
	bool stale;
	EVP_PKEY *k = NULL;
	X509 *x;

	(void)state;
	/* The report's CHIP_ID (offset 0x1A0) is the VCEK's hwid. */
	codec_hex_encode_to(rep + 0x1a0, 64, hwid);
	snprintf(prefix, sizeof(prefix), "Genoa/%s/", hwid);
	row(&r, "amd_vcek", "", der, n, NULL);
	assert_true(coll_artifact_check(&r, at("2026-07-01T00:00:00Z"), &stale,
	                                why, sizeof(why)));
	assert_memory_equal(r.key, prefix, strlen(prefix));
	db_collateral_row_clear(&r);
	/* Before notBefore (2026-06-28T02:12:47Z): stale. */
	row(&r, "amd_vcek", "", der, n, NULL);
	assert_false(coll_artifact_check(&r, at("2026-06-01T00:00:00Z"), &stale,
	                                 why, sizeof(why)));
	assert_true(stale);
	db_collateral_row_clear(&r);
	/* Look-alike: the same certificate re-signed by another key. */
	x = d2i_X509(NULL, &(const unsigned char *){der}, (long)n);
	assert_non_null(x);
	k = EVP_EC_gen("P-384");
	assert_non_null(k);
	assert_true(X509_sign(x, k, EVP_sha384()) > 0);
	{
		unsigned char *out = NULL;
		int len = i2d_X509(x, &out);
		assert_true(len > 0);
		row(&r, "amd_vcek", "", out, (size_t)len, NULL);
		assert_false(coll_artifact_check(&r, at("2026-07-01T00:00:00Z"),
		                                 &stale, why, sizeof(why)));
		assert_false(stale);
		db_collateral_row_clear(&r);
		OPENSSL_free(out);
	}
	X509_free(x);
	EVP_PKEY_free(k);
	free(der);
	free(rep);
}

/* The KDS cert_chain of each product is the ASK then the ARK of
 * config/trust/ask_ark_<product>.pem. Milan (openssl x509 -noout -dates):
 * ASK 2020-10-22T18:24:20Z..2045-10-22T18:24:20Z, ARK
 * 2020-10-22T17:23:05Z..2045-10-22T17:23:05Z. */
#define MILAN_CHAIN "config/trust/ask_ark_milan.pem"
#define GENOA_CHAIN "config/trust/ask_ark_genoa.pem"
#define AMD_T       "2026-07-01T00:00:00Z"

static bool
chain_ok(const void *body, size_t len, const char *key,
         struct db_collateral_row *keep)
{
	struct db_collateral_row r;
	bool stale, ok;
	char why[256];

	row(&r, "amd_cert_chain", key, body, len, NULL);
	ok = coll_artifact_check(&r, at(AMD_T), &stale, why, sizeof(why));
	if (keep != NULL)
		*keep = r;
	else
		db_collateral_row_clear(&r);
	return ok;
}

static char *
pem_of(X509 *a, X509 *b)
{
	BIO *m = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	assert_non_null(m);
	assert_true(PEM_write_bio_X509(m, a) == 1);
	assert_true(PEM_write_bio_X509(m, b) == 1);
	n = BIO_get_mem_data(m, &p);
	out = strndup(p, (size_t)n);
	BIO_free(m);
	return out;
}

static void
test_amd_cert_chain(void **state)
{
	size_t n, gn;
	uint8_t *milan = file(MILAN_CHAIN, &n);
	uint8_t *genoa = file(GENOA_CHAIN, &gn);
	STACK_OF(X509) *sk = x509_parse_pem_chain(milan, n);
	struct db_collateral_row r;
	EVP_PKEY *k;
	X509 *fake;
	char *pem;

	(void)state;
	assert_true(chain_ok(milan, n, "Milan", &r));
	assert_int_equal(r.issue_date, at("2020-10-22T18:24:20Z"));
	assert_int_equal(r.next_update, at("2045-10-22T17:23:05Z"));
	db_collateral_row_clear(&r);
	/* An import names the product from the pinned ARK it carries. */
	assert_true(chain_ok(genoa, gn, "", &r));
	assert_string_equal(r.key, "Genoa");
	db_collateral_row_clear(&r);
	/* Genuine, but another product's. */
	assert_false(chain_ok(genoa, gn, "Milan", NULL));
	/* Truncated: one certificate only. */
	assert_false(chain_ok(milan, n / 2, "Milan", NULL));
	/* ARK then ASK. */
	assert_non_null(sk);
	pem = pem_of(sk_X509_value(sk, 1), sk_X509_value(sk, 0));
	assert_false(chain_ok(pem, strlen(pem), "Milan", NULL));
	free(pem);
	/* A look-alike ARK: the same certificate self-signed by another
	 * key (same names, same extensions). */
	fake = X509_dup(sk_X509_value(sk, 1));
	k = EVP_RSA_gen(2048);
	assert_non_null(k);
	assert_true(X509_set_pubkey(fake, k) == 1);
	assert_true(X509_sign(fake, k, EVP_sha384()) > 0);
	pem = pem_of(sk_X509_value(sk, 0), fake);
	assert_false(chain_ok(pem, strlen(pem), "Milan", NULL));
	assert_false(chain_ok(pem, strlen(pem), "", NULL));
	free(pem);
	X509_free(fake);
	EVP_PKEY_free(k);
	sk_X509_pop_free(sk, X509_free);
	free(milan);
	free(genoa);
}

/* No real AMD CRL is available offline: a CRL with the ARK-Milan's
 * issuer name signed by a look-alike key must be refused, whatever the
 * key; and a malformed body too. */
static void
test_amd_crl_lookalike(void **state)
{
	size_t n;
	uint8_t *milan = file(MILAN_CHAIN, &n);
	STACK_OF(X509) *sk = x509_parse_pem_chain(milan, n);
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t0 = ASN1_TIME_set(NULL, (time_t)at(AMD_T) - 86400);
	ASN1_TIME *t1 = ASN1_TIME_set(NULL, (time_t)at(AMD_T) + 86400);
	EVP_PKEY *k = EVP_RSA_gen(2048);
	unsigned char *der = NULL;
	struct db_collateral_row r;
	const char *keys[] = {"Milan", ""};
	bool stale;
	char why[256];
	int len;

	(void)state;
	assert_non_null(sk);
	assert_non_null(crl);
	assert_non_null(k);
	assert_true(X509_CRL_set_version(crl, 1) == 1);
	assert_true(X509_CRL_set_issuer_name(
	                    crl, X509_get_subject_name(sk_X509_value(sk, 1))) ==
	            1);
	assert_true(X509_CRL_set1_lastUpdate(crl, t0) == 1);
	assert_true(X509_CRL_set1_nextUpdate(crl, t1) == 1);
	assert_true(X509_CRL_sign(crl, k, EVP_sha384()) > 0);
	len = i2d_X509_CRL(crl, &der);
	assert_true(len > 0);
	for (size_t i = 0; i < 2; i++) {
		row(&r, "amd_crl", keys[i], der, (size_t)len, NULL);
		assert_false(coll_artifact_check(&r, at(AMD_T), &stale, why,
		                                 sizeof(why)));
		assert_false(stale);
		assert_non_null(strstr(why, "not signed by the pinned ARK"));
		db_collateral_row_clear(&r);
	}
	row(&r, "amd_crl", "Milan", der, (size_t)len / 2, NULL);
	assert_false(
	        coll_artifact_check(&r, at(AMD_T), &stale, why, sizeof(why)));
	db_collateral_row_clear(&r);
	OPENSSL_free(der);
	ASN1_TIME_free(t0);
	ASN1_TIME_free(t1);
	EVP_PKEY_free(k);
	X509_CRL_free(crl);
	sk_X509_pop_free(sk, X509_free);
	free(milan);
}

/* The NRAS key set saved beside the Tinfoil H100 token: 32 EC P-384
 * keys, each x5c leaf valid for two days; the earliest notAfter is
 * keys[3]'s, 2026-06-29T04:58:02Z, the latest notBefore keys[1]'s,
 * 2026-06-28T21:04:56Z (openssl x509 -noout -dates on each leaf). */
#define NRAS_JWKS                                                              \
	"tests/data/nvidia/teep_tinfoil_h100_nras_20260629/nras_jwks.json"
#define NRAS_T 1782700000 /* 2026-06-29T02:26:40Z, the token's time */

static uint8_t *
whole_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* coll_artifact_check of a JWKS body at T; the row is cleared. */
static bool
jwks_ok(const void *body, size_t len, const char *key, int64_t t,
        struct db_collateral_row *keep)
{
	struct db_collateral_row r;
	bool stale, ok;
	char why[256];

	row(&r, "nvidia_nras_jwks", key, body, len, NULL);
	ok = coll_artifact_check(&r, t, &stale, why, sizeof(why));
	if (keep != NULL)
		*keep = r;
	else
		db_collateral_row_clear(&r);
	return ok;
}

/* The real set, edited by EDIT (on keys), checked at NRAS_T. */
static bool
jwks_edited(void (*edit)(json_t *keys))
{
	json_t *j = json_load_file(NRAS_JWKS, 0, NULL);
	char *s;
	bool ok;

	assert_non_null(j);
	edit(json_object_get(j, "keys"));
	s = json_dumps(j, JSON_COMPACT);
	assert_non_null(s);
	ok = jwks_ok(s, strlen(s), "", NRAS_T, NULL);
	free(s);
	json_decref(j);
	return ok;
}

static void
edit_none(json_t *keys)
{
	(void)keys;
}

static void
edit_rsa(json_t *keys)
{
	json_object_set_new(json_array_get(keys, 5), "kty", json_string("RSA"));
}

static void
edit_p256(json_t *keys)
{
	json_object_set_new(json_array_get(keys, 0), "crv",
	                    json_string("P-256"));
}

static void
edit_no_kid(json_t *keys)
{
	json_object_del(json_array_get(keys, 7), "kid");
}

static void
edit_dup_kid(json_t *keys)
{
	json_array_append(keys, json_array_get(keys, 2));
}

/* keys[0] keeps its kid and x5c but takes keys[1]'s point. */
static void
edit_swap_point(json_t *keys)
{
	json_t *a = json_array_get(keys, 0), *b = json_array_get(keys, 1);

	json_object_set(a, "x", json_object_get(b, "x"));
	json_object_set(a, "y", json_object_get(b, "y"));
}

static void
edit_short_x(json_t *keys)
{
	json_object_set_new(json_array_get(keys, 4), "x", json_string("AAAA"));
}

static void
edit_bad_x5c(json_t *keys)
{
	json_t *x5c = json_object_get(json_array_get(keys, 9), "x5c");

	json_array_set_new(x5c, 0, json_string("MIIBAAAA"));
}

static void
edit_empty(json_t *keys)
{
	json_array_clear(keys);
}

static void
test_nras_jwks(void **state)
{
	size_t n;
	uint8_t *b = whole_file(NRAS_JWKS, &n), md[32];
	struct db_collateral_row r;
	char hex[65];
	static const char *const hostile[] = {"",
	                                      "not json",
	                                      "[]",
	                                      "{}",
	                                      "{\"keys\":{}}",
	                                      "{\"keys\":[],\"x\":1}",
	                                      "{\"keys\":[1]}"};

	(void)state;
	/* The key comes from the kind; an hour of life from the
	 * verification time, every leaf outliving it. */
	assert_true(jwks_ok(b, n, "", NRAS_T, &r));
	assert_string_equal(r.key, "nras");
	assert_int_equal(r.issue_date, NRAS_T);
	assert_int_equal(r.next_update, NRAS_T + 3600);
	SHA256(b, n, md);
	codec_hex_encode_to(md, 32, hex);
	assert_string_equal(r.sha256, hex);
	db_collateral_row_clear(&r);
	/* Half an hour before the first leaf expires: lives until then. */
	assert_true(jwks_ok(b, n, "nras", at("2026-06-29T04:28:02Z"), &r));
	assert_int_equal(r.next_update, at("2026-06-29T04:58:02Z"));
	db_collateral_row_clear(&r);
	/* A leaf expired, or one not yet valid: refused. */
	assert_false(jwks_ok(b, n, "nras", at("2026-06-29T04:58:02Z"), NULL));
	assert_false(jwks_ok(b, n, "nras", at("2026-06-28T21:04:55Z"), NULL));
	assert_true(jwks_ok(b, n, "nras", at("2026-06-28T21:04:56Z"), NULL));
	/* Asked under another key. */
	assert_false(jwks_ok(b, n, "other", NRAS_T, NULL));
	/* Truncated (before its final byte, which may be a newline): never
	 * JSON of the right shape. */
	for (size_t k = 0; k + 1 < n; k += 61)
		assert_false(jwks_ok(b, k, "", NRAS_T, NULL));
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		assert_false(jwks_ok(hostile[i], strlen(hostile[i]), "", NRAS_T,
		                     NULL));
	/* Edited keys: the control passes, each edit is refused. */
	assert_true(jwks_edited(edit_none));
	assert_false(jwks_edited(edit_rsa));
	assert_false(jwks_edited(edit_p256));
	assert_false(jwks_edited(edit_no_kid));
	assert_false(jwks_edited(edit_dup_kid));
	assert_false(jwks_edited(edit_swap_point));
	assert_false(jwks_edited(edit_short_x));
	assert_false(jwks_edited(edit_bad_x5c));
	assert_false(jwks_edited(edit_empty));
	free(b);
}

/* The forecast's shortfall against a level built from the quote's own
 * SVNs: none at equality; each raised component named with have/need. */
static void
test_shortfall(void **state)
{
	size_t n;
	uint8_t *buf = file("tests/data/tdx/dcapqvl_v4_uptodate/quote.bin", &n);
	struct dcap_quote q;
	struct dcap_pck_ext ext;
	struct dcap_tcb_level lv;
	STACK_OF(X509) * chain;
	char why[160];
	json_t *a;

	(void)state;
	assert_int_equal(dcap_quote_parse(buf, n, &q, why, sizeof(why)),
	                 TP_ERR_none);
	chain = x509_parse_pem_chain(q.cert_data, q.cert_len);
	assert_non_null(chain);
	assert_true(dcap_pck_ext_parse(sk_X509_value(chain, 0), &ext, why,
	                               sizeof(why)));
	memset(&lv, 0, sizeof(lv));
	memcpy(lv.sgx, ext.comp_svn, 16);
	lv.pcesvn = ext.pcesvn;
	memcpy(lv.tdx, q.td.tee_tcb_svn, 16);
	a = coll_forecast_shortfall(&q, &ext, &lv);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);

	lv.sgx[2] = (uint8_t)(ext.comp_svn[2] + 1);
	lv.pcesvn = (uint16_t)(ext.pcesvn + 1);
	lv.tdx[7] = (uint8_t)(q.td.tee_tcb_svn[7] + 2);
	a = coll_forecast_shortfall(&q, &ext, &lv);
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(a, 0), "component")),
	                    "sgxtcbcomp03svn");
	assert_int_equal(json_integer_value(
	                         json_object_get(json_array_get(a, 0), "need")),
	                 ext.comp_svn[2] + 1);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(a, 1), "component")),
	                    "pcesvn");
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(a, 2), "component")),
	                    "tdxtcbcomp08svn");
	assert_int_equal(json_integer_value(
	                         json_object_get(json_array_get(a, 2), "have")),
	                 q.td.tee_tcb_svn[7]);
	json_decref(a);
	sk_X509_pop_free(chain, X509_free);
	free(buf);
}

/* The collateral keys of config/teepass.conf.example. */
static void
test_config_keys(void **state)
{
	struct tp_config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.collateral_timeout_ms, 10000);
	assert_non_null(c.intel_root_crl_url);
	assert_null(c.intel_pcs_api_key);
	assert_true(config_set(&c, "collateral_timeout_ms", "1500", err,
	                       sizeof(err)));
	assert_int_equal(c.collateral_timeout_ms, 1500);
	assert_false(config_set(&c, "collateral_timeout_ms", "50", err,
	                        sizeof(err)));
	assert_non_null(strstr(err, "collateral_timeout_ms"));
	assert_false(config_set(&c, "collateral_timeout_ms", "10s", err,
	                        sizeof(err)));
	assert_true(config_set(&c, "intel_pcs_api_key", "k", err, sizeof(err)));
	assert_string_equal(c.intel_pcs_api_key, "k");
	assert_true(config_set(&c, "collateral_proxy", "http://p:3128", err,
	                       sizeof(err)));
	assert_true(config_set(&c, "intel_root_crl_url", "", err, sizeof(err)));
	/* NVIDIA's OCSP responder by default; empty: the AIA URLs. */
	assert_string_equal(c.nvidia_ocsp_url, "http://ocsp.ndis.nvidia.com");
	assert_true(config_set(&c, "nvidia_ocsp_url", "", err, sizeof(err)));
	assert_string_equal(c.nvidia_ocsp_url, "");
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tcb_info_real),
	        cmocka_unit_test(test_tcb_info_flips),
	        cmocka_unit_test(test_qe_identity_real),
	        cmocka_unit_test(test_crls),
	        cmocka_unit_test(test_vcek),
	        cmocka_unit_test(test_amd_cert_chain),
	        cmocka_unit_test(test_amd_crl_lookalike),
	        cmocka_unit_test(test_nras_jwks),
	        cmocka_unit_test(test_shortfall),
	        cmocka_unit_test(test_config_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
