/* The error-code registry: unique snake_case codes, valid HTTP statuses. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"

static void
test_unique_codes(void **state)
{
	for (int i = 0; i < TP_ERR__COUNT; i++)
		for (int j = i + 1; j < TP_ERR__COUNT; j++)
			if (strcmp(tp_err_code(i), tp_err_code(j)) == 0)
				fail_msg("code %s registered twice",
				         tp_err_code(i));
}

static void
test_snake_case_and_status(void **state)
{
	for (int i = 0; i < TP_ERR__COUNT; i++) {
		const char *c = tp_err_code(i);
		int st = tp_err_status(i);
		assert_true(strlen(c) > 0);
		assert_true(islower((unsigned char)c[0]));
		for (const char *p = c; *p; p++)
			if (!islower((unsigned char)*p) &&
			    !isdigit((unsigned char)*p) && *p != '_')
				fail_msg("code %s is not snake_case", c);
		/* 200: reported inside a verdict; otherwise an error status. */
		if (st != 200 && !(st >= 400 && st <= 599))
			fail_msg("code %s has status %d", c, st);
		assert_true(strlen(tp_err_message(i)) > 0);
	}
	assert_int_equal(tp_err_status(TP_ERR_body_too_large), 413);
	assert_int_equal(tp_err_status(TP_ERR_unsupported_media_type), 415);
	assert_int_equal(tp_err_status(TP_ERR_database_unavailable), 503);
	assert_string_equal(tp_err_code(TP_ERR_body_too_large),
	                    "body_too_large");
	/* Out of range never crashes. */
	assert_string_equal(tp_err_code((enum tp_err)99999), "internal_error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_unique_codes),
	        cmocka_unit_test(test_snake_case_and_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
