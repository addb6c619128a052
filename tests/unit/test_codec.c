/* Evidence decoding, the bounded reader and time parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/core/reader.h"

static void
test_hex(void **state)
{
	uint8_t *b;
	size_t n;

	assert_true(codec_evidence_decode("0x0400ff", 8, &b, &n));
	assert_int_equal(n, 3);
	assert_memory_equal(b, "\x04\x00\xff", 3);
	free(b);
	assert_true(codec_evidence_decode("0400FF", 6, &b, &n));
	assert_memory_equal(b, "\x04\x00\xff", 3);
	free(b);
	assert_false(codec_hex_decode("0x040", 5, &b, &n));
	assert_null(b);
	assert_false(codec_evidence_decode("0xzz", 4, &b, &n));
	char *s = codec_hex_encode((const uint8_t *)"\x00\xab", 2);
	assert_string_equal(s, "00ab");
	free(s);
}

static void
test_base64(void **state)
{
	uint8_t *b;
	size_t n;
	/* "hello?>" in base64 (with + and /) and base64url (- and _). */
	assert_true(codec_evidence_decode("aGVsbG8/Pg==", 12, &b, &n));
	assert_int_equal(n, 7);
	assert_memory_equal(b, "hello?>", 7);
	free(b);
	assert_true(codec_evidence_decode("aGVsbG8_Pg", 10, &b, &n));
	assert_memory_equal(b, "hello?>", 7);
	free(b);
	/* Whitespace inside, bad padding, non-canonical trailing bits. */
	assert_false(codec_evidence_decode("aGVs bG8=", 9, &b, &n));
	assert_false(codec_evidence_decode("aGVsbG8/Pg=", 11, &b, &n));
	assert_false(codec_evidence_decode("aGVsbG9=", 8, &b, &n));
	assert_false(codec_evidence_decode("   ", 3, &b, &n));
	char *e = codec_base64url_encode((const uint8_t *)"hello?>", 7);
	assert_string_equal(e, "aGVsbG8_Pg");
	free(e);
	e = codec_base64_encode((const uint8_t *)"hello?>", 7);
	assert_string_equal(e, "aGVsbG8/Pg==");
	free(e);
}

static void
test_reader(void **state)
{
	const uint8_t buf[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0};
	struct reader r, sub;
	uint16_t a;
	uint32_t b;
	uint64_t c;
	const uint8_t *p;

	reader_init(&r, buf, sizeof(buf));
	assert_true(reader_u16le(&r, &a));
	assert_int_equal(a, 0x0201);
	assert_true(reader_u32be(&r, &b));
	assert_int_equal(b, 0x03040506);
	/* A read past the end fails and leaves the reader where it was. */
	assert_false(reader_u64le(&r, &c));
	assert_int_equal(reader_offset(&r), 6);
	assert_false(reader_bytes(&r, SIZE_MAX, &p));
	assert_false(reader_sub(&r, 6, &sub));
	assert_true(reader_sub(&r, 3, &sub));
	assert_int_equal(reader_remaining(&sub), 3);
	assert_true(reader_rest_is_zero(&r));
	assert_false(reader_rest_is_zero(&sub));
	assert_true(reader_skip(&r, 2));
	assert_int_equal(reader_remaining(&r), 0);
	assert_false(reader_skip(&r, 1));
}

static void
test_time(void **state)
{
	int64_t t;
	char buf[32];

	assert_true(tptime_parse("2025-07-19T10:01:17Z", &t));
	assert_int_equal(t, 1752919277);
	assert_true(tptime_parse("2025-07-19T12:01:17.250+02:00", &t));
	assert_int_equal(t, 1752919277);
	assert_false(tptime_parse("2025-02-30T10:00:00Z", &t));
	assert_false(tptime_parse("2025-07-19T10:01:17", &t));
	assert_false(tptime_parse("2025-07-19T10:01:17Zjunk", &t));
	tptime_format(1752919277, buf);
	assert_string_equal(buf, "2025-07-19T10:01:17Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hex),
	        cmocka_unit_test(test_base64),
	        cmocka_unit_test(test_reader),
	        cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
