#ifndef TP_DCAP_CACHE_H
#define TP_DCAP_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A thread-safe cache of verified DCAP objects (collateral bundles, PCK
 * CAs, PCK chains, attestation keys), keyed by the SHA-256 of the bytes
 * they were verified from. An entry is returned only when the lookup time
 * lies inside the validity window the object was verified for, so a
 * cached result is never used beyond the nextUpdate / notAfter it depends
 * on.
 *
 * Two bounded tiers, each least-recently-used: shared objects (collateral,
 * PCK CAs) and per-platform ones (dcap_cached.platform). A tier evicts
 * only its own entries: any number of new platforms never evicts the
 * collateral they all share. Memory is bounded by the two maxima
 * (dcap.cache_platforms; bench_dcap prints the bytes a platform costs).
 */
#define DCAP_CACHE_SHARED_DEFAULT   1024
#define DCAP_CACHE_PLATFORM_DEFAULT 65536
struct dcap_cached {
	int refs;      /* guarded by the cache lock */
	bool platform; /* one platform's (PCK chain, attestation key), not
	                * shared collateral */
	void (*destroy)(struct dcap_cached *c);
};

/*
 * The object cached under KEY (kind-separated by the caller's key
 * derivation) valid at NOW, with a new reference; NULL when absent or
 * outside its window.
 */
struct dcap_cached *dcap_cache_get(const uint8_t key[32], int64_t now);

/*
 * Caches C under KEY for [FROM, UNTIL). The cache takes its own
 * reference; the caller keeps its reference.
 */
void dcap_cache_put(const uint8_t key[32], int64_t from, int64_t until,
                    struct dcap_cached *c);

/* Drops one reference; destroys the object with the last. NULL-safe. */
void dcap_cache_release(struct dcap_cached *c);

/*
 * SHA-256 over N parts (PARTS[i], LENS[i] bytes), each preceded by its
 * length as 8 bytes little-endian so that part boundaries are unambiguous.
 * Returns false only when the digest cannot be computed.
 */
bool dcap_sha256_parts(const void *const *parts, const size_t *lens, size_t n,
                       uint8_t out[32]);

/*
 * Sets the maxima of the shared and the per-platform tier (entries; a
 * platform takes up to three: its chain's first-phase verdict, its PCK
 * chain with collateral, its attestation key). 0 caches nothing in that
 * tier. Shrinking evicts the least recently used at once.
 */
void dcap_cache_configure(size_t shared_max, size_t platform_max);

/* What the cache holds and did since the process started ([0] shared,
 * [1] per-platform). */
struct dcap_cache_stats {
	size_t entries[2], max[2];
	uint64_t hits[2], misses, evictions[2];
};
void dcap_cache_stats(struct dcap_cache_stats *out);

/* Empties the cache (tests, benchmarks). */
void dcap_cache_clear(void);

/* Drops the per-platform entries only, as if the next quote came from a
 * platform never seen (benchmarks). */
void dcap_cache_clear_platform(void);

#endif
