/* Shared by fuzz_fastjson.c and tests/unit/test_fastjson.c. */
#ifndef TP_TESTS_JSON_SAME_H
#define TP_TESTS_JSON_SAME_H
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Equal trees, members in the same order (json_equal ignores order). */
static inline bool
same_tree(const json_t *a, const json_t *b)
{
	char *x, *y;
	bool same;

	if (!json_equal(a, b))
		return false;
	x = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
	y = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
	same = x != NULL && y != NULL && strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

#endif
