/*
 * The bounded CBOR reader and COSE_Sign1 (verify/cose.h): RFC 9052
 * Appendix C.2.1 (with the C.7.1 key "11") as the known answer, and
 * hostile encodings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "common/codec.h"
#include "verify/core/cose.h"
#include "verify/core/ecdsa.h"

/* RFC 9052 C.2.1: tagged COSE_Sign1, ES256, kid "11", payload
 * "This is the content.". */
static const char rfc_msg[] =
        "d28443a10126a10442313154546869732069732074686520636f6e74656e742e"
        "58408eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4d25a91aef0b0"
        "117e2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345ca"
        "cb36";
/* Its ToBeSigned (cose-wg/Examples sign1-tests, "intermediates"). */
static const char rfc_tbs[] = "846a5369676e61747572653143a1012640545468697320"
                              "69732074686520636f6e74656e742e";
/* RFC 9052 C.7.1 key "11" (P-256): x || y. */
static const char rfc_key[] =
        "bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff"
        "20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e";

static uint8_t *
hex(const char *s, size_t *n)
{
	uint8_t *b;

	assert_true(codec_hex_decode(s, strlen(s), &b, n));
	return b;
}

static void
test_rfc9052_c21(void **state)
{
	struct cose_sign1 s;
	enum tp_err code;
	char why[200];
	size_t n, tn, kn, sl;
	uint8_t *msg = hex(rfc_msg, &n), *tbs = hex(rfc_tbs, &tn),
	        *key = hex(rfc_key, &kn), *sig;
	EVP_PKEY *pub = ecdsa_pub_from_point("P-256", key, kn);

	assert_non_null(pub);
	assert_true(cose_sign1_parse(msg, n, &s, &code, why, sizeof(why)));
	assert_true(s.tagged);
	assert_int_equal(s.alg, COSE_ALG_ES256);
	assert_int_equal(s.kid_len, 2);
	assert_memory_equal(s.kid, "11", 2);
	assert_int_equal(s.payload_len, 20);
	assert_memory_equal(s.payload, "This is the content.", 20);
	assert_true(cose_sig_structure(&s, &sig, &sl));
	assert_int_equal(sl, tn);
	assert_memory_equal(sig, tbs, tn);
	free(sig);
	assert_true(cose_sign1_verify(&s, pub, why, sizeof(why)));
	/* Untagged: the same message verifies. */
	assert_true(
	        cose_sign1_parse(msg + 1, n - 1, &s, &code, why, sizeof(why)));
	assert_false(s.tagged);
	assert_true(cose_sign1_verify(&s, pub, why, sizeof(why)));
	/* Every single-bit change of the payload or signature fails. */
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			msg[i] ^= (uint8_t)(1u << bit);
			if (cose_sign1_parse(msg, n, &s, &code, why,
			                     sizeof(why)) &&
			    s.kid_len == 2 && memcmp(s.kid, "11", 2) == 0)
				assert_false(cose_sign1_verify(&s, pub, why,
				                               sizeof(why)));
			msg[i] ^= (uint8_t)(1u << bit);
		}
	}
	EVP_PKEY_free(pub);
	free(msg);
	free(tbs);
	free(key);
}

static void
test_wrong_key_and_sizes(void **state)
{
	struct cose_sign1 s;
	enum tp_err code;
	char why[200];
	size_t n;
	uint8_t *msg = hex(rfc_msg, &n);
	EVP_PKEY *p384 = EVP_EC_gen("P-384"), *p256 = EVP_EC_gen("P-256");

	assert_true(cose_sign1_parse(msg, n, &s, &code, why, sizeof(why)));
	/* Another P-256 key; a P-384 key for ES256. */
	assert_false(cose_sign1_verify(&s, p256, why, sizeof(why)));
	assert_false(cose_sign1_verify(&s, p384, why, sizeof(why)));
	assert_non_null(strstr(why, "prime256v1"));
	assert_false(cose_sign1_verify(&s, NULL, why, sizeof(why)));
	/* A signature of the wrong size. */
	s.signature_len = 63;
	assert_false(cose_sign1_verify(&s, p256, why, sizeof(why)));
	EVP_PKEY_free(p384);
	EVP_PKEY_free(p256);
	free(msg);
}

/* Sign and verify with each algorithm. */
static void
test_roundtrip_algs(void **state)
{
	static const struct {
		const char *curve;
		uint8_t prot[4];
		size_t pl, n;
		int64_t alg;
		const EVP_MD *(*md)(void);
	} algs[] = {
	        {"P-256",
	         {0xa1, 0x01, 0x26},
	         3,
	         32,
	         COSE_ALG_ES256,
	         EVP_sha256},
	        {"P-384",
	         {0xa1, 0x01, 0x38, 0x22},
	         4,
	         48,
	         COSE_ALG_ES384,
	         EVP_sha384},
	        {"P-521",
	         {0xa1, 0x01, 0x38, 0x23},
	         4,
	         66,
	         COSE_ALG_ES512,
	         EVP_sha512},
	};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		EVP_PKEY *k = EVP_EC_gen(algs[i].curve);
		struct cose_sign1 s;
		enum tp_err code;
		uint8_t buf[300], *p = buf, *tbs, sig[132];
		size_t tl;
		char why[200];

		assert_non_null(k);
		memset(&s, 0, sizeof(s));
		s.alg = algs[i].alg;
		s.prot = algs[i].prot;
		s.prot_len = algs[i].pl;
		s.payload = (const uint8_t *)"payload";
		s.payload_len = 7;
		assert_true(cose_sig_structure(&s, &tbs, &tl));
		assert_true(ecdsa_sign_raw(k, algs[i].md(), tbs, tl, sig,
		                           algs[i].n));
		free(tbs);
		p += cose_cbor_put_head(p, COSE_CBOR_ARRAY, 4);
		p += cose_cbor_put_head(p, COSE_CBOR_BSTR, algs[i].pl);
		memcpy(p, algs[i].prot, algs[i].pl);
		p += algs[i].pl;
		*p++ = 0xa0;
		p += cose_cbor_put_head(p, COSE_CBOR_BSTR, 7);
		memcpy(p, "payload", 7);
		p += 7;
		p += cose_cbor_put_head(p, COSE_CBOR_BSTR, 2 * algs[i].n);
		memcpy(p, sig, 2 * algs[i].n);
		p += 2 * algs[i].n;
		assert_true(cose_sign1_parse(buf, (size_t)(p - buf), &s, &code,
		                             why, sizeof(why)));
		assert_int_equal(s.alg, algs[i].alg);
		assert_true(cose_sign1_verify(&s, k, why, sizeof(why)));
		/* Truncation at every offset: a parse error, never more. */
		for (size_t t = 0; t < (size_t)(p - buf); t++) {
			uint8_t *c = malloc(t + 1);
			memcpy(c, buf, t);
			assert_false(cose_sign1_parse(c, t, &s, &code, why,
			                              sizeof(why)));
			assert_int_equal(code, TP_ERR_cose_parse_error);
			free(c);
		}
		EVP_PKEY_free(k);
	}
}

static void
test_cbor_heads(void **state)
{
	static const struct {
		uint8_t b[10];
		size_t n;
		bool ok;
		uint8_t major;
		uint64_t arg;
	} cases[] = {
	        {{0x17}, 1, true, 0, 23},
	        {{0x18, 0x18}, 2, true, 0, 24},
	        {{0x19, 0x01, 0x00}, 3, true, 0, 256},
	        {{0x1a, 0, 1, 0, 0}, 5, true, 0, 65536},
	        {{0x1b, 0, 0, 0, 1, 0, 0, 0, 0}, 9, true, 0, 1ull << 32},
	        {{0x38, 0x22}, 2, true, 1, 34},
	        {{0x1c}, 1, false, 0, 0},             /* reserved */
	        {{0x1f}, 1, false, 0, 0},             /* indefinite */
	        {{0x5f, 0x40, 0xff}, 3, false, 0, 0}, /* indefinite bstr */
	        {{0x19, 0x01}, 2, false, 0, 0},       /* truncated */
	        {{0x43, 1, 2}, 3, false, 0, 0},       /* bstr past end */
	        {{0x83, 1, 2}, 3, false, 0, 0},       /* 3 items, 2 bytes */
	        {{0xa2, 1, 2, 3}, 4, false, 0, 0},    /* 2 pairs, 3 bytes */
	        {{0xf9, 0x3c, 0x00}, 3, true, 7, 0x3c00},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reader r;
		struct cose_cbor_head h;

		reader_init(&r, cases[i].b, cases[i].n);
		assert_int_equal(cose_cbor_head(&r, &h), cases[i].ok);
		if (!cases[i].ok) {
			assert_int_equal(reader_offset(&r), 0);
			continue;
		}
		assert_int_equal(h.major, cases[i].major);
		assert_int_equal(h.arg, cases[i].arg);
	}
}

static void
test_cbor_skip_and_types(void **state)
{
	/* {"a": [1, -2, h'00', "x", true, null, 1(0)]} */
	static const uint8_t ok[] = {0xa1, 0x61, 'a', 0x87, 0x01, 0x21, 0x41,
	                             0x00, 0x61, 'x', 0xf5, 0xf6, 0xc1, 0x00};
	uint8_t deep[64];
	struct reader r;
	struct cose_cbor_key k1, k2;
	int64_t iv;
	uint64_t uv;
	bool b;

	reader_init(&r, ok, sizeof(ok));
	assert_true(cose_cbor_skip(&r, 4));
	assert_int_equal(reader_remaining(&r), 0);
	reader_init(&r, ok, sizeof(ok));
	assert_false(cose_cbor_skip(&r, 2)); /* needs depth 3 */
	/* Nesting beyond the bound is refused, not recursed into. */
	memset(deep, 0x81, sizeof(deep));
	deep[63] = 0x00;
	reader_init(&r, deep, sizeof(deep));
	assert_false(cose_cbor_skip(&r, COSE_CBOR_MAX_DEPTH));
	assert_int_equal(reader_offset(&r), 0);
	/* Typed getters refuse other types and leave the reader. */
	reader_init(&r, ok + 4, sizeof(ok) - 4);
	assert_false(
	        cose_cbor_bstr(&r, &(const uint8_t *){NULL}, &(size_t){0}));
	assert_true(cose_cbor_uint(&r, &uv));
	assert_int_equal(uv, 1);
	assert_false(cose_cbor_uint(&r, &uv));
	assert_true(cose_cbor_int(&r, &iv));
	assert_int_equal(iv, -2);
	assert_true(cose_cbor_skip(&r, 1));
	assert_true(cose_cbor_key(&r, &k1));
	assert_true(cose_cbor_key_is_str(&k1, "x"));
	assert_false(cose_cbor_key_is_str(&k1, "xy"));
	assert_true(cose_cbor_bool(&r, &b));
	assert_true(b);
	assert_false(cose_cbor_bool(&r, &b));
	assert_true(cose_cbor_null(&r));
	/* Keys: 1 and "1" differ; -1 is NINT 0. */
	{
		static const uint8_t keys[] = {0x01, 0x61, '1', 0x20};
		reader_init(&r, keys, sizeof(keys));
		assert_true(cose_cbor_key(&r, &k1));
		assert_true(cose_cbor_key(&r, &k2));
		assert_false(cose_cbor_key_eq(&k1, &k2));
		assert_true(cose_cbor_key_is_int(&k1, 1));
		assert_true(cose_cbor_key(&r, &k2));
		assert_true(cose_cbor_key_is_int(&k2, -1));
	}
	/* int64 overflow: -2^64 does not fit. */
	{
		static const uint8_t big[] = {0x3b, 0xff, 0xff, 0xff, 0xff,
		                              0xff, 0xff, 0xff, 0xff};
		reader_init(&r, big, sizeof(big));
		assert_false(cose_cbor_int(&r, &iv));
	}
	/* Two-byte simple values below 32 are not well-formed. */
	{
		static const uint8_t bad[] = {0xf8, 0x10};
		reader_init(&r, bad, sizeof(bad));
		assert_false(cose_cbor_skip(&r, 1));
	}
}

/* Headers: crit, duplicates, alg placement, detached payload. */
static void
test_headers(void **state)
{
	static const struct {
		const char *hex;
		bool ok;
		enum tp_err code;
	} cases[] = {
	        /* {1:-7, 2:[4], 4:h'31'} protected: crit on kid, present */
	        {"8449a30126028104044131a041004100", true, 0},
	        /* crit names label 3 (cty), absent from the header */
	        {"8446a20126028103a041004100", false, TP_ERR_cose_parse_error},
	        /* crit names label 99, unknown */
	        {"8447a2012602811863a041004100", false,
	         TP_ERR_cose_crit_unsupported},
	        /* crit empty */
	        {"8445a201260280a041004100", false, TP_ERR_cose_parse_error},
	        /* no alg */
	        {"8441a0a041004100", false, TP_ERR_cose_alg_unsupported},
	        /* alg RS256 (-257) */
	        {"8445a101390100a041004100", false,
	         TP_ERR_cose_alg_unsupported},
	        /* detached payload */
	        {"8443a10126a0f64100", false, TP_ERR_cose_parse_error},
	        /* protected header with trailing byte */
	        {"8444a1012600a041004100", false, TP_ERR_cose_parse_error},
	        /* 3 items */
	        {"8343a10126a04100", false, TP_ERR_cose_parse_error},
	        /* tag 17 */
	        {"d18443a10126a041004100", false, TP_ERR_cose_parse_error},
	        /* payload a text string */
	        {"8443a10126a061004100", false, TP_ERR_cose_parse_error},
	        /* kid in both headers */
	        {"8446a2012604410aa104410a41004100", false,
	         TP_ERR_cose_parse_error},
	        /* unprotected key a bstr */
	        {"8443a10126a1410a0041004100", false, TP_ERR_cose_parse_error},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cose_sign1 s;
		enum tp_err code = 0;
		char why[200];
		size_t n;
		uint8_t *b = hex(cases[i].hex, &n);
		bool ok = cose_sign1_parse(b, n, &s, &code, why, sizeof(why));

		if (ok != cases[i].ok || (!ok && code != cases[i].code))
			print_error("case %zu: %s\n", i, ok ? "ok" : why);
		assert_int_equal(ok, cases[i].ok);
		if (!ok)
			assert_int_equal(code, cases[i].code);
		free(b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rfc9052_c21),
	        cmocka_unit_test(test_wrong_key_and_sizes),
	        cmocka_unit_test(test_roundtrip_algs),
	        cmocka_unit_test(test_cbor_heads),
	        cmocka_unit_test(test_cbor_skip_and_types),
	        cmocka_unit_test(test_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
