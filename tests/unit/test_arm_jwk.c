/*
 * Arm PSA / CCA verification keys as JWK and JWKS (issue 18): the real
 * TF-M PSA token and TF-RMM CCA token of tests/data (psa/, cca/: see
 * their PROVENANCE.md) verified with their PEM keys converted to JWK here,
 * by OpenSSL, at test time; JWKS selection by kid; hostile JWKs each
 * refused with its code.
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
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "load/load.h"
#include "verify/arm/arm_jwk.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define PSA_TOKEN "tests/data/psa/tfm_psa_2_0_0/token.cbor"
#define PSA_KEY   "tests/data/psa/tfm_psa_2_0_0/iak_pub.pem"
#define CCA_TOKEN "tests/data/cca/tfrmm_legacy_ccassd/token.cbor"
#define CCA_KEY   "tests/data/cca/tfrmm_legacy_ccassd/cpak_pub.pem"
/* Instance ids from ../shared/vectors/{psa,cca}/MANIFEST.md. */
#define PSA_INSTANCE                                                           \
	"01fa58755f658627ce5460f29b75296713248cae7ad9e2984b90280efcbcb50248"
#define CCA_INSTANCE                                                           \
	"0107060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918"

static void
run(enum tp_provider p, const char *token, const json_t *col, const char *path,
    struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;
	size_t len;
	uint8_t *buf = tu_read_file(token, &len);

	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	if (col != NULL)
		load_json(p, col, &set);
	else if (path != NULL)
		load_path(p, path, &set);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = p;
	req.artifacts = &set;
	req.now = 1700000000;
	req.cfg = &cfg;
	verify_run(&req, v);
	artifact_set_clear(&set);
	verify_config_free(&cfg);
	free(buf);
}

static EVP_PKEY *
read_pem(const char *path)
{
	size_t n;
	uint8_t *pem = tu_read_file(path, &n);
	BIO *b = BIO_new_mem_buf(pem, (int)n);
	EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);

	assert_non_null(k);
	BIO_free(b);
	free(pem);
	return k;
}

/* The JWK of K as OpenSSL exports it: x, y from the uncompressed point. */
static json_t *
jwk_of(EVP_PKEY *k, const char *kid)
{
	uint8_t pt[1 + 2 * 66];
	size_t n = 0, c;
	char group[32];
	char *x, *y;
	json_t *j;

	assert_int_equal(
	        EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	                                       group, sizeof(group), NULL),
	        1);
	assert_int_equal(
	        EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt,
	                                        sizeof(pt), &n),
	        1);
	assert_int_equal(pt[0], 0x04);
	c = (n - 1) / 2;
	x = codec_base64url_encode(pt + 1, c);
	y = codec_base64url_encode(pt + 1 + c, c);
	j = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv",
	              strcmp(group, "prime256v1") == 0 ? "P-256" : "P-384", "x",
	              x, "y", y);
	if (kid != NULL)
		json_object_set_new(j, "kid", json_string(kid));
	free(x);
	free(y);
	return j;
}

static json_t *
jwk_of_file(const char *path, const char *kid)
{
	EVP_PKEY *k = read_pem(path);
	json_t *j = jwk_of(k, kid);

	EVP_PKEY_free(k);
	return j;
}

/* A fresh key of the same curve as PATH's. */
static json_t *
other_jwk(const char *curve, const char *kid)
{
	EVP_PKEY *k = EVP_EC_gen(curve);
	json_t *j;

	assert_non_null(k);
	j = jwk_of(k, kid);
	EVP_PKEY_free(k);
	return j;
}

/* SHA-256 of the SPKI of the PEM key at PATH, hex. */
static void
spki_sha256(const char *path, char hex[65])
{
	EVP_PKEY *k = read_pem(path);
	unsigned char *der = NULL;
	int dl = i2d_PUBKEY(k, &der);
	uint8_t md[32];

	SHA256(der, (size_t)dl, md);
	codec_hex_encode_to(md, 32, hex);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

struct fmt {
	enum tp_provider p;
	const char *token, *key, *member, *file, *instance, *curve, *step;
};

static const struct fmt fmts[] = {
        {TP_PROVIDER_ARM_PSA, PSA_TOKEN, PSA_KEY, "iak", "iak_pub.jwk",
         PSA_INSTANCE, "P-256", "psa_signature"},
        {TP_PROVIDER_ARM_CCA, CCA_TOKEN, CCA_KEY, "cpak", "cpak_pub.jwk",
         CCA_INSTANCE, "P-384", "cca_platform_signature"},
};

/* The real token verifies with its key as a JWK, a JWKS (by kid = the
 * instance id, or the one key), a store entry, and a .jwk file. */
static void
test_real_tokens_with_jwk(void **state)
{
	for (size_t f = 0; f < 2; f++) {
		const struct fmt *m = &fmts[f];
		char want[65], dir[] = "/tmp/tp_armjwk_XXXXXX", file[128];
		struct verdict v;
		json_t *jwk = jwk_of_file(m->key, NULL), *col;
		char *text;

		spki_sha256(m->key, want);

		/* A JWK object as the request's member. */
		col = json_pack("{s:O}", m->member, jwk);
		run(m->p, m->token, col, NULL, &v);
		assert_true(verdict_valid(&v));
		assert_int_equal(v.signature_valid, TP_TRUE);
		assert_false(v.hardware_verified);
		assert_string_equal(claim(&v, "attestation_key_sha256"), want);
		verdict_free(&v);
		json_decref(col);

		/* A JWKS: the key whose kid is the instance id, among
		 * another key. */
		col = json_pack("{s:{s:[o,o]}}", m->member, "keys",
		                other_jwk(m->curve, "someone-else"),
		                jwk_of_file(m->key, m->instance));
		run(m->p, m->token, col, NULL, &v);
		assert_true(verdict_valid(&v));
		assert_string_equal(claim(&v, "attestation_key_sha256"), want);
		verdict_free(&v);
		json_decref(col);

		/* A JWKS of one key without kid: that key. */
		col = json_pack("{s:{s:[O]}}", m->member, "keys", jwk);
		run(m->p, m->token, col, NULL, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
		json_decref(col);

		/* A store by instance id holding a JWK. */
		col = json_pack("{s:{s:O}}", m->member, m->instance, jwk);
		run(m->p, m->token, col, NULL, &v);
		assert_true(verdict_valid(&v));
		assert_string_equal(claim(&v, "attestation_key_source"),
		                    m->p == TP_PROVIDER_ARM_PSA
		                            ? "collateral.iak[instance_id]"
		                            : "collateral.cpak[instance_id]");
		verdict_free(&v);
		json_decref(col);

		/* The operator's directory with <key>_pub.jwk only: a
		 * provisioned key, so hardware-verified. */
		assert_non_null(mkdtemp(dir));
		snprintf(file, sizeof(file), "%s/%s", dir, m->file);
		text = json_dumps(jwk, 0);
		write_file(file, text);
		run(m->p, m->token, NULL, dir, &v);
		assert_true(verdict_valid(&v));
		assert_true(v.hardware_verified);
		assert_string_equal(verdict_status(&v), "affirming");
		{
			char src[160];
			snprintf(src, sizeof(src), "collateral_path/%s",
			         m->file);
			assert_string_equal(claim(&v, "attestation_key_source"),
			                    src);
		}
		verdict_free(&v);
		/* The JWK file itself as the collateral path. */
		run(m->p, m->token, NULL, file, &v);
		assert_true(verdict_valid(&v));
		assert_true(v.hardware_verified);
		verdict_free(&v);
		unlink(file);
		rmdir(dir);
		free(text);
		json_decref(jwk);
	}
}

/* A JWKS without a single key for the token: arm_jwk_kid_unknown; a JWK
 * of another key: the signature fails. */
static void
test_jwks_selection(void **state)
{
	for (size_t f = 0; f < 2; f++) {
		const struct fmt *m = &fmts[f];
		struct verdict v;
		json_t *col;

		/* Two keys, neither with the instance id as kid. */
		col = json_pack("{s:{s:[o,o]}}", m->member, "keys",
		                other_jwk(m->curve, "a"),
		                jwk_of_file(m->key, "b"));
		run(m->p, m->token, col, NULL, &v);
		assert_only_error(&v, "arm_jwk_kid_unknown");
		assert_int_equal(v.signature_valid, TP_FALSE);
		verdict_free(&v);
		json_decref(col);
		/* Two keys with the same (matching) kid: ambiguous. */
		col = json_pack("{s:{s:[o,o]}}", m->member, "keys",
		                other_jwk(m->curve, m->instance),
		                jwk_of_file(m->key, m->instance));
		run(m->p, m->token, col, NULL, &v);
		assert_only_error(&v, "arm_jwk_kid_unknown");
		verdict_free(&v);
		json_decref(col);
		/* The matching kid on another key: the signature fails. */
		col = json_pack("{s:{s:[o,o]}}", m->member, "keys",
		                other_jwk(m->curve, m->instance),
		                jwk_of_file(m->key, "b"));
		run(m->p, m->token, col, NULL, &v);
		assert_only_error(&v, "cose_signature_invalid");
		verdict_free(&v);
		json_decref(col);
		/* An empty JWKS. */
		col = json_pack("{s:{s:[]}}", m->member, "keys");
		run(m->p, m->token, col, NULL, &v);
		assert_only_error(&v, "arm_jwk_invalid");
		verdict_free(&v);
		json_decref(col);
	}
}

/* A JWK of the real key, altered by MUTATE, is refused with arm_jwk_invalid
 * and WANT in the message. */
static void
refused(const struct fmt *m, void (*mutate)(json_t *, const struct fmt *),
        const char *want)
{
	json_t *jwk = jwk_of_file(m->key, NULL), *col;
	struct verdict v;
	const char *msg;

	mutate(jwk, m);
	col = json_pack("{s:o}", m->member, jwk);
	run(m->p, m->token, col, NULL, &v);
	assert_only_error(&v, "arm_jwk_invalid");
	msg = json_string_value(
	        json_object_get(json_array_get(v.errors, 0), "message"));
	if (strstr(msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", msg, want);
	verdict_free(&v);
	json_decref(col);
}

static void
m_private(json_t *j, const struct fmt *m)
{
	json_object_set_new(j, "d", json_string("AAAA"));
}
static void
m_rsa(json_t *j, const struct fmt *m)
{
	json_object_set_new(j, "kty", json_string("RSA"));
}
static void
m_p521(json_t *j, const struct fmt *m)
{
	json_object_set_new(j, "crv", json_string("P-521"));
}
static void
m_wrong_curve(json_t *j, const struct fmt *m)
{
	/* The other supported curve: x, y then have the wrong size. */
	json_object_set_new(j, "crv",
	                    json_string(strcmp(m->curve, "P-256") == 0
	                                        ? "P-384"
	                                        : "P-256"));
}
static void
m_short_x(json_t *j, const struct fmt *m)
{
	char *x = strdup(json_string_value(json_object_get(j, "x")));

	x[strlen(x) - 2] = '\0';
	json_object_set_new(j, "x", json_string(x));
	free(x);
}
static void
m_off_curve(json_t *j, const struct fmt *m)
{
	char *y = strdup(json_string_value(json_object_get(j, "y")));

	/* Another last symbol: another y, off the curve for this x. */
	y[0] = y[0] == 'A' ? 'B' : 'A';
	json_object_set_new(j, "y", json_string(y));
	free(y);
}
static void
m_padded(json_t *j, const struct fmt *m)
{
	char buf[128];

	snprintf(buf, sizeof(buf),
	         "%s=", json_string_value(json_object_get(j, "x")));
	json_object_set_new(j, "x", json_string(buf));
}
static void
m_use_enc(json_t *j, const struct fmt *m)
{
	json_object_set_new(j, "use", json_string("enc"));
}
static void
m_alg(json_t *j, const struct fmt *m)
{
	json_object_set_new(j, "alg",
	                    json_string(strcmp(m->curve, "P-256") == 0
	                                        ? "ES384"
	                                        : "ES256"));
}
static void
m_ops(json_t *j, const struct fmt *m)
{
	json_object_set_new(j, "key_ops", json_pack("[s]", "sign"));
}
static void
m_no_y(json_t *j, const struct fmt *m)
{
	json_object_del(j, "y");
}

static void
test_hostile_jwks(void **state)
{
	for (size_t f = 0; f < 2; f++) {
		const struct fmt *m = &fmts[f];

		refused(m, m_private, "private key");
		refused(m, m_rsa, "kty");
		refused(m, m_p521, "crv");
		refused(m, m_wrong_curve, "x, y");
		refused(m, m_short_x, "x, y");
		refused(m, m_off_curve, "not a point");
		refused(m, m_padded, "x, y");
		refused(m, m_use_enc, "use");
		refused(m, m_alg, "alg");
		refused(m, m_ops, "key_ops");
		refused(m, m_no_y, "x, y");
	}
	/* "use": "sig", "alg" of the curve, "key_ops": ["verify"]: fine. */
	{
		json_t *jwk = jwk_of_file(PSA_KEY, NULL), *col;
		struct verdict v;

		json_object_set_new(jwk, "use", json_string("sig"));
		json_object_set_new(jwk, "alg", json_string("ES256"));
		json_object_set_new(jwk, "key_ops", json_pack("[s]", "verify"));
		col = json_pack("{s:o}", "iak", jwk);
		run(TP_PROVIDER_ARM_PSA, PSA_TOKEN, col, NULL, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
		json_decref(col);
	}
	/* A .jwk file that is no JSON, and one of too many keys. */
	{
		char dir[] = "/tmp/tp_armjwk_XXXXXX", file[128];
		struct verdict v;
		json_t *keys = json_array(), *jwks;
		char *text;

		assert_non_null(mkdtemp(dir));
		snprintf(file, sizeof(file), "%s/iak_pub.jwk", dir);
		write_file(file, "{\"kty\": \"EC\", ");
		run(TP_PROVIDER_ARM_PSA, PSA_TOKEN, NULL, dir, &v);
		assert_false(verdict_valid(&v));
		assert_int_equal(v.signature_valid, TP_FALSE);
		verdict_free(&v);
		for (int i = 0; i < ARM_JWK_MAX_KEYS + 1; i++)
			json_array_append_new(
			        keys, jwk_of_file(PSA_KEY, PSA_INSTANCE));
		jwks = json_pack("{s:o}", "keys", keys);
		text = json_dumps(jwks, 0);
		write_file(file, text);
		run(TP_PROVIDER_ARM_PSA, PSA_TOKEN, NULL, dir, &v);
		assert_only_error(&v, "arm_jwk_invalid");
		verdict_free(&v);
		free(text);
		json_decref(jwks);
		unlink(file);
		rmdir(dir);
	}
}

/* The parser alone: COSE kid selection (as text or hex), bounds. */
static void
test_parser_kid(void **state)
{
	json_t *a = jwk_of_file(PSA_KEY, "k1"), *b = other_jwk("P-256", "6b32");
	json_t *jwks = json_pack("{s:[o,o]}", "keys", a, b);
	char *text = json_dumps(jwks, 0), why[200];
	static const uint8_t k1[] = {'k', '1'}, k2[] = {'k', '2'};
	enum tp_err code;
	EVP_PKEY *k, *want = read_pem(PSA_KEY);

	k = arm_jwk_key((const uint8_t *)text, strlen(text), k1, 2, NULL, &code,
	                why, sizeof(why));
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, want), 1);
	EVP_PKEY_free(k);
	/* "6b32" is the hex of "k2": the other key. */
	k = arm_jwk_key((const uint8_t *)text, strlen(text), k2, 2, NULL, &code,
	                why, sizeof(why));
	assert_non_null(k);
	assert_int_not_equal(EVP_PKEY_eq(k, want), 1);
	EVP_PKEY_free(k);
	k = arm_jwk_key((const uint8_t *)text, strlen(text),
	                (const uint8_t *)"zz", 2, NULL, &code, why,
	                sizeof(why));
	assert_null(k);
	assert_int_equal(code, TP_ERR_arm_jwk_kid_unknown);
	/* Not JSON, empty, oversize. */
	assert_null(arm_jwk_key((const uint8_t *)"{", 1, NULL, 0, NULL, &code,
	                        why, sizeof(why)));
	assert_int_equal(code, TP_ERR_arm_jwk_invalid);
	assert_null(arm_jwk_key((const uint8_t *)"", 0, NULL, 0, NULL, &code,
	                        why, sizeof(why)));
	{
		size_t n = ARM_JWK_MAX_TEXT + 1;
		uint8_t *big = malloc(n);
		memset(big, ' ', n);
		big[0] = '{';
		assert_null(arm_jwk_key(big, n, NULL, 0, NULL, &code, why,
		                        sizeof(why)));
		assert_int_equal(code, TP_ERR_arm_jwk_invalid);
		free(big);
	}
	assert_true(arm_jwk_is_json((const uint8_t *)" \n{", 3));
	assert_false(arm_jwk_is_json((const uint8_t *)"-----BEGIN", 10));
	EVP_PKEY_free(want);
	free(text);
	json_decref(jwks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_real_tokens_with_jwk),
	        cmocka_unit_test(test_jwks_selection),
	        cmocka_unit_test(test_hostile_jwks),
	        cmocka_unit_test(test_parser_kid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
