/* NRAS detached EAT: the Tinfoil H100 token as of its stated time
 * (MANIFEST: iat/nbf 1782698883 <= t < exp 1782702483), and tokens made
 * at test time with our own key for the result and nonce rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "verify/core/ecdsa.h"
#include "test_gpu_util.h"

#define DIR   NV "teep_tinfoil_h100_nras_20260629"
#define T_NBF 1782698883
#define T_EXP 1782702483
#define T_OK  1782700000
#define EAT_NONCE                                                              \
	"080c405ce6789e1761445180029523df3ae49576043f7f0868413a38e5e9a84e"

static void
run_file(const char *eat_path, json_t *coll, const char *path, int64_t now,
         struct verdict *v)
{
	size_t len;
	uint8_t *ev = tu_read_file(eat_path, &len);
	struct gpu_case c = {.ev = ev,
	                     .len = len,
	                     .collateral = coll,
	                     .path = path,
	                     .now = now};

	gpu_run(&c, v);
	free(ev);
}

static void
test_manifest(void **state)
{
	struct verdict v;
	json_t *g, *val;
	const char *k;
	int flags = 0;

	run_file(DIR "/nras_eat.json", NULL, DIR, T_OK, &v);
	if (!verdict_valid(&v))
		dump_errors(&v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.signature_valid, TP_TRUE);
	/* A service token with an unrooted key set: at most warning. */
	assert_string_equal(verdict_status(&v), "warning");
	assert_string_equal(claim_s(&v, "nonce"), EAT_NONCE);
	assert_true(
	        json_is_true(json_object_get(v.claims, "nras_overall_result")));
	assert_string_equal(claim_s(&v, "driver_version"), "595.71.05");
	assert_string_equal(claim_s(&v, "vbios_version"), "96.00.D9.00.02");
	assert_string_equal(claim_s(&v, "gpu_model"), "GH100");
	assert_string_equal(claim_s(&v, "gpu_arch"), "Hopper");
	g = json_object_get(json_object_get(v.claims, "gpus"), "GPU-0");
	assert_non_null(g);
	assert_string_equal(json_string_value(json_object_get(g, "hwmodel")),
	                    "GH100");
	assert_string_equal(json_string_value(json_object_get(g, "ueid")),
	                    "645491728318197586580044110930866076104639838622");
	assert_string_equal(json_string_value(json_object_get(g, "oemid")),
	                    "5703");
	assert_true(json_is_true(json_object_get(g, "secboot")));
	assert_string_equal(json_string_value(json_object_get(g, "dbgstat")),
	                    "disabled");
	assert_string_equal(json_string_value(json_object_get(g, "measres")),
	                    "success");
	assert_true(json_is_null(
	        json_object_get(g, "x-nvidia-attestation-warning")));
	json_object_foreach(g, k, val)
	{
		if (strncmp(k, "x-nvidia-gpu-", 13) == 0 &&
		    json_is_boolean(val)) {
			assert_true(json_is_true(val));
			flags++;
		}
	}
	assert_int_equal(flags, 16);
	assert_int_equal(v.evidence_time, T_NBF);
	assert_int_equal(v.expires_at, T_EXP);
	assert_string_equal(v.bindings[0].name, "nonce");
	verdict_free(&v);
}

static void
test_time_window(void **state)
{
	struct verdict v;

	run_file(DIR "/nras_eat.json", NULL, DIR, T_EXP, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "nras_token_expired");
	verdict_free(&v);
	run_file(DIR "/nras_eat.json", NULL, DIR, T_NBF - 3600, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "nras_token_expired");
	verdict_free(&v);
	run_file(DIR "/nras_eat.json", NULL, DIR, T_EXP - 1, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
}

static void
test_jwks_sources(void **state)
{
	struct verdict v;
	json_t *jwks = json_load_file(DIR "/nras_jwks.json", 0, NULL);
	json_t *coll = json_pack("{s:O}", "nras_jwks", jwks), *keys;
	size_t i;
	json_t *k;

	run_file(DIR "/nras_eat.json", coll, NULL, T_OK, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	/* none at all */
	run_file(DIR "/nras_eat.json", NULL, NULL, T_OK, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "nras_jwks_missing");
	verdict_free(&v);
	/* as its JSON text, and the JWKS file alone */
	{
		char *text = json_dumps(jwks, 0);
		json_t *c2 = json_pack("{s:s}", "nras_jwks", text);
		run_file(DIR "/nras_eat.json", c2, NULL, T_OK, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
		json_decref(c2);
		free(text);
		run_file(DIR "/nras_eat.json", NULL, DIR "/nras_jwks.json",
		         T_OK, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
	}
	/* of the wrong type: named, not valid */
	{
		json_t *c2 = json_pack("{s:i}", "nras_jwks", 5);
		run_file(DIR "/nras_eat.json", c2, NULL, T_OK, &v);
		assert_false(verdict_valid(&v));
		assert_string_equal(first_code(&v), "nras_jwks_missing");
		verdict_free(&v);
		json_decref(c2);
	}
	/* the signing kid removed */
	keys = json_object_get(json_object_get(coll, "nras_jwks"), "keys");
	json_array_foreach(keys, i, k)
	{
		if (strstr(json_string_value(json_object_get(k, "kid")),
		           "20260628170000087") != NULL) {
			json_array_remove(keys, i);
			break;
		}
	}
	run_file(DIR "/nras_eat.json", coll, NULL, T_OK, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "nras_key_unknown");
	verdict_free(&v);
	json_decref(coll);
	json_decref(jwks);
}

/* Flips one base64url character of part PART (0 header, 1 payload,
 * 2 signature) of the overall (which = 0) or GPU-0 (which = 1) token. */
static char *
eat_with_flip(int which, int part)
{
	size_t len;
	char *eat = (char *)tu_read_file(DIR "/nras_eat.json", &len);
	char *p = eat;
	int q = 0;

	/* Tokens start with "eyJ"; the first is the overall one, the
	 * GPU's follows its name. */
	if (which == 1)
		p = strstr(p, "\"GPU-0\"");
	p = strstr(p, "eyJ");
	for (int d = 0; d < part; d++)
		p = strchr(p, '.') + 1;
	/* a character well inside the part */
	p += 10;
	q = *p;
	*p = (char)(q == 'A' ? 'B' : 'A');
	return eat;
}

static void
run_text(const char *eat, int64_t now, struct verdict *v)
{
	struct gpu_case c = {.ev = (const uint8_t *)eat,
	                     .len = strlen(eat),
	                     .path = DIR,
	                     .now = now};

	gpu_run(&c, v);
}

static void
test_flips(void **state)
{
	static const struct {
		int which, part;
		const char *code;
	} f[] = {
	        {0, 0, "nras_token_invalid"},     /* header JSON breaks */
	        {0, 1, "nras_signature_invalid"}, /* or invalid JSON */
	        {0, 2, "nras_signature_invalid"},
	        {1, 0, "nras_digest_mismatch"},
	        {1, 1, "nras_digest_mismatch"},
	        {1, 2, "nras_digest_mismatch"},
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		struct verdict v;
		char *eat = eat_with_flip(f[i].which, f[i].part);
		run_text(eat, T_OK, &v);
		assert_false(verdict_valid(&v));
		/* A flipped header/payload character may break the JSON
		 * (token_invalid) or keep it parseable (signature). */
		if (strcmp(first_code(&v), f[i].code) != 0 &&
		    !(f[i].which == 0 &&
		      (strcmp(first_code(&v), "nras_token_invalid") == 0 ||
		       strcmp(first_code(&v), "nras_key_unknown") == 0))) {
			dump_errors(&v);
			fail_msg("flip %zu: want %s, have %s", i, f[i].code,
			         first_code(&v));
		}
		verdict_free(&v);
		free(eat);
	}
}

static void
test_truncation(void **state)
{
	size_t len;
	char *eat = (char *)tu_read_file(DIR "/nras_eat.json", &len);

	for (size_t n = 1; n < len; n++) {
		struct verdict v;
		char *t = malloc(n);
		memcpy(t, eat, n);
		struct gpu_case c = {
		        .ev = (uint8_t *)t, .len = n, .path = DIR, .now = T_OK};
		gpu_run(&c, &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		free(t);
	}
	free(eat);
}

/* Tokens signed at test time with our own P-384 key (kid "test"). */
static char *
sign_jwt(EVP_PKEY *k, json_t *payload)
{
	static const char hdr[] = "{\"kid\":\"test\",\"alg\":\"ES384\"}";
	char *h = codec_base64url_encode((const uint8_t *)hdr, strlen(hdr));
	char *ptxt = json_dumps(payload, JSON_COMPACT);
	char *p = codec_base64url_encode((uint8_t *)ptxt, strlen(ptxt));
	size_t n = strlen(h) + 1 + strlen(p);
	char *signing = malloc(n + 1), *s, *out;
	uint8_t sig[96];

	snprintf(signing, n + 1, "%s.%s", h, p);
	assert_true(ecdsa_sign_raw(k, EVP_sha384(), (uint8_t *)signing, n, sig,
	                           48));
	s = codec_base64url_encode(sig, 96);
	out = malloc(n + strlen(s) + 2);
	sprintf(out, "%s.%s", signing, s);
	free(h);
	free(ptxt);
	free(p);
	free(signing);
	free(s);
	return out;
}

static json_t *
jwks_of(EVP_PKEY *k)
{
	uint8_t pt[97];
	size_t n = sizeof(pt);
	char *x, *y;
	json_t *j;

	assert_int_equal(EVP_PKEY_get_octet_string_param(k, "encoded-pub-key",
	                                                 pt, sizeof(pt), &n),
	                 1);
	x = codec_base64url_encode(pt + 1, 48);
	y = codec_base64url_encode(pt + 49, 48);
	j = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s}]}", "keys", "kty", "EC",
	              "crv", "P-384", "kid", "test", "x", x, "y", y);
	free(x);
	free(y);
	return j;
}

static void
forged(bool overall_result, const char *gpu_nonce, const char *measres,
       const char *dbgstat, const char *want_code)
{
	EVP_PKEY *k = EVP_EC_gen("P-384");
	json_t *gp = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}",
	                       "iss", "https://nras.attestation.nvidia.com",
	                       "eat_nonce", gpu_nonce, "iat", (json_int_t)T_NBF,
	                       "nbf", (json_int_t)T_NBF, "exp",
	                       (json_int_t)T_EXP, "measres", measres, "dbgstat",
	                       dbgstat, "hwmodel", "GH100");
	char *gt = sign_jwt(k, gp), hex[65];
	uint8_t d[32];
	json_t *op, *eat, *coll = json_pack("{s:o}", "nras_jwks", jwks_of(k));
	char *ot, *text;
	struct verdict v;

	SHA256((uint8_t *)gt, strlen(gt), d);
	codec_hex_encode_to(d, 32, hex);
	op = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:{s:[s, [s, s]]}}",
	               "iss", "https://nras.attestation.nvidia.com",
	               "eat_nonce", EAT_NONCE, "iat", (json_int_t)T_NBF, "nbf",
	               (json_int_t)T_NBF, "exp", (json_int_t)T_EXP,
	               "x-nvidia-overall-att-result", overall_result, "submods",
	               "GPU-0", "DIGEST", "SHA-256", hex);
	ot = sign_jwt(k, op);
	eat = json_pack("[[s, s], {s:s}]", "JWT", ot, "GPU-0", gt);
	text = json_dumps(eat, JSON_COMPACT);
	struct gpu_case c = {.ev = (uint8_t *)text,
	                     .len = strlen(text),
	                     .collateral = coll,
	                     .now = T_OK};
	gpu_run(&c, &v);
	if (want_code == NULL) {
		if (!verdict_valid(&v))
			dump_errors(&v);
		assert_true(verdict_valid(&v));
	} else {
		assert_false(verdict_valid(&v));
		assert_string_equal(first_code(&v), want_code);
	}
	verdict_free(&v);
	free(text);
	free(ot);
	free(gt);
	json_decref(eat);
	json_decref(op);
	json_decref(gp);
	json_decref(coll);
	EVP_PKEY_free(k);
}

static void
test_forged_rules(void **state)
{
	/* control: our own well-formed token passes with our own JWKS */
	forged(true, EAT_NONCE, "success", "disabled", NULL);
	forged(false, EAT_NONCE, "success", "disabled", "nras_result_false");
	forged(true, EAT_NONCE, "fail", "disabled", "nras_result_false");
	forged(true, "000c405ce6789e1761445180029523df3ae49576043f7f0868413a38",
	       "success", "disabled", "nras_token_invalid");
	forged(true,
	       "000c405ce6789e1761445180029523df3ae49576043f7f0868413a38e5e9a84"
	       "e",
	       "success", "disabled", "nras_nonce_mismatch");
	forged(true, EAT_NONCE, "success", "enabled", "debug_not_allowed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_manifest),
	        cmocka_unit_test(test_time_window),
	        cmocka_unit_test(test_jwks_sources),
	        cmocka_unit_test(test_flips),
	        cmocka_unit_test(test_truncation),
	        cmocka_unit_test(test_forged_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
