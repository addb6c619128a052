#ifndef TP_TEST_VERDICT_H
#define TP_TEST_VERDICT_H
/* Verdict accessors shared by the cmocka tests (include after cmocka.h). */
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

#endif
