/*
 * API keys (common/apikey.c): shape of generated tokens, parsing of
 * presented ones, constant-time match against the stored SHA-256. The
 * expected digest of the fixed token was computed with sha256sum(1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/apikey.h"

#define FIXED "tp_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define FIXED_SHA256                                                           \
	"38df847677c82e66be0f3c05456ab362f0968172f96446a6f29ba2f42fcb764e"

static void
test_parse_fixed(void **state)
{
	char id[APIKEY_ID_LEN + 1];
	uint8_t md[32];

	assert_int_equal(strlen(FIXED), APIKEY_TOKEN_LEN);
	assert_true(apikey_parse(FIXED, id, md));
	assert_string_equal(id, "0123456789abcdef");
	assert_true(apikey_matches(md, FIXED_SHA256));
	/* One hex digit off: no match. */
	assert_false(apikey_matches(
	        md, "38df847677c82e66be0f3c05456ab362f0968172f96446a6f29ba2f42"
	            "fcb764f"));
	assert_false(apikey_matches(md, "not hex"));
	assert_false(apikey_matches(md, NULL));
}

static void
test_generate(void **state)
{
	char id[APIKEY_ID_LEN + 1], id2[APIKEY_ID_LEN + 1];
	char token[APIKEY_TOKEN_LEN + 1], token2[APIKEY_TOKEN_LEN + 1];
	char sha[65], sha2[65];
	uint8_t md[32];

	assert_true(apikey_generate(id, token, sha));
	assert_true(apikey_generate(id2, token2, sha2));
	assert_int_equal(strlen(token), APIKEY_TOKEN_LEN);
	assert_memory_equal(token, "tp_", 3);
	assert_memory_equal(token + 3, id, APIKEY_ID_LEN);
	assert_string_not_equal(token, token2);
	assert_string_not_equal(id, id2);
	assert_true(apikey_parse(token, id2, md));
	assert_string_equal(id2, id);
	assert_true(apikey_matches(md, sha));
	assert_false(apikey_matches(md, sha2));
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
	        "",
	        "tp_",
	        FIXED "A",
	        "tp_0123456789ABCDEF_"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	        "xp_0123456789abcdef_"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	        "tp_0123456789abcdef-"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	        "tp_0123456789abcdef_"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "tp_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAA "
	        "AAAAAAAAAAAAAAAAAAAAA",
	        "tp_0123456789abcdef_"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	char id[APIKEY_ID_LEN + 1];
	uint8_t md[32];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (apikey_parse(bad[i], id, md))
			fail_msg("accepted malformed token #%zu", i);
	assert_false(apikey_parse(NULL, id, md));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_fixed),
	        cmocka_unit_test(test_generate),
	        cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
