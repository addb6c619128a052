/*
 * Arm PSA attestation tokens (issue 8, item 4): the TF-M sample of
 * tests/data/psa (see PROVENANCE.md) with the claims its MANIFEST lists,
 * and tokens made here with a test key for the binding, the legacy
 * profile, debug lifecycles and malformed claims.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "load/load.h"
#include "verify/core/cose.h"
#include "verify/core/ecdsa.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define DIR_TFM "tests/data/psa/tfm_psa_2_0_0/"

struct opts {
	const json_t *collateral;
	const char *path;
	bool allow_debug;
	const char *runtime_data;
};

/* When true, run() calls the provider itself (parser tests that want the
 * parser's own code even where detection would already refuse the bytes);
 * otherwise the production path, verify_run. */
static bool direct;

static void
run(const uint8_t *buf, size_t len, const struct opts *o, struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;

	verify_config_defaults(&cfg);
	cfg.allow_debug = o->allow_debug;
	/* The collateral as teepassd and the CLI load it: the request's
	 * member, else the path. */
	artifact_set_init(&set);
	if (o->collateral != NULL)
		load_json(TP_PROVIDER_ARM_PSA, o->collateral, &set);
	else if (o->path != NULL)
		load_path(TP_PROVIDER_ARM_PSA, o->path, &set);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_ARM_PSA;
	req.artifacts = &set;
	if (o->runtime_data != NULL) {
		req.runtime_data = (const uint8_t *)o->runtime_data;
		req.runtime_data_len = strlen(o->runtime_data);
	}
	req.now = 1700000000;
	req.cfg = &cfg;
	if (direct) {
		verdict_init(v, TP_PROVIDER_ARM_PSA, req.now);
		provider_arm_psa.verify(&req, v);
	} else {
		/* Detection, the provider, then the common appraisal once
		 * the signature verified. */
		verify_run(&req, v);
	}
	artifact_set_clear(&set);
	verify_config_free(&cfg);
}

static json_t *
iak_collateral(const char *key, const char *pem)
{
	return json_pack("{s:s}", key, pem);
}

/* Values from ../shared/vectors/psa/MANIFEST.md. */
static void
assert_tfm_claims(const struct verdict *v)
{
	json_t *sw = json_object_get(v->claims, "software_components");

	assert_string_equal(claim(v, "profile"), "http://arm.com/psa/2.0.0");
	assert_int_equal(strlen(claim(v, "challenge")), 128);
	for (size_t i = 0; i < 128; i++)
		assert_int_equal(claim(v, "challenge")[i], '0');
	assert_string_equal(claim(v, "instance_id"),
	                    "01fa58755f658627ce5460f29b75296713248cae7ad9e2984b"
	                    "90280efcbcb50248");
	assert_string_equal(claim(v, "implementation_id"),
	                    "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdd"
	                    "dddddddddddddd");
	assert_string_equal(claim(v, "boot_seed"),
	                    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8"
	                    "b9babbbcbdbebf");
	assert_int_equal(
	        json_integer_value(json_object_get(v->claims, "client_id")),
	        3002);
	assert_string_equal(claim(v, "security_lifecycle"), "secured");
	assert_int_equal(json_integer_value(json_object_get(
	                         v->claims, "security_lifecycle_value")),
	                 12288);
	assert_string_equal(claim(v, "certification_reference"),
	                    "0604565272829-10010");
	assert_string_equal(claim(v, "verification_service_indicator"),
	                    "www.trustedfirmware.org");
	assert_int_equal(json_array_size(sw), 2);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(sw, 0), "measurement_type")),
	                    "SPE");
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(sw, 0), "version")),
	                    "1.6.0");
	assert_string_equal(
	        json_string_value(json_object_get(json_array_get(sw, 0),
	                                          "measurement_value")),
	        "96a2ec56c65120a60ce3a53ef8d2082233772aacd5b17935a92be12ac577f6"
	        "85");
	assert_string_equal(
	        json_string_value(
	                json_object_get(json_array_get(sw, 0), "signer_id")),
	        "bfe6d86f8826f4ff97fb96c4e6fbc4993e4619fc565da26adf34c329489adc"
	        "38");
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(sw, 1), "measurement_type")),
	                    "NSPE");
	assert_string_equal(
	        json_string_value(json_object_get(json_array_get(sw, 1),
	                                          "measurement_value")),
	        "087d13c68f32aaafb8c4fc0a2253445432009765e216fb85c398c9580522c1"
	        "bf");
	assert_string_equal(
	        json_string_value(
	                json_object_get(json_array_get(sw, 1), "signer_id")),
	        "b360caf5c98c6b942a4882fa9d4823efb166a9ef6a6e4aa37c1919ed1fccc0"
	        "49");
	assert_true(json_is_false(json_object_get(v->claims, "debug")));
}

static void
test_tfm_sample(void **state)
{
	struct verdict v;
	size_t len, plen;
	uint8_t *tok = tu_read_file(DIR_TFM "token.cbor", &len),
	        *pem = tu_read_file(DIR_TFM "iak_pub.pem", &plen);
	json_t *col = iak_collateral("iak", (const char *)pem);
	struct opts o = {.collateral = col};

	run(tok, len, &o, &v);
	assert_true(verdict_valid(&v));
	/* A key sent with the request is not a provisioned one: valid, but
	 * no hardware claim and at most "warning". */
	assert_false(v.hardware_verified);
	assert_string_equal(verdict_status(&v), "warning");
	assert_true(json_is_false(
	        json_object_get(v.claims, "attestation_key_provisioned")));
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_NULL);
	assert_string_equal(claim(&v, "attestation_key_source"),
	                    "collateral.iak");
	assert_tfm_claims(&v);
	/* The key relied on: SHA-256 of its SubjectPublicKeyInfo. */
	{
		BIO *b = BIO_new_mem_buf(pem, (int)plen);
		EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
		unsigned char *der = NULL;
		int dl = i2d_PUBKEY(k, &der);
		uint8_t md[32];
		char hexs[65];
		SHA256(der, (size_t)dl, md);
		for (int i = 0; i < 32; i++)
			snprintf(hexs + 2 * i, 3, "%02x", md[i]);
		assert_string_equal(claim(&v, "attestation_key_sha256"), hexs);
		assert_string_equal(
		        json_string_value(json_object_get(v.collateral, "iak")),
		        hexs);
		OPENSSL_free(der);
		EVP_PKEY_free(k);
		BIO_free(b);
	}
	/* The challenge (claim 10) is the binding field. */
	assert_int_equal(v.n_bindings, 1);
	assert_string_equal(v.bindings[0].name, "challenge");
	assert_int_equal(v.bindings[0].len, 64);
	verdict_free(&v);

	/* An endorsement store: keys by instance id. */
	{
		json_t *store = json_pack("{s:{s:s, s:s}}", "iak",
		                          "01fa58755f658627ce5460f29b7529671324"
		                          "8cae7ad9e2984b90280efc"
		                          "bcb50248",
		                          (const char *)pem,
		                          "01fa58755f658627ce5460f29b7529671324"
		                          "8cae7ad9e2984b90280efc"
		                          "bcb50249",
		                          "junk");
		json_t *other = json_pack("{s:{s:s}}", "iak", "01ff",
		                          (const char *)pem);
		struct opts so = {.collateral = store};
		run(tok, len, &so, &v);
		assert_true(verdict_valid(&v));
		assert_string_equal(claim(&v, "attestation_key_source"),
		                    "collateral.iak[instance_id]");
		verdict_free(&v);
		so.collateral = other;
		run(tok, len, &so, &v);
		assert_only_error(&v, "psa_key_missing");
		verdict_free(&v);
		json_decref(store);
		json_decref(other);
	}
	/* The key from a directory laid out as the samples are, and from
	 * the PEM file itself. */
	o.collateral = NULL;
	o.path = "tests/data/psa/tfm_psa_2_0_0";
	run(tok, len, &o, &v);
	assert_true(verdict_valid(&v));
	assert_string_equal(claim(&v, "attestation_key_source"),
	                    "collateral_path/iak_pub.pem");
	/* The verifier's own provisioned store vouches for the device. */
	assert_true(v.hardware_verified);
	assert_string_equal(verdict_status(&v), "affirming");
	verdict_free(&v);
	o.path = DIR_TFM "iak_pub.pem";
	run(tok, len, &o, &v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	verdict_free(&v);

	/* Detection: PSA, and neither Nitro nor CCA. */
	assert_true(provider_arm_psa.detect(tok, len));
	assert_false(provider_aws_nitro.detect(tok, len));
	assert_false(provider_arm_cca.detect(tok, len));
	json_decref(col);
	free(pem);
	free(tok);
}

/* The message of the first error, or "". */
static const char *
first_message(const struct verdict *v)
{
	const char *m = json_string_value(
	        json_object_get(json_array_get(v->errors, 0), "message"));

	return m != NULL ? m : "";
}

/* Writes LEN bytes of BUF to PATH. */
static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
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

static void
test_keys(void **state)
{
	struct verdict v;
	size_t len;
	uint8_t *tok = tu_read_file(DIR_TFM "token.cbor", &len);
	EVP_PKEY *other = EVP_EC_gen("P-256"), *p384 = EVP_EC_gen("P-384");
	char *opem = pem_of(other), *p384pem = pem_of(p384);
	json_t *col;
	struct opts o = {0};

	/* No key at all: never a pass. */
	run(tok, len, &o, &v);
	assert_only_error(&v, "psa_key_missing");
	assert_false(v.hardware_verified);
	assert_string_equal(first_message(&v),
	                    "no provisioned key: give collateral {\"iak\": "
	                    "\"<PEM>\"} or a collateral path holding "
	                    "iak_pub.pem");
	verdict_free(&v);
	o.path = "tests/data/psa/no-such-dir";
	run(tok, len, &o, &v);
	assert_only_error(&v, "psa_key_missing");
	assert_string_equal(first_message(&v),
	                    "no provisioned key: collateral_path is not "
	                    "readable");
	verdict_free(&v);
	/* A directory without iak_pub.pem. */
	o.path = "tests/data/nitro";
	run(tok, len, &o, &v);
	assert_only_error(&v, "psa_key_missing");
	assert_string_equal(first_message(&v),
	                    "no provisioned key: collateral_path/iak_pub.pem "
	                    "is not readable");
	verdict_free(&v);
	o.path = NULL;
	/* Not a PEM key. */
	col = iak_collateral("iak", "-----BEGIN PUBLIC KEY-----\nAAAA\n");
	o.collateral = col;
	run(tok, len, &o, &v);
	assert_only_error(&v, "psa_key_invalid");
	verdict_free(&v);
	json_decref(col);
	col = json_pack("{s:i}", "iak", 5);
	o.collateral = col;
	run(tok, len, &o, &v);
	assert_only_error(&v, "psa_key_invalid");
	verdict_free(&v);
	json_decref(col);
	/* A token signed by a different key than the provisioned one. */
	col = iak_collateral("iak", opem);
	o.collateral = col;
	run(tok, len, &o, &v);
	assert_only_error(&v, "cose_signature_invalid");
	assert_int_equal(v.signature_valid, TP_FALSE);
	assert_null(json_object_get(v.claims, "instance_id"));
	verdict_free(&v);
	json_decref(col);
	/* A key on the wrong curve for ES256. */
	col = iak_collateral("iak", p384pem);
	o.collateral = col;
	run(tok, len, &o, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	json_decref(col);
	EVP_PKEY_free(other);
	EVP_PKEY_free(p384);
	free(opem);
	free(p384pem);
	free(tok);
}

static void
test_hostile_sample(void **state)
{
	struct verdict v;
	size_t len, plen;
	uint8_t *tok = tu_read_file(DIR_TFM "token.cbor", &len),
	        *pem = tu_read_file(DIR_TFM "iak_pub.pem", &plen), *c;
	json_t *col = iak_collateral("iak", (const char *)pem);
	struct opts o = {.collateral = col};
	struct cose_sign1 s;
	enum tp_err code;
	char why[200];
	size_t poff, soff;

	assert_true(cose_sign1_parse(tok, len, &s, &code, why, sizeof(why)));
	poff = (size_t)(s.payload - tok);
	soff = (size_t)(s.signature - tok);
	c = malloc(len);
	/* Flipped bytes in the payload's byte-string contents (boot seed,
	 * instance id, a measurement) and in the signature. */
	{
		static const char *const needles[] = {
		        "\xa0\xa1\xa2\xa3", "\x01\xfa\x58\x75",
		        "\x96\xa2\xec\x56", "\x08\x7d\x13\xc6"};
		for (size_t i = 0; i < 4; i++) {
			uint8_t *p =
			        memmem(tok + poff, soff - poff, needles[i], 4);
			assert_non_null(p);
			memcpy(c, tok, len);
			c[(size_t)(p - tok) + 2] ^= 0x40;
			run(c, len, &o, &v);
			assert_only_error(&v, "cose_signature_invalid");
			verdict_free(&v);
		}
	}
	for (size_t off = soff; off < len; off += 31) {
		memcpy(c, tok, len);
		c[off] ^= 0x01;
		run(c, len, &o, &v);
		assert_only_error(&v, "cose_signature_invalid");
		verdict_free(&v);
	}
	/* Claim types broken: client id (0x190bba) as a text string. */
	{
		uint8_t *p =
		        memmem(tok + poff, soff - poff, "\x19\x09\x5a\x19", 4);
		assert_non_null(p);
		memcpy(c, tok, len);
		c[(size_t)(p - tok) + 3] = 0x79;
		run(c, len, &o, &v);
		assert_only_error(&v, "psa_claims_invalid");
		verdict_free(&v);
	}
	free(c);
	/* Truncation at every offset: a parse error, never a crash. */
	for (size_t n = 1; n < len; n++) {
		c = malloc(n);
		memcpy(c, tok, n);
		direct = true;
		run(c, n, &o, &v);
		assert_only_error(&v, "cose_parse_error");
		verdict_free(&v);
		direct = false;
		/* Through verify_run: never valid either. */
		run(c, n, &o, &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		free(c);
	}
	json_decref(col);
	free(pem);
	free(tok);
}

/* ---- tokens made at test time ---- */

struct cw {
	uint8_t b[4096];
	size_t n;
};

static void
cw_head(struct cw *w, uint8_t major, uint64_t arg)
{
	w->n += cose_cbor_put_head(w->b + w->n, major, arg);
}

static void
cw_int(struct cw *w, int64_t v)
{
	if (v >= 0)
		cw_head(w, COSE_CBOR_UINT, (uint64_t)v);
	else
		cw_head(w, COSE_CBOR_NINT, (uint64_t)(-1 - v));
}

static void
cw_bstr(struct cw *w, const void *p, size_t n)
{
	cw_head(w, COSE_CBOR_BSTR, n);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
cw_tstr(struct cw *w, const char *s)
{
	cw_head(w, COSE_CBOR_TSTR, strlen(s));
	memcpy(w->b + w->n, s, strlen(s));
	w->n += strlen(s);
}

/* A tagged ES256 COSE_Sign1 of PAYLOAD by KEY. */
static uint8_t *
sign_token(EVP_PKEY *key, const struct cw *payload, size_t *outlen)
{
	static const uint8_t prot[] = {0xa1, 0x01, 0x26};
	struct cose_sign1 s;
	struct cw *w = calloc(1, sizeof(*w));
	uint8_t *tbs, sig[64], *out;
	size_t tl;

	memset(&s, 0, sizeof(s));
	s.alg = COSE_ALG_ES256;
	s.prot = prot;
	s.prot_len = sizeof(prot);
	s.payload = payload->b;
	s.payload_len = payload->n;
	assert_true(cose_sig_structure(&s, &tbs, &tl));
	assert_true(ecdsa_sign_raw(key, EVP_sha256(), tbs, tl, sig, 32));
	free(tbs);
	cw_head(w, COSE_CBOR_TAG, 18);
	cw_head(w, COSE_CBOR_ARRAY, 4);
	cw_bstr(w, prot, sizeof(prot));
	cw_head(w, COSE_CBOR_MAP, 0);
	cw_bstr(w, payload->b, payload->n);
	cw_bstr(w, sig, 64);
	out = malloc(w->n);
	memcpy(out, w->b, w->n);
	*outlen = w->n;
	free(w);
	return out;
}

enum variant {
	V_OK,
	V_LEGACY,
	V_DEBUG,
	V_NO_NONCE,
	V_DUP_KEY,
	V_BOTH_KEYS,
	V_BAD_PROFILE,
	V_BAD_UEID,
	V_NO_SIGNER,
	V_DEEP,
};

/* A PSA 2.0 claims set (or its legacy-key twin) with NONCE. */
static void
claims(struct cw *w, enum variant var, const uint8_t nonce[64])
{
	static const uint8_t ueid[33] = {0x01, 1, 2, 3};
	static const uint8_t impl[32] = {0xaa};
	static const uint8_t seed[32] = {0xbb};
	static const uint8_t mval[32] = {0xcc}, signer[32] = {0xdd};
	bool legacy = var == V_LEGACY;
	int entries =
	        8 + (var == V_DUP_KEY || var == V_BOTH_KEYS || var == V_DEEP) -
	        (var == V_NO_NONCE);

	w->n = 0;
	cw_head(w, COSE_CBOR_MAP, (uint64_t)entries);
	cw_int(w, legacy ? -75000 : 265);
	cw_tstr(w, legacy                 ? "PSA_IOT_PROFILE_1"
	           : var == V_BAD_PROFILE ? "http://arm.com/psa/9.9.9"
	                                  : "http://arm.com/psa/2.0.0");
	if (var != V_NO_NONCE) {
		cw_int(w, legacy ? -75008 : 10);
		cw_bstr(w, nonce, 64);
	}
	cw_int(w, legacy ? -75009 : 256);
	cw_bstr(w, ueid, var == V_BAD_UEID ? 32 : 33);
	cw_int(w, legacy ? -75003 : 2396);
	cw_bstr(w, impl, 32);
	cw_int(w, legacy ? -75001 : 2394);
	cw_int(w, -1);
	cw_int(w, legacy ? -75002 : 2395);
	cw_int(w, var == V_DEBUG ? 0x4000 : 0x3000);
	cw_int(w, legacy ? -75004 : 2397);
	cw_bstr(w, seed, 32);
	cw_int(w, legacy ? -75006 : 2399);
	cw_head(w, COSE_CBOR_ARRAY, 1);
	cw_head(w, COSE_CBOR_MAP, var == V_NO_SIGNER ? 2 : 3);
	cw_int(w, 1);
	cw_tstr(w, "BL");
	cw_int(w, 2);
	cw_bstr(w, mval, 32);
	if (var != V_NO_SIGNER) {
		cw_int(w, 5);
		cw_bstr(w, signer, 32);
	}
	if (var == V_DUP_KEY) {
		cw_int(w, 2396);
		cw_bstr(w, impl, 32);
	}
	if (var == V_BOTH_KEYS) {
		cw_int(w, -75003);
		cw_bstr(w, impl, 32);
	}
	if (var == V_DEEP) {
		/* An unknown claim nested 200 deep. */
		cw_int(w, 99999);
		for (int i = 0; i < 200; i++)
			cw_head(w, COSE_CBOR_ARRAY, 1);
		cw_int(w, 0);
	}
}

static void
test_made_tokens(void **state)
{
	static const char rd[] = "{\"nonce\":\"00ff\",\"model\":\"sha256:ab\"}";
	static const struct {
		enum variant var;
		bool allow_debug;
		const char *code; /* NULL: valid */
	} cases[] = {
	        {V_OK, false, NULL},
	        {V_LEGACY, false, NULL},
	        {V_DEBUG, false, "debug_not_allowed"},
	        {V_DEBUG, true, NULL},
	        {V_NO_NONCE, false, "psa_claims_invalid"},
	        {V_DUP_KEY, false, "psa_claims_invalid"},
	        {V_BOTH_KEYS, false, "psa_claims_invalid"},
	        {V_BAD_PROFILE, false, "psa_claims_invalid"},
	        {V_BAD_UEID, false, "psa_claims_invalid"},
	        {V_NO_SIGNER, false, "psa_claims_invalid"},
	        {V_DEEP, false, "psa_claims_invalid"},
	};
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char *pem = pem_of(key);
	json_t *col = iak_collateral("iak", pem);
	uint8_t nonce[64], *tok;
	struct cw *w = calloc(1, sizeof(*w));
	struct verdict v;
	size_t len;

	/* The attester binds runtime_data: SHA-512 in the challenge. */
	SHA512((const uint8_t *)rd, strlen(rd), nonce);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o = {.collateral = col,
		                 .allow_debug = cases[i].allow_debug,
		                 .runtime_data =
		                         cases[i].code == NULL ? rd : NULL};
		claims(w, cases[i].var, nonce);
		tok = sign_token(key, w, &len);
		run(tok, len, &o, &v);
		if (cases[i].code == NULL) {
			if (!verdict_valid(&v)) {
				char *s = json_dumps(v.errors, 0);
				print_error("case %zu: %s\n", i, s);
				free(s);
			}
			assert_true(verdict_valid(&v));
			assert_int_equal(v.binding_valid, TP_TRUE);
			assert_string_equal(
			        json_string_value(json_object_get(
			                json_object_get(v.claims,
			                                "runtime_data"),
			                "model")),
			        "sha256:ab");
		} else {
			assert_only_error(&v, cases[i].code);
		}
		verdict_free(&v);
		free(tok);
	}
	/* Other runtime_data than the one bound: binding_mismatch. */
	{
		struct opts o = {.collateral = col,
		                 .runtime_data = "{\"nonce\":\"00fe\"}"};
		claims(w, V_OK, nonce);
		tok = sign_token(key, w, &len);
		run(tok, len, &o, &v);
		assert_only_error(&v, "binding_mismatch");
		assert_int_equal(v.binding_valid, TP_FALSE);
		verdict_free(&v);
		free(tok);
	}
	free(w);
	json_decref(col);
	free(pem);
	EVP_PKEY_free(key);
}

#define TFM_ID                                                                 \
	"01fa58755f658627ce5460f29b75296713248cae7ad9e2984b90280efcbcb50248"

/*
 * The shapes load/arm.c reads and how the verifier names each (the same
 * codes and messages as when the verifier read the collateral itself).
 */
static void
test_loader_shapes(void **state)
{
	static const struct {
		const char *json; /* the request's collateral */
		const char *code; /* NULL: valid */
		const char *message;
	} cases[] = {
	        {"{}", "psa_key_missing",
	         "no provisioned key: give collateral {\"iak\": \"<PEM>\"} or "
	         "a collateral path holding iak_pub.pem"},
	        {"{\"iak\": \"\"}", "psa_key_invalid",
	         "collateral.iak: want a PEM EC public key"},
	        {"{\"iak\": null}", "psa_key_invalid",
	         "collateral.iak: want a PEM EC public key"},
	        {"{\"iak\": [\"x\"]}", "psa_key_invalid",
	         "collateral.iak: want a PEM EC public key"},
	        {"{\"iak\": {}}", "psa_key_missing",
	         "collateral.iak has no key for this token's instance id"},
	        {"{\"iak\": {\"" TFM_ID "\": 5}}", "psa_key_invalid",
	         "collateral.iak: want a PEM EC public key"},
	        {"{\"iak\": {\"" TFM_ID "\": \"\"}}", "psa_key_invalid",
	         "collateral.iak: want a PEM EC public key"},
	        /* A CCA key is no PSA key. */
	        {"{\"cpak\": \"x\"}", "psa_key_missing",
	         "no provisioned key: give collateral {\"iak\": \"<PEM>\"} or "
	         "a collateral path holding iak_pub.pem"},
	        {"[\"iak\"]", "psa_key_missing",
	         "no provisioned key: give collateral {\"iak\": \"<PEM>\"} or "
	         "a collateral path holding iak_pub.pem"},
	};
	struct verdict v;
	size_t len, plen;
	uint8_t *tok = tu_read_file(DIR_TFM "token.cbor", &len),
	        *pem = tu_read_file(DIR_TFM "iak_pub.pem", &plen);
	char dir[] = "/tmp/test_psa_XXXXXX", sub[64], file[192];
	struct artifact_set set;
	json_t *col;
	uint8_t *big;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o = {0};
		col = json_loads(cases[i].json, 0, NULL);
		assert_non_null(col);
		o.collateral = col;
		run(tok, len, &o, &v);
		assert_only_error(&v, cases[i].code);
		assert_string_equal(first_message(&v), cases[i].message);
		verdict_free(&v);
		json_decref(col);
	}

	/* The artifacts: keys and sources as verify/core/artifact.h says. */
	col = json_pack("{s:s, s:{s:s}}", "iak", (const char *)pem, "cpak",
	                TFM_ID, (const char *)pem);
	artifact_set_init(&set);
	load_json(TP_PROVIDER_ARM_PSA, col, &set);
	assert_int_equal(artifact_set_count(&set, ARTIFACT_ARM_KEY), 2);
	assert_string_equal(
	        artifact_set_find(&set, ARTIFACT_ARM_KEY, "iak")->source,
	        "request");
	assert_non_null(
	        artifact_set_find(&set, ARTIFACT_ARM_KEY, "cpak/" TFM_ID));
	assert_false(set.malformed);
	artifact_set_clear(&set);
	json_decref(col);
	load_path(TP_PROVIDER_ARM_PSA, DIR_TFM, &set);
	assert_int_equal(artifact_set_count(&set, ARTIFACT_ARM_KEY), 1);
	assert_string_equal(
	        artifact_set_find(&set, ARTIFACT_ARM_KEY, "iak_pub.pem")
	                ->source,
	        "directory");
	artifact_set_clear(&set);
	load_path(TP_PROVIDER_ARM_PSA, DIR_TFM "iak_pub.pem", &set);
	assert_string_equal(
	        artifact_set_find(&set, ARTIFACT_ARM_KEY, "")->source, "file");
	artifact_set_clear(&set);

	/* The export layout (DIR/arm_key/<name>.pem) is the operator's
	 * store too; a key file larger than any key is not read. */
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/arm_key", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/%s.pem", sub, TFM_ID);
	write_file(file, pem, plen);
	{
		struct opts o = {.path = dir};
		run(tok, len, &o, &v);
		assert_true(verdict_valid(&v));
		assert_true(v.hardware_verified);
		assert_string_equal(claim(&v, "attestation_key_source"),
		                    "collateral_path");
		verdict_free(&v);
	}
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(sub), 0);
	snprintf(file, sizeof(file), "%s/iak_pub.pem", dir);
	big = calloc(1, 64 * 1024 + 1);
	memcpy(big, pem, plen);
	write_file(file, big, 64 * 1024 + 1);
	{
		struct opts o = {.path = dir};
		run(tok, len, &o, &v);
		assert_only_error(&v, "psa_key_missing");
		assert_string_equal(first_message(&v),
		                    "no provisioned key: collateral_path/"
		                    "iak_pub.pem is not readable");
		verdict_free(&v);
		o.path = file;
		run(tok, len, &o, &v);
		assert_only_error(&v, "psa_key_missing");
		assert_string_equal(
		        first_message(&v),
		        "no provisioned key: collateral_path is not "
		        "readable");
		verdict_free(&v);
	}
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
	free(big);
	free(pem);
	free(tok);
}

/* Random corruptions of the sample (fixed seed): never valid, no crash. */
static void
test_random_corruption(void **state)
{
	struct verdict v;
	size_t len, plen;
	uint8_t *tok = tu_read_file(DIR_TFM "token.cbor", &len),
	        *pem = tu_read_file(DIR_TFM "iak_pub.pem", &plen),
	        *c = malloc(len);
	json_t *col = iak_collateral("iak", (const char *)pem);
	struct opts o = {.collateral = col};
	uint32_t x = 0x9e3779b9u;

	for (int i = 0; i < 3000; i++) {
		memcpy(c, tok, len);
		for (int f = 0; f <= i % 3; f++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			c[x % len] ^= (uint8_t)(1 + (x >> 24) % 255);
		}
		run(c, len, &o, &v);
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
	        cmocka_unit_test(test_tfm_sample),
	        cmocka_unit_test(test_keys),
	        cmocka_unit_test(test_loader_shapes),
	        cmocka_unit_test(test_hostile_sample),
	        cmocka_unit_test(test_made_tokens),
	        cmocka_unit_test(test_random_corruption),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
