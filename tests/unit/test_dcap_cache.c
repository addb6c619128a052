/*
 * The DCAP cache's two least-recently-used tiers (issue 20): a tier
 * evicts its own least recently used entry, a lookup renews an entry,
 * shared entries (collateral, PCK CAs) survive any flood of per-platform
 * ones, windows hold, and no object is destroyed while a caller holds it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verify/intel/dcap_cache.h"

static int destroyed;

struct obj {
	struct dcap_cached cached; /* first member */
	int id;
};

static void
obj_destroy(struct dcap_cached *c)
{
	destroyed++;
	free(c);
}

/* A distinct key for (TIER, I): SHA-256 of both, as the verifier keys. */
static void
key_of(int tier, int i, uint8_t key[32])
{
	const void *parts[2] = {&tier, &i};
	size_t lens[2] = {sizeof(tier), sizeof(i)};

	assert_true(dcap_sha256_parts(parts, lens, 2, key));
}

/* Caches a new object (I) of TIER (1: per-platform) and drops the
 * caller's reference: the cache then holds the only one. */
static void
put(int tier, int i, int64_t from, int64_t until)
{
	struct obj *o = calloc(1, sizeof(*o));
	uint8_t key[32];

	assert_non_null(o);
	o->cached.refs = 1;
	o->cached.platform = tier == 1;
	o->cached.destroy = obj_destroy;
	o->id = i;
	key_of(tier, i, key);
	dcap_cache_put(key, from, until, &o->cached);
	dcap_cache_release(&o->cached);
}

/* True when (TIER, I) is cached and valid at NOW (a lookup: renews it). */
static bool
has(int tier, int i, int64_t now)
{
	uint8_t key[32];
	struct obj *o;

	key_of(tier, i, key);
	if ((o = (struct obj *)dcap_cache_get(key, now)) == NULL)
		return false;
	assert_int_equal(o->id, i);
	dcap_cache_release(&o->cached);
	return true;
}

static int
setup(void **state)
{
	(void)state;
	dcap_cache_clear();
	destroyed = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dcap_cache_clear();
	dcap_cache_configure(DCAP_CACHE_SHARED_DEFAULT,
	                     DCAP_CACHE_PLATFORM_DEFAULT);
	return 0;
}

static void
test_lru_eviction(void **state)
{
	struct dcap_cache_stats st, st0;

	(void)state;
	dcap_cache_stats(&st0);
	dcap_cache_configure(8, 4);
	for (int i = 0; i < 4; i++)
		put(1, i, 0, 100);
	/* 0 used last: 1 is now the least recently used. */
	assert_true(has(1, 0, 10));
	put(1, 4, 0, 100);
	assert_false(has(1, 1, 10));
	assert_int_equal(destroyed, 1);
	for (int i = 0; i < 5; i++)
		if (i != 1)
			assert_true(has(1, i, 10));
	/* Least recent first: 0, 2, 3, 4; after 4 and 3 are used two more
	 * evict 0 and 2. */
	assert_true(has(1, 4, 10));
	assert_true(has(1, 3, 10));
	put(1, 5, 0, 100);
	put(1, 6, 0, 100);
	assert_false(has(1, 0, 10));
	assert_false(has(1, 2, 10));
	assert_true(has(1, 3, 10));
	assert_true(has(1, 4, 10));
	assert_true(has(1, 5, 10));
	assert_true(has(1, 6, 10));
	dcap_cache_stats(&st);
	assert_int_equal(st.entries[1], 4);
	assert_int_equal(st.evictions[1] - st0.evictions[1], 3);
	assert_int_equal(destroyed, 3);
	/* Shrinking evicts the least recently used at once. */
	dcap_cache_configure(8, 2);
	assert_false(has(1, 3, 10));
	assert_false(has(1, 4, 10));
	assert_true(has(1, 5, 10));
	assert_true(has(1, 6, 10));
	/* 0 caches nothing. */
	dcap_cache_configure(8, 0);
	put(1, 7, 0, 100);
	assert_false(has(1, 7, 10));
	assert_int_equal(destroyed, 8);
}

static void
test_shared_survive_platform_flood(void **state)
{
	struct dcap_cache_stats st, st0;

	(void)state;
	dcap_cache_stats(&st0);
	dcap_cache_configure(4, 64);
	for (int i = 0; i < 4; i++)
		put(0, i, 0, 100);
	/* 10,000 new platforms, each looked up as verification would. */
	for (int i = 0; i < 10000; i++) {
		put(1, i, 0, 100);
		assert_true(has(1, i, 10));
	}
	for (int i = 0; i < 4; i++)
		assert_true(has(0, i, 10));
	dcap_cache_stats(&st);
	assert_int_equal(st.entries[0], 4);
	assert_int_equal(st.entries[1], 64);
	assert_int_equal(st.evictions[0] - st0.evictions[0], 0);
	assert_int_equal(st.evictions[1] - st0.evictions[1], 10000 - 64);
	/* The newest 64 platforms are the ones kept. */
	assert_false(has(1, 10000 - 65, 10));
	assert_true(has(1, 10000 - 64, 10));
	/* A shared tier over its bound evicts its own oldest, not platforms. */
	put(0, 4, 0, 100);
	assert_false(has(0, 0, 10));
	dcap_cache_stats(&st);
	assert_int_equal(st.entries[1], 64);
}

static void
test_window_and_references(void **state)
{
	struct obj *held;
	uint8_t key[32];

	(void)state;
	dcap_cache_configure(4, 4);
	put(1, 1, 100, 200);
	assert_false(has(1, 1, 99));
	assert_true(has(1, 1, 100));
	assert_true(has(1, 1, 199));
	assert_false(has(1, 1, 200));
	/* A caller's reference outlives the entry's eviction. */
	key_of(1, 1, key);
	held = (struct obj *)dcap_cache_get(key, 150);
	assert_non_null(held);
	for (int i = 10; i < 20; i++)
		put(1, i, 0, 1000);
	assert_false(has(1, 1, 150));
	assert_int_equal(destroyed, 6);
	assert_int_equal(held->id, 1);
	dcap_cache_release(&held->cached);
	assert_int_equal(destroyed, 7);
	/* The same key again replaces the entry (one object destroyed). */
	put(1, 19, 0, 50);
	assert_false(has(1, 19, 60));
	assert_true(has(1, 19, 40));
	assert_int_equal(destroyed, 8);
	/* An empty window is not cached. */
	put(1, 30, 5, 5);
	assert_false(has(1, 30, 5));
	assert_int_equal(destroyed, 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_lru_eviction, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(
	                test_shared_survive_platform_flood, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_window_and_references,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
