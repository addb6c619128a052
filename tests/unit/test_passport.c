/* Passport keys, JWKS and ES256 signing. The token's signature is checked
 * here with OpenSSL directly (not libjwt); the integration tests check it
 * again with jose. */
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
#include <openssl/evp.h>

#include "common/codec.h"
#include "passport/passport.h"
#include "verify/core/ecdsa.h"

#define KEY "tests/data/keys/test_p256.pem"
/* Computed by jose.calculateJwkThumbprint (tests/data/keys/README.md). */
#define KEY_KID "F13doHsbODwmK485Exs5gAOd8w4LEtsySl5VvKxQ69s"

static void
test_thumbprint(void **state)
{
	struct passport_key k;
	char err[256];

	assert_int_equal(chmod(KEY, 0600), 0);
	assert_true(passport_key_load(KEY, &k, err, sizeof(err)));
	assert_string_equal(k.kid, KEY_KID);
	assert_string_equal(json_string_value(json_object_get(k.jwk, "kid")),
	                    KEY_KID);
	assert_string_equal(json_string_value(json_object_get(k.jwk, "alg")),
	                    "ES256");
	assert_null(json_object_get(k.jwk, "d")); /* never the private part */
	passport_key_free(&k);
}

static void
test_permissions(void **state)
{
	struct passport_key k;
	char err[256];

	assert_int_equal(chmod(KEY, 0640), 0);
	assert_false(passport_key_load(KEY, &k, err, sizeof(err)));
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(chmod(KEY, 0600), 0);
}

/* Splits a JWS, checks its ES256 signature with PUB; returns the
 * decoded header and payload. */
static void
check_jws(const char *tok, EVP_PKEY *pub, json_t **hdr, json_t **payload)
{
	const char *d1 = strchr(tok, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : 0;
	uint8_t *h = NULL, *p = NULL, *sig = NULL;
	size_t hl, pl, sl;

	assert_non_null(d2);
	assert_true(codec_base64_decode(tok, (size_t)(d1 - tok), &h, &hl));
	assert_true(
	        codec_base64_decode(d1 + 1, (size_t)(d2 - d1 - 1), &p, &pl));
	assert_true(codec_base64_decode(d2 + 1, strlen(d2 + 1), &sig, &sl));
	assert_int_equal(sl, 64);
	assert_true(ecdsa_verify_raw(pub, EVP_sha256(), (const uint8_t *)tok,
	                             (size_t)(d2 - tok), sig, sig + 32, 32));
	*hdr = json_loadb((char *)h, hl, 0, NULL);
	*payload = json_loadb((char *)p, pl, 0, NULL);
	free(h);
	free(p);
	free(sig);
}

static void
test_sign_and_claims(void **state)
{
	struct passport_key k;
	struct passport_params pp = {0};
	struct verdict v;
	json_t *claims, *hdr, *payload;
	char err[256], *tok;

	assert_int_equal(chmod(KEY, 0600), 0);
	assert_true(passport_key_load(KEY, &k, err, sizeof(err)));
	verdict_init(&v, TP_PROVIDER_INTEL_TDX, 1000);
	v.hardware_verified = true;
	verdict_pass(&v, "x");
	verdict_claim_str(&v, "mrtd", "ab");
	snprintf(v.tcb_status, sizeof(v.tcb_status), "UpToDate");
	/* Collateral expiring before iat + ttl caps exp. */
	verdict_expires_no_later_than(&v, 1000 + 3600);
	pp.issuer = "https://t.example";
	pp.id = "11111111-2222-4333-8444-555555555555";
	pp.iat = 1000;
	pp.ttl = 86400;
	claims = passport_claims(&v, &pp);
	assert_non_null(claims);
	assert_int_equal(json_integer_value(json_object_get(claims, "exp")),
	                 1000 + 3600);
	tok = passport_sign(&k, claims);
	assert_non_null(tok);
	check_jws(tok, k.pkey, &hdr, &payload);
	assert_string_equal(json_string_value(json_object_get(hdr, "alg")),
	                    "ES256");
	assert_string_equal(json_string_value(json_object_get(hdr, "kid")),
	                    KEY_KID);
	assert_string_equal(json_string_value(json_object_get(hdr, "typ")),
	                    "JWT");
	assert_string_equal(
	        json_string_value(json_object_get(payload, "eat_profile")),
	        "tag:github.com,2023:veraison/ear");
	{
		json_t *cpu = json_object_get(
		        json_object_get(payload, "submods"), "cpu0");
		json_t *tv = json_object_get(cpu, "ear.trustworthiness-vector");
		assert_string_equal(
		        json_string_value(json_object_get(cpu, "provider")),
		        "IntelTdx");
		assert_true(json_is_true(
		        json_object_get(cpu, "hardware_verified")));
		assert_string_equal(
		        json_string_value(json_object_get(cpu, "ear.status")),
		        "affirming");
		assert_string_equal(
		        json_string_value(json_object_get(
		                json_object_get(
		                        cpu, "ear.teepass.annotated-evidence"),
		                "mrtd")),
		        "ab");
		/* All eight AR4SI claims, always. */
		assert_int_equal(json_object_size(tv), 8);
		assert_int_equal(
		        json_integer_value(json_object_get(tv, "hardware")), 2);
		assert_int_equal(json_integer_value(
		                         json_object_get(tv, "runtime-opaque")),
		                 2);
		assert_int_equal(
		        json_integer_value(json_object_get(tv, "executables")),
		        0);
		assert_non_null(strstr(json_string_value(json_object_get(
		                               cpu, "ear.appraisal-policy-id")),
		                       "IntelTdx/sha256:"));
	}
	assert_null(json_object_get(payload, "tee_type"));
	assert_null(json_object_get(payload, "ear.status"));
	assert_null(json_object_get(payload, "eat_nonce"));
	assert_int_equal(json_integer_value(json_object_get(payload, "iat")),
	                 1000);
	/* A flipped payload byte breaks the signature. */
	tok[strchr(tok, '.') - tok + 5] ^= 1;
	{
		const char *d2 = strrchr(tok, '.');
		uint8_t *sig;
		size_t sl;
		assert_true(
		        codec_base64_decode(d2 + 1, strlen(d2 + 1), &sig, &sl));
		assert_false(ecdsa_verify_raw(
		        k.pkey, EVP_sha256(), (const uint8_t *)tok,
		        (size_t)(d2 - tok), sig, sig + 32, 32));
		free(sig);
	}
	json_decref(hdr);
	json_decref(payload);
	/* Claims serialised already are signed as they are: the payload
	 * part is their base64url, the header part passport_sign's. */
	{
		char *text = json_dumps(claims, JSON_COMPACT), *b64, *tok2;

		assert_non_null(text);
		tok2 = passport_sign_text(&k, text);
		assert_non_null(tok2);
		check_jws(tok2, k.pkey, &hdr, &payload);
		b64 = codec_base64url_encode((const uint8_t *)text,
		                             strlen(text));
		assert_non_null(b64);
		assert_memory_equal(tok2, tok,
		                    (size_t)(strchr(tok, '.') - tok));
		assert_memory_equal(strchr(tok2, '.') + 1, b64, strlen(b64));
		assert_int_equal(strrchr(tok2, '.') - strchr(tok2, '.') - 1,
		                 strlen(b64));
		assert_null(passport_sign_text(&k, NULL));
		json_decref(hdr);
		json_decref(payload);
		free(b64);
		free(tok2);
		free(text);
	}
	/* The policy id of expected values given serialised is the one of
	 * the values; other text gives another. */
	{
		json_t *pol = json_pack("{s:{s:s}}", "runtime", "mrtd", "ab");
		json_t *c1, *c2, *c3;
		const char *path[] = {"submods", "cpu0",
		                      "ear.appraisal-policy-id"};
		const json_t *x1, *x2, *x3;

		pp.policy = pol;
		pp.policy_json = NULL;
		c1 = passport_claims(&v, &pp);
		pp.policy_json = "{\"runtime\":{\"mrtd\":\"ab\"}}";
		c2 = passport_claims(&v, &pp);
		pp.policy_json = "{\"runtime\":{\"mrtd\":\"cd\"}}";
		c3 = passport_claims(&v, &pp);
		x1 = c1;
		x2 = c2;
		x3 = c3;
		for (size_t i = 0; i < 3; i++) {
			x1 = json_object_get(x1, path[i]);
			x2 = json_object_get(x2, path[i]);
			x3 = json_object_get(x3, path[i]);
		}
		assert_non_null(json_string_value(x1));
		assert_string_equal(json_string_value(x1),
		                    json_string_value(x2));
		assert_string_not_equal(json_string_value(x1),
		                        json_string_value(x3));
		pp.policy = NULL;
		pp.policy_json = NULL;
		json_decref(c1);
		json_decref(c2);
		json_decref(c3);
		json_decref(pol);
	}
	json_decref(claims);
	free(tok);
	verdict_free(&v);
	passport_key_free(&k);
}

/* eat_nonce is the challenge; cnf carries a bound key as a JWK (RFC
 * 7800), from a JWK or a PEM SubjectPublicKeyInfo; a private JWK is no
 * cnf. A public-only key signs nothing. */
static void
test_nonce_cnf_and_public_only(void **state)
{
	struct passport_key k, pub;
	struct passport_params pp = {0};
	struct verdict v;
	json_t *claims, *cnf, *jwk;
	char err[256];
	const char *pem =
	        "-----BEGIN PUBLIC KEY-----\n"
	        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1+"
	        "Qy5cezlcdYxkwcl8WWXayO73Ft\n"
	        "0n1qVSRA8RMETRPMlLOeRn0k+yMZ3xE9kvrtP+bhlrh5cnzGh3g6oO2Gvg==\n"
	        "-----END PUBLIC KEY-----\n";

	assert_int_equal(chmod(KEY, 0600), 0);
	verdict_init(&v, TP_PROVIDER_MOCK, 1000);
	verdict_pass(&v, "x");
	v.bound = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "nonce", "short",
	                    "public_key", "kty", "EC", "crv", "P-256", "x",
	                    "AA", "y", "BB");
	pp.issuer = "https://t.example";
	pp.id = "11111111-2222-4333-8444-555555555555";
	pp.iat = 1000;
	pp.ttl = 60;
	pp.nonce_hex = "00112233445566778899aabbccddeeff00112233445566778899aab"
	               "bccddeeff";
	claims = passport_claims(&v, &pp);
	assert_string_equal(
	        json_string_value(json_object_get(claims, "eat_nonce")),
	        pp.nonce_hex);
	jwk = json_object_get(json_object_get(claims, "cnf"), "jwk");
	assert_string_equal(json_string_value(json_object_get(jwk, "x")), "AA");
	assert_non_null(
	        json_object_get(json_object_get(claims, "submods"), "cpu0"));
	json_decref(claims);
	/* Without a challenge, a bound nonce too short for EAT is left out. */
	pp.nonce_hex = NULL;
	claims = passport_claims(&v, &pp);
	assert_null(json_object_get(claims, "eat_nonce"));
	json_decref(claims);

	/* Computed by node's crypto.createPublicKey(pem).export({format:
	 * 'jwk'}). */
	{
		json_t *in = json_string(pem);
		cnf = passport_cnf(in);
		json_decref(in);
	}
	jwk = json_object_get(cnf, "jwk");
	assert_string_equal(json_string_value(json_object_get(jwk, "crv")),
	                    "P-256");
	assert_string_equal(json_string_value(json_object_get(jwk, "x")),
	                    "1-Qy5cezlcdYxkwcl8WWXayO73Ft0n1qVSRA8RMETRM");
	assert_string_equal(json_string_value(json_object_get(jwk, "y")),
	                    "zJSznkZ9JPsjGd8RPZL67T_m4Za4eXJ8xod4OqDthr4");
	json_decref(cnf);
	{
		json_t *bad = json_string("not a key");
		json_t *priv = json_pack("{s:s, s:s}", "kty", "EC", "d", "s");
		assert_null(passport_cnf(bad));
		assert_null(passport_cnf(priv));
		json_decref(bad);
		json_decref(priv);
	}

	assert_true(passport_key_load(KEY, &k, err, sizeof(err)));
	assert_true(passport_key_load_public(KEY, &pub, err, sizeof(err)));
	claims = json_pack("{s:s}", "a", "b");
	assert_null(passport_sign(&pub, claims));
	json_decref(claims);
	passport_key_free(&k);
	passport_key_free(&pub);
	verdict_free(&v);
}

static void
test_jwks_and_generate(void **state)
{
	struct passport_keyring r = {0};
	char path[] = "/tmp/teepass-keyXXXXXX", kid[48], err[256];
	int fd = mkstemp(path);
	struct stat st;
	json_t *jwks;

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_true(passport_key_generate(path, kid, err, sizeof(err)));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(passport_key_generate(path, kid, err, sizeof(err)));
	assert_non_null(strstr(err, "refusing to overwrite"));
	assert_true(passport_key_load(path, &r.current, err, sizeof(err)));
	assert_string_equal(r.current.kid, kid);
	assert_int_equal(chmod(KEY, 0600), 0);
	assert_true(
	        passport_key_load_public(KEY, &r.retired[0], err, sizeof(err)));
	r.n_retired = 1;
	assert_true(passport_key_load(KEY, &r.mock, err, sizeof(err)));
	/* The mock key here equals the retired one only to show that the
	 * JWKS is built from current + retired, never from r.mock. */
	jwks = passport_jwks(&r);
	assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 2);
	assert_string_equal(
	        json_string_value(json_object_get(
	                json_array_get(json_object_get(jwks, "keys"), 0),
	                "kid")),
	        kid);
	json_decref(jwks);
	passport_keyring_free(&r);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_thumbprint),
	        cmocka_unit_test(test_permissions),
	        cmocka_unit_test(test_sign_and_claims),
	        cmocka_unit_test(test_nonce_cnf_and_public_only),
	        cmocka_unit_test(test_jwks_and_generate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
