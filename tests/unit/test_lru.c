/* verify/core/lru.c: bounded, least recently used first, windows, exact
 * keys, objects destroyed exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verify/core/lru.h"

static int live; /* objects not yet destroyed */

struct obj {
	int id;
};

static void
obj_destroy(void *o)
{
	assert_non_null(o);
	live--;
	free(o);
}

static void *
obj_new(int id)
{
	struct obj *o = malloc(sizeof(*o));

	assert_non_null(o);
	o->id = id;
	live++;
	return o;
}

static bool
obj_copy(void *o, void *out)
{
	*(int *)out = ((struct obj *)o)->id;
	return true;
}

static bool
obj_refuse(void *o, void *out)
{
	(void)o;
	(void)out;
	return false;
}

static void
key_of(int i, uint8_t key[32])
{
	memset(key, 0, 32);
	memcpy(key, &i, sizeof(i));
	key[31] = 0x5a;
}

static int
get(struct lru *c, int i, int64_t at)
{
	uint8_t key[32];
	int id = -1;

	key_of(i, key);
	return lru_get(c, key, at, obj_copy, &id) ? id : -1;
}

static void
put(struct lru *c, int i, int64_t from, int64_t until)
{
	uint8_t key[32];

	key_of(i, key);
	lru_put(c, key, from, until, obj_new(i));
}

static void
test_bounded_lru(void **state)
{
	struct lru *c = lru_new(4, obj_destroy);
	struct lru_stats st;

	(void)state;
	for (int i = 0; i < 4; i++)
		put(c, i, 0, 100);
	/* 0 used: 1 is now the least recently used. */
	assert_int_equal(get(c, 0, 50), 0);
	put(c, 4, 0, 100);
	assert_int_equal(get(c, 1, 50), -1);
	assert_int_equal(get(c, 0, 50), 0);
	assert_int_equal(get(c, 4, 50), 4);
	lru_stats(c, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(live, 4);
	/* Many more than fit: never more than 4 alive. */
	for (int i = 10; i < 1000; i++) {
		put(c, i, 0, 100);
		assert_true(live <= 4);
	}
	assert_int_equal(get(c, 999, 1), 999);
	assert_int_equal(get(c, 995, 1), -1);
	/* Shrinking evicts at once; growing keeps what is there (and the
	 * index is rebuilt for the new size). */
	lru_configure(c, 2);
	assert_int_equal(live, 2);
	assert_int_equal(get(c, 999, 1), 999);
	lru_configure(c, 5000);
	assert_int_equal(get(c, 999, 1), 999);
	for (int i = 0; i < 3000; i++)
		put(c, 20000 + i, 0, 100);
	for (int i = 0; i < 3000; i += 97)
		assert_int_equal(get(c, 20000 + i, 1), 20000 + i);
	assert_int_equal(get(c, 999, 1), 999);
	lru_clear(c);
	assert_int_equal(live, 0);
	lru_free(c);
}

static void
test_window_and_key(void **state)
{
	struct lru *c = lru_new(8, obj_destroy);
	uint8_t key[32];
	int id;

	(void)state;
	put(c, 7, 100, 200);
	/* Inside [from, until] only, both ends included. */
	assert_int_equal(get(c, 7, 99), -1);
	assert_int_equal(get(c, 7, 100), 7);
	assert_int_equal(get(c, 7, 200), 7);
	assert_int_equal(get(c, 7, 201), -1);
	/* One bit of the key changed: another key, no hit. */
	key_of(7, key);
	for (int b = 0; b < 256; b++) {
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
		assert_false(lru_get(c, key, 150, obj_copy, &id));
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	/* A copy that fails is a miss. */
	assert_false(lru_get(c, key, 150, obj_refuse, &id));
	/* Replacing destroys the old object once; the new window holds. */
	put(c, 7, 300, 400);
	assert_int_equal(live, 1);
	assert_int_equal(get(c, 7, 150), -1);
	assert_int_equal(get(c, 7, 350), 7);
	lru_free(c);
	assert_int_equal(live, 0);
}

static void
test_zero_caches_nothing(void **state)
{
	struct lru *c = lru_new(0, obj_destroy);

	(void)state;
	put(c, 1, 0, 100);
	assert_int_equal(live, 0);
	assert_int_equal(get(c, 1, 50), -1);
	lru_free(c);
	/* NULL-safe. */
	lru_free(NULL);
	assert_int_equal(get(NULL, 1, 50), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bounded_lru),
	        cmocka_unit_test(test_window_and_key),
	        cmocka_unit_test(test_zero_caches_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
