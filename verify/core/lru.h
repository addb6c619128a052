#ifndef TP_LRU_H
#define TP_LRU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A thread-safe bounded map from 32-byte keys (digests of what was
 * verified) to verified objects, each valid over [from, until] (Unix
 * seconds, inclusive). At most MAX entries: a put beyond evicts the
 * least recently used. Lookups are by a hash index, so a cache sized for
 * a fleet (thousands of chips or instances) costs what a small one does.
 *
 * Objects are owned by the cache and destroyed by DESTROY when evicted,
 * replaced or cleared; readers never hold a pointer into the cache:
 * lru_get hands the object to COPY under the lock, which takes its own
 * references (EVP_PKEY_up_ref, X509_STORE_up_ref, ...).
 *
 * What every entry depends on and all share (the AMD ARK and ASK, the
 * Nitro root) is pinned outside these caches, so per-chip or
 * per-instance entries never evict it.
 */
struct lru;

/* A cache of at most MAX entries (0: caches nothing). */
struct lru *lru_new(size_t max, void (*destroy)(void *obj));

/* Frees the cache and every object in it. NULL-safe. */
void lru_free(struct lru *c);

/*
 * The object under KEY, when AT lies in its window: COPY(obj, out) runs
 * under the lock and returns whether it took what it needs. A hit makes
 * the entry the most recently used. False when absent, outside its
 * window or COPY failed.
 */
bool lru_get(struct lru *c, const uint8_t key[32], int64_t at,
             bool (*copy)(void *obj, void *out), void *out);

/*
 * Caches OBJ under KEY for [FROM, UNTIL], replacing (destroying) what
 * was there. The cache owns OBJ from now on, also when it caches
 * nothing (max 0, out of memory): it is then destroyed at once.
 */
void lru_put(struct lru *c, const uint8_t key[32], int64_t from, int64_t until,
             void *obj);

/* New maximum; shrinking evicts the least recently used at once. */
void lru_configure(struct lru *c, size_t max);

/* Destroys every entry. */
void lru_clear(struct lru *c);

struct lru_stats {
	size_t entries, max;
	uint64_t hits, misses, evictions;
};
void lru_stats(struct lru *c, struct lru_stats *out);

#endif
