/* The error-code registry: unique snake_case codes, valid HTTP statuses. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"

static void
test_unique_codes(void **state)
{
	for (int i = TP_ERR_none + 1; i < TP_ERR__COUNT; i++)
		for (int j = i + 1; j < TP_ERR__COUNT; j++)
			if (strcmp(tp_err_code(i), tp_err_code(j)) == 0)
				fail_msg("code %s registered twice",
				         tp_err_code(i));
}

static void
test_snake_case_and_status(void **state)
{
	for (int i = TP_ERR_none + 1; i < TP_ERR__COUNT; i++) {
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

/* "No error" is zero, so a zeroed struct or an unset result is never
 * mistaken for a real code. */
static void
test_none_is_zero(void **state)
{
	assert_int_equal(TP_ERR_none, 0);
	assert_string_equal(tp_err_code(TP_ERR_none), "none");
	for (int i = TP_ERR_none + 1; i < TP_ERR__COUNT; i++)
		assert_string_not_equal(tp_err_code(i), "none");
}

/*
 * tests/data/error_codes.golden lists every code ever used, append-only:
 * a code that disappears from the registry was renamed or removed (a
 * client matching on it breaks), a registered code missing from the list
 * was added without being recorded.
 */
static void
test_golden_list(void **state)
{
	char path[4096], line[256];
	const char *src = getenv("TEEPASS_SOURCE_DIR");
	bool seen[TP_ERR__COUNT] = {false};
	FILE *f;
	size_t lines = 0;

	snprintf(path, sizeof(path), "%s/tests/data/error_codes.golden",
	         src != NULL ? src : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		int found = -1;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		lines++;
		for (int i = TP_ERR_none + 1; i < TP_ERR__COUNT; i++)
			if (strcmp(tp_err_code(i), line) == 0)
				found = i;
		if (found < 0)
			fail_msg(
			        "golden code %s is no longer registered: codes "
			        "are never renamed or removed",
			        line);
		if (seen[found])
			fail_msg("golden code %s is listed twice", line);
		seen[found] = true;
	}
	fclose(f);
	for (int i = TP_ERR_none + 1; i < TP_ERR__COUNT; i++)
		if (!seen[i])
			fail_msg("code %s is registered but not appended to "
			         "tests/data/error_codes.golden",
			         tp_err_code(i));
	assert_int_equal(lines, TP_ERR__COUNT - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_unique_codes),
	        cmocka_unit_test(test_snake_case_and_status),
	        cmocka_unit_test(test_none_is_zero),
	        cmocka_unit_test(test_golden_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
