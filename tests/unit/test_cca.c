/*
 * Arm CCA attestation tokens (issue 8, item 5): the TF-RMM sample of
 * tests/data/cca (see PROVENANCE.md) with the claims and binding its
 * MANIFEST lists; tokens re-signed here with generated keys for a RAK
 * that does not match the platform challenge and other hostile cases.
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
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "load/load.h"
#include "verify/arm/cca_token.h"
#include "verify/core/cose.h"
#include "verify/core/ecdsa.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define DIR_RMM "tests/data/cca/tfrmm_legacy_ccassd/"
#define ZERO32                                                                 \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define SEQ32 "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918"

/* When true, run() calls the provider itself (parser tests that want the
 * parser's own code even where detection would already refuse the bytes);
 * otherwise the production path, verify_run. */
static bool direct;

static void
run(const uint8_t *buf, size_t len, const json_t *col, const char *path,
    struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;

	verify_config_defaults(&cfg);
	/* The collateral as teepassd and the CLI load it: the request's
	 * member, else the path. */
	artifact_set_init(&set);
	if (col != NULL)
		load_json(TP_PROVIDER_ARM_CCA, col, &set);
	else if (path != NULL)
		load_path(TP_PROVIDER_ARM_CCA, path, &set);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_ARM_CCA;
	req.artifacts = &set;
	req.now = 1700000000;
	req.cfg = &cfg;
	if (direct) {
		verdict_init(v, TP_PROVIDER_ARM_CCA, req.now);
		provider_arm_cca.verify(&req, v);
	} else {
		/* Detection, the provider, then the common appraisal once
		 * the signature verified. */
		verify_run(&req, v);
	}
	artifact_set_clear(&set);
	verify_config_free(&cfg);
}

static char *
pem_of(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	assert_int_equal(PEM_write_bio_PUBKEY(b, k), 1);
	n = BIO_get_mem_data(b, &data);
	out = malloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(b);
	return out;
}

/* Values from ../shared/vectors/cca/MANIFEST.md. */
static void
assert_rmm_claims(const struct verdict *v)
{
	json_t *sw = json_object_get(v->claims, "platform_software_components");
	json_t *rems =
	        json_object_get(v->claims, "realm_extensible_measurements");
	static const char *const types[] = {"BL", "M1", "M2", "M3"};
	static const char *const versions[] = {"3.4.2", "1.2", "1.2.3", "1"};

	assert_string_equal(claim(v, "platform_profile"),
	                    "http://arm.com/CCA-SSD/1.0.0");
	assert_string_equal(claim(v, "platform_challenge"),
	                    "b5973cb68baa9fc55558786b7ec67f69e40df5ba5aa921cd0c"
	                    "27f40587a011ea");
	assert_string_equal(claim(v, "platform_implementation_id"),
	                    "7f454c4602010100000000000000000003003e000100000050"
	                    "58000000000000");
	assert_string_equal(claim(v, "platform_instance_id"), "01" SEQ32);
	assert_string_equal(claim(v, "platform_config"), "01" SEQ32);
	assert_int_equal(
	        json_integer_value(json_object_get(
	                v->claims, "platform_security_lifecycle_value")),
	        12291);
	assert_string_equal(claim(v, "platform_hash_algorithm"), "sha-256");
	assert_string_equal(claim(v, "platform_verification_service_indicator"),
	                    "whatever.com");
	assert_int_equal(json_array_size(sw), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *c = json_array_get(sw, i);
		assert_string_equal(json_string_value(json_object_get(
		                            c, "measurement_type")),
		                    types[i]);
		assert_string_equal(
		        json_string_value(json_object_get(c, "version")),
		        versions[i]);
		assert_string_equal(json_string_value(json_object_get(
		                            c, "measurement_value")),
		                    SEQ32);
		assert_string_equal(
		        json_string_value(json_object_get(c, "signer_id")),
		        SEQ32);
	}
	assert_string_equal(claim(v, "realm_initial_measurement"), ZERO32);
	assert_int_equal(json_array_size(rems), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(json_string_value(json_array_get(rems, i)),
		                    ZERO32);
	assert_string_equal(claim(v, "rem3"), ZERO32);
	assert_string_equal(
	        claim(v, "realm_challenge"),
	        "abababababababababababababababababababababababababab"
	        "abababababababababababababababababababababababababab"
	        "abababababababababababab");
	assert_string_equal(claim(v, "realm_personalization_value"),
	                    "54686520717569636b2062726f776e20666f78206a756d7073"
	                    "206f766572203133206c617a7920646f67732e546865207175"
	                    "69636b2062726f776e20666f7820");
	assert_string_equal(claim(v, "realm_hash_algorithm"), "sha-256");
	assert_string_equal(claim(v, "realm_public_key_hash_algorithm"),
	                    "sha-256");
	assert_string_equal(
	        claim(v, "realm_public_key"),
	        "0476f988091be585ed41801aecfab858548c63057e16b0e676120bbd0d2f9c"
	        "29e056c5d41a0130eb9c21517899dc23146b28e1b062bd3ea4b315fd219f1c"
	        "bb528cb6e74ca49be16773734f61a1ca61031b2bbf3d918f2f94ffc4228e50"
	        "919544ae");
	/* 0x3003: secured. */
	assert_string_equal(claim(v, "platform_security_lifecycle"), "secured");
	assert_true(json_is_false(json_object_get(v->claims, "debug")));
}

static void
test_rmm_sample(void **state)
{
	struct verdict v;
	size_t len, plen;
	uint8_t *tok = tu_read_file(DIR_RMM "token.cbor", &len),
	        *pem = tu_read_file(DIR_RMM "cpak_pub.pem", &plen);
	json_t *col = json_pack("{s:s}", "cpak", (const char *)pem);

	run(tok, len, col, NULL, &v);
	if (!verdict_valid(&v)) {
		char *s = json_dumps(v.errors, 0);
		print_error("%s\n", s);
		free(s);
	}
	assert_true(verdict_valid(&v));
	/* Request-supplied CPAK: no hardware claim (see psa_key_trust). */
	assert_false(v.hardware_verified);
	assert_string_equal(verdict_status(&v), "warning");
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_string_equal(claim(&v, "attestation_key_source"),
	                    "collateral.cpak");
	assert_rmm_claims(&v);
	assert_int_equal(v.n_bindings, 1);
	assert_string_equal(v.bindings[0].name, "realm_challenge");
	verdict_free(&v);
	/* The CPAK from the sample's directory. */
	run(tok, len, NULL, "tests/data/cca/tfrmm_legacy_ccassd", &v);
	assert_true(verdict_valid(&v));
	assert_string_equal(claim(&v, "attestation_key_source"),
	                    "collateral_path/cpak_pub.pem");
	assert_true(v.hardware_verified);
	assert_string_equal(verdict_status(&v), "affirming");
	verdict_free(&v);
	/* The CPAK file itself, and a store by the platform's instance
	 * id; a PSA IAK is no CPAK. */
	run(tok, len, NULL, DIR_RMM "cpak_pub.pem", &v);
	assert_true(verdict_valid(&v));
	assert_string_equal(claim(&v, "attestation_key_source"),
	                    "collateral_path");
	assert_true(v.hardware_verified);
	{
		char id[80];
		json_t *store;

		snprintf(id, sizeof(id), "%s",
		         claim(&v, "platform_instance_id"));
		verdict_free(&v);
		store = json_pack("{s:{s:s}}", "cpak", id, (const char *)pem);
		run(tok, len, store, NULL, &v);
		assert_true(verdict_valid(&v));
		assert_false(v.hardware_verified);
		assert_string_equal(claim(&v, "attestation_key_source"),
		                    "collateral.cpak[instance_id]");
		verdict_free(&v);
		json_decref(store);
		store = json_pack("{s:s}", "iak", (const char *)pem);
		run(tok, len, store, NULL, &v);
		assert_only_error(&v, "cca_key_missing");
		verdict_free(&v);
		json_decref(store);
	}
	/* A directory with the PSA key only. */
	run(tok, len, NULL, "tests/data/psa/tfm_psa_2_0_0", &v);
	assert_only_error(&v, "cca_key_missing");
	assert_string_equal(
	        json_string_value(json_object_get(json_array_get(v.errors, 0),
	                                          "message")),
	        "no provisioned key: collateral_path/cpak_pub.pem is not "
	        "readable");
	verdict_free(&v);
	/* Detection: CCA only. */
	assert_true(provider_arm_cca.detect(tok, len));
	assert_false(provider_arm_psa.detect(tok, len));
	assert_false(provider_aws_nitro.detect(tok, len));
	json_decref(col);
	free(pem);
	free(tok);
}

struct parts {
	struct cca_collection col;
	struct cose_sign1 plat, realm;
};

static void
split(const uint8_t *tok, size_t len, struct parts *p)
{
	enum tp_err code;
	char why[200];

	assert_true(cca_collection_parse(tok, len, &p->col, why, sizeof(why)));
	assert_true(cose_sign1_parse(p->col.platform, p->col.platform_len,
	                             &p->plat, &code, why, sizeof(why)));
	assert_true(cose_sign1_parse(p->col.realm, p->col.realm_len, &p->realm,
	                             &code, why, sizeof(why)));
}

static void
test_keys_and_flips(void **state)
{
	struct verdict v;
	size_t len, plen;
	uint8_t *tok = tu_read_file(DIR_RMM "token.cbor", &len),
	        *pem = tu_read_file(DIR_RMM "cpak_pub.pem", &plen), *c, *p;
	json_t *col = json_pack("{s:s}", "cpak", (const char *)pem), *other;
	EVP_PKEY *k = EVP_EC_gen("P-384");
	char *opem = pem_of(k);
	struct parts pt;

	split(tok, len, &pt);
	/* No CPAK; another CPAK. */
	run(tok, len, NULL, NULL, &v);
	assert_only_error(&v, "cca_key_missing");
	assert_false(v.hardware_verified);
	verdict_free(&v);
	other = json_pack("{s:s}", "cpak", opem);
	run(tok, len, other, NULL, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	json_decref(other);
	other = json_pack("{s:s}", "cpak", "not a key");
	run(tok, len, other, NULL, &v);
	assert_only_error(&v, "cca_key_invalid");
	verdict_free(&v);
	json_decref(other);

	c = malloc(len);
	/* The platform challenge changed: platform signature breaks. */
	p = memmem(pt.plat.payload, pt.plat.payload_len, "\xb5\x97\x3c\xb6", 4);
	assert_non_null(p);
	memcpy(c, tok, len);
	c[(size_t)(p - tok) + 1] ^= 0x01;
	run(c, len, col, NULL, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	/* The realm signature. */
	memcpy(c, tok, len);
	c[(size_t)(pt.realm.signature - tok) + 5] ^= 0x01;
	run(c, len, col, NULL, &v);
	assert_only_error(&v, "cose_signature_invalid");
	assert_non_null(strstr(json_string_value(json_object_get(
	                               json_array_get(v.errors, 0), "message")),
	                       "realm"));
	verdict_free(&v);
	/* The RAK point: off its curve. */
	p = memmem(pt.realm.payload, pt.realm.payload_len, "\x04\x76\xf9\x88",
	           4);
	assert_non_null(p);
	memcpy(c, tok, len);
	c[(size_t)(p - tok) + 96] ^= 0x01;
	run(c, len, col, NULL, &v);
	assert_only_error(&v, "cca_rak_invalid");
	verdict_free(&v);
	/* The realm challenge changed: the realm signature breaks. */
	p = memmem(pt.realm.payload, pt.realm.payload_len, "\xab\xab\xab\xab",
	           4);
	assert_non_null(p);
	memcpy(c, tok, len);
	c[(size_t)(p - tok)] ^= 0x01;
	run(c, len, col, NULL, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	/* The collection labels. */
	memcpy(c, tok, len);
	c[6] ^= 0x01; /* 44234 -> 44235 */
	run(c, len, col, NULL, &v);
	assert_only_error(&v, "cca_token_invalid");
	verdict_free(&v);
	memcpy(c, tok, len);
	c[1] ^= 0x01; /* tag 399 -> 398 */
	direct = true;
	run(c, len, col, NULL, &v);
	assert_only_error(&v, "cca_token_invalid");
	verdict_free(&v);
	direct = false;
	run(c, len, col, NULL, &v); /* production: not CCA at all */
	assert_only_error(&v, "provider_mismatch");
	verdict_free(&v);
	free(c);
	/* Truncation at every offset. */
	for (size_t n = 1; n < len; n++) {
		c = malloc(n);
		memcpy(c, tok, n);
		direct = true;
		run(c, n, col, NULL, &v);
		assert_only_error(&v, "cca_token_invalid");
		verdict_free(&v);
		direct = false;
		run(c, n, col, NULL, &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		free(c);
	}
	/* A trailing byte. */
	c = malloc(len + 1);
	memcpy(c, tok, len);
	c[len] = 0;
	run(c, len + 1, col, NULL, &v);
	assert_only_error(&v, "cca_token_invalid");
	verdict_free(&v);
	free(c);
	EVP_PKEY_free(k);
	free(opem);
	json_decref(col);
	free(pem);
	free(tok);
}

/* ---- tokens re-signed at test time ---- */

struct cw {
	uint8_t b[8192];
	size_t n;
};

static void
cw_head(struct cw *w, uint8_t major, uint64_t arg)
{
	w->n += cose_cbor_put_head(w->b + w->n, major, arg);
}

static void
cw_raw(struct cw *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* A tagged ES384 COSE_Sign1 of PAYLOAD (N bytes) by KEY, into W. */
static void
sign384(struct cw *w, EVP_PKEY *key, const uint8_t *payload, size_t n)
{
	static const uint8_t prot[] = {0xa1, 0x01, 0x38, 0x22};
	struct cose_sign1 s;
	uint8_t *tbs, sig[96];
	size_t tl;

	memset(&s, 0, sizeof(s));
	s.alg = COSE_ALG_ES384;
	s.prot = prot;
	s.prot_len = sizeof(prot);
	s.payload = payload;
	s.payload_len = n;
	assert_true(cose_sig_structure(&s, &tbs, &tl));
	assert_true(ecdsa_sign_raw(key, EVP_sha384(), tbs, tl, sig, 48));
	free(tbs);
	w->n = 0;
	cw_head(w, COSE_CBOR_TAG, 18);
	cw_head(w, COSE_CBOR_ARRAY, 4);
	cw_head(w, COSE_CBOR_BSTR, sizeof(prot));
	cw_raw(w, prot, sizeof(prot));
	cw_head(w, COSE_CBOR_MAP, 0);
	cw_head(w, COSE_CBOR_BSTR, n);
	cw_raw(w, payload, n);
	cw_head(w, COSE_CBOR_BSTR, 96);
	cw_raw(w, sig, 96);
}

static void
point_of(EVP_PKEY *k, uint8_t out[97])
{
	size_t n = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(
	                         k, OSSL_PKEY_PARAM_PUB_KEY, out, 97, &n),
	                 1);
	assert_int_equal(n, 97);
}

/*
 * The sample's claims with a new RAK (RAK_KEY's point), the platform
 * challenge set to CHALLENGE, the platform token signed by CPAK and the
 * realm token by REALM_SIGNER.
 */
static uint8_t *
remake(const struct parts *pt, EVP_PKEY *cpak, EVP_PKEY *rak_key,
       EVP_PKEY *realm_signer, const uint8_t challenge[32], size_t *outlen)
{
	struct cw *pw = calloc(1, sizeof(*pw)), *rw = calloc(1, sizeof(*rw)),
	          *out = calloc(1, sizeof(*out));
	uint8_t *pp = malloc(pt->plat.payload_len),
	        *rp = malloc(pt->realm.payload_len), *p, point[97], *res;

	memcpy(pp, pt->plat.payload, pt->plat.payload_len);
	p = memmem(pp, pt->plat.payload_len, "\xb5\x97\x3c\xb6", 4);
	assert_non_null(p);
	memcpy(p, challenge, 32);
	memcpy(rp, pt->realm.payload, pt->realm.payload_len);
	p = memmem(rp, pt->realm.payload_len, "\x04\x76\xf9\x88", 4);
	assert_non_null(p);
	point_of(rak_key, point);
	memcpy(p, point, 97);
	sign384(pw, cpak, pp, pt->plat.payload_len);
	sign384(rw, realm_signer, rp, pt->realm.payload_len);
	cw_head(out, COSE_CBOR_TAG, CCA_TAG);
	cw_head(out, COSE_CBOR_MAP, 2);
	cw_head(out, COSE_CBOR_UINT, CCA_PLATFORM_LABEL);
	cw_head(out, COSE_CBOR_BSTR, pw->n);
	cw_raw(out, pw->b, pw->n);
	cw_head(out, COSE_CBOR_UINT, CCA_REALM_LABEL);
	cw_head(out, COSE_CBOR_BSTR, rw->n);
	cw_raw(out, rw->b, rw->n);
	res = malloc(out->n);
	memcpy(res, out->b, out->n);
	*outlen = out->n;
	free(pw);
	free(rw);
	free(out);
	free(pp);
	free(rp);
	return res;
}

static void
cw_text(struct cw *w, const char *t)
{
	cw_head(w, COSE_CBOR_TSTR, strlen(t));
	cw_raw(w, t, strlen(t));
}

/*
 * The 2023 realm profile: RAK as an EC2 COSE_Key (RFC 9053 §7.1.1) in
 * claim 44237. Writes the realm claims into W and the COSE_Key bytes
 * into KEY (KEYLEN).
 */
static void
realm_cose_key(struct cw *w, EVP_PKEY *rak, uint8_t *key, size_t *keylen)
{
	struct cw *k = calloc(1, sizeof(*k));
	uint8_t point[97], sixty4[64], zero[32] = {0};

	point_of(rak, point);
	cw_head(k, COSE_CBOR_MAP, 4);
	cw_head(k, COSE_CBOR_UINT, 1);
	cw_head(k, COSE_CBOR_UINT, 2); /* EC2 */
	cw_head(k, COSE_CBOR_NINT, 0); /* -1 crv */
	cw_head(k, COSE_CBOR_UINT, 2); /* P-384 */
	cw_head(k, COSE_CBOR_NINT, 1); /* -2 x */
	cw_head(k, COSE_CBOR_BSTR, 48);
	cw_raw(k, point + 1, 48);
	cw_head(k, COSE_CBOR_NINT, 2); /* -3 y */
	cw_head(k, COSE_CBOR_BSTR, 48);
	cw_raw(k, point + 49, 48);
	memcpy(key, k->b, k->n);
	*keylen = k->n;
	memset(sixty4, 0xab, sizeof(sixty4));
	w->n = 0;
	cw_head(w, COSE_CBOR_MAP, 8);
	cw_head(w, COSE_CBOR_UINT, 265);
	cw_text(w, "tag:arm.com,2023:realm#1.0.0");
	cw_head(w, COSE_CBOR_UINT, 10);
	cw_head(w, COSE_CBOR_BSTR, 64);
	cw_raw(w, sixty4, 64);
	cw_head(w, COSE_CBOR_UINT, 44235);
	cw_head(w, COSE_CBOR_BSTR, 64);
	cw_raw(w, sixty4, 64);
	cw_head(w, COSE_CBOR_UINT, 44236);
	cw_text(w, "sha-256");
	cw_head(w, COSE_CBOR_UINT, 44237);
	cw_head(w, COSE_CBOR_BSTR, k->n);
	cw_raw(w, k->b, k->n);
	cw_head(w, COSE_CBOR_UINT, 44238);
	cw_head(w, COSE_CBOR_BSTR, 32);
	cw_raw(w, zero, 32);
	cw_head(w, COSE_CBOR_UINT, 44239);
	cw_head(w, COSE_CBOR_ARRAY, 4);
	for (int i = 0; i < 4; i++) {
		cw_head(w, COSE_CBOR_BSTR, 32);
		cw_raw(w, zero, 32);
	}
	cw_head(w, COSE_CBOR_UINT, 44240);
	cw_text(w, "sha-256");
	free(k);
}

static void
test_cose_key_rak(void **state)
{
	struct verdict v;
	size_t len, keylen;
	uint8_t *tok = tu_read_file(DIR_RMM "token.cbor", &len), key[256],
	        h[32], *pp, *p;
	EVP_PKEY *cpak = EVP_EC_gen("P-384"), *rak = EVP_EC_gen("P-384");
	char *cpem = pem_of(cpak);
	json_t *col = json_pack("{s:s}", "cpak", cpem);
	struct cw *rw = calloc(1, sizeof(*rw)), *pw = calloc(1, sizeof(*pw)),
	          *rs = calloc(1, sizeof(*rs)), *out = calloc(1, sizeof(*out));
	struct parts pt;

	split(tok, len, &pt);
	realm_cose_key(rw, rak, key, &keylen);
	SHA256(key, keylen, h);
	pp = malloc(pt.plat.payload_len);
	memcpy(pp, pt.plat.payload, pt.plat.payload_len);
	p = memmem(pp, pt.plat.payload_len, "\xb5\x97\x3c\xb6", 4);
	assert_non_null(p);
	memcpy(p, h, 32);
	sign384(pw, cpak, pp, pt.plat.payload_len);
	sign384(rs, rak, rw->b, rw->n);
	cw_head(out, COSE_CBOR_TAG, CCA_TAG);
	cw_head(out, COSE_CBOR_MAP, 2);
	cw_head(out, COSE_CBOR_UINT, CCA_REALM_LABEL);
	cw_head(out, COSE_CBOR_BSTR, rs->n);
	cw_raw(out, rs->b, rs->n);
	cw_head(out, COSE_CBOR_UINT, CCA_PLATFORM_LABEL);
	cw_head(out, COSE_CBOR_BSTR, pw->n);
	cw_raw(out, pw->b, pw->n);
	run(out->b, out->n, col, NULL, &v);
	if (!verdict_valid(&v)) {
		char *s = json_dumps(v.errors, 0);
		print_error("%s\n", s);
		free(s);
	}
	assert_true(verdict_valid(&v));
	assert_string_equal(claim(&v, "realm_profile"),
	                    "tag:arm.com,2023:realm#1.0.0");
	verdict_free(&v);
	/* The same with a COSE_Key of the wrong key type (kty 1, OKP). */
	{
		uint8_t *q = memmem(out->b, out->n, "\xa4\x01\x02\x20", 4);
		assert_non_null(q);
		q[2] = 0x01;
		run(out->b, out->n, col, NULL, &v);
		assert_only_error(&v, "cca_rak_invalid");
		verdict_free(&v);
	}
	free(pp);
	free(rw);
	free(pw);
	free(rs);
	free(out);
	json_decref(col);
	free(cpem);
	EVP_PKEY_free(cpak);
	EVP_PKEY_free(rak);
	free(tok);
}

static void
test_rak_binding(void **state)
{
	struct verdict v;
	size_t len, mlen;
	uint8_t *tok = tu_read_file(DIR_RMM "token.cbor", &len), *m, point[97],
	        h[32];
	EVP_PKEY *cpak = EVP_EC_gen("P-384"), *rak = EVP_EC_gen("P-384"),
	         *rak2 = EVP_EC_gen("P-384");
	char *cpem = pem_of(cpak);
	json_t *col = json_pack("{s:s}", "cpak", cpem);
	struct parts pt;

	split(tok, len, &pt);
	/* Faithful: challenge = SHA-256(RAK point), realm signed by RAK. */
	point_of(rak, point);
	SHA256(point, 97, h);
	m = remake(&pt, cpak, rak, rak, h, &mlen);
	run(m, mlen, col, NULL, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	free(m);
	/* A realm token whose RAK hash is not the platform challenge (both
	 * signatures good): the realm is not the platform's. */
	point_of(rak2, point);
	SHA256(point, 97, h);
	m = remake(&pt, cpak, rak, rak, h, &mlen);
	run(m, mlen, col, NULL, &v);
	assert_only_error(&v, "cca_rak_binding_mismatch");
	assert_false(v.hardware_verified);
	verdict_free(&v);
	free(m);
	/* A realm token signed by another key than the RAK it carries. */
	point_of(rak, point);
	SHA256(point, 97, h);
	m = remake(&pt, cpak, rak, rak2, h, &mlen);
	run(m, mlen, col, NULL, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	free(m);
	/* The genuine sample against the generated CPAK: refused. */
	run(tok, len, col, NULL, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	json_decref(col);
	free(cpem);
	EVP_PKEY_free(cpak);
	EVP_PKEY_free(rak);
	EVP_PKEY_free(rak2);
	free(tok);
}

/* Random corruptions of the sample (fixed seed): never valid, no crash. */
static void
test_random_corruption(void **state)
{
	struct verdict v;
	size_t len, plen;
	uint8_t *tok = tu_read_file(DIR_RMM "token.cbor", &len),
	        *pem = tu_read_file(DIR_RMM "cpak_pub.pem", &plen),
	        *c = malloc(len);
	json_t *col = json_pack("{s:s}", "cpak", (const char *)pem);
	uint32_t x = 0x85ebca6bu;

	for (int i = 0; i < 2000; i++) {
		memcpy(c, tok, len);
		for (int f = 0; f <= i % 3; f++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			c[x % len] ^= (uint8_t)(1 + (x >> 24) % 255);
		}
		run(c, len, col, NULL, &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
	}
	json_decref(col);
	free(c);
	free(pem);
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rmm_sample),
	        cmocka_unit_test(test_keys_and_flips),
	        cmocka_unit_test(test_rak_binding),
	        cmocka_unit_test(test_cose_key_rak),
	        cmocka_unit_test(test_random_corruption),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
