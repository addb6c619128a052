#ifndef TP_TEST_VERDICT_H
#define TP_TEST_VERDICT_H
/* Verdict accessors shared by the cmocka tests (include after cmocka.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "verify/core/verdict.h"

/* The code of the first error, or "" when there is none. */
static inline const char *
first_error(const struct verdict *v)
{
	json_t *e = json_array_get(v->errors, 0);

	return e == NULL ? "" : json_string_value(json_object_get(e, "code"));
}

/* Fails unless V is invalid with exactly one error, CODE. */
static inline void
assert_only_error(const struct verdict *v, const char *code)
{
	if (json_array_size(v->errors) != 1 ||
	    strcmp(first_error(v), code) != 0) {
		char *s = json_dumps(v->errors, 0);
		print_error("want only %s, have %s\n", code, s);
		free(s);
		fail();
	}
	assert_false(verdict_valid(v));
}

/* A string claim, or NULL. */
static inline const char *
claim(const struct verdict *v, const char *name)
{
	return json_string_value(json_object_get(v->claims, name));
}

/* V's errors, printed (before an assertion fails). */
static inline void
print_verdict_errors(const struct verdict *v)
{
	char *s = json_dumps(v->errors, 0);

	print_message("errors: %s\n", s);
	free(s);
}

/* Fails unless V is valid, naming its errors. */
static inline void
assert_verdict_valid(const struct verdict *v)
{
	if (!verdict_valid(v)) {
		char *s = json_dumps(v->errors, 0);

		print_error("want valid, have %s\n", s);
		free(s);
		fail();
	}
}

/* Did V run the check NAME, and did every check of that name pass? */
static inline bool
check_passed(const struct verdict *v, const char *name)
{
	json_t *c;
	size_t i;
	bool seen = false;

	json_array_foreach(v->checks, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "check")),
		           name) != 0)
			continue;
		if (!json_is_true(json_object_get(c, "ok")))
			return false;
		seen = true;
	}
	return seen;
}

#endif
