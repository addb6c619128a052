#ifndef TP_TLOG_MERKLE_H
#define TP_TLOG_MERKLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The Merkle tree of the transparency log (RFC 9162, section 2.1):
 * leaf hash SHA-256(0x00 || leaf), node hash SHA-256(0x01 || left ||
 * right), a tree of n leaves split at the largest power of two below n.
 * Pure: no I/O. Subtree hashes come from a caller's node function, which
 * answers the hash of the perfect subtree of 2^level leaves starting at
 * leaf index << level (level 0: the leaf hashes).
 */

#define TLOG_HASH_LEN 32
/* Leaf indexes and sizes are below 2^62 (PostgreSQL bigint, headroom). */
#define TLOG_MAX_SIZE ((uint64_t)1 << 62)
/* Inclusion proofs have at most 62 hashes, consistency proofs 63. */
#define TLOG_MAX_PROOF 64

typedef bool (*tlog_node_fn)(void *ctx, unsigned level, uint64_t index,
                             uint8_t out[TLOG_HASH_LEN]);

/* SHA-256(0x00 || LEAF). */
void tlog_leaf_hash(const uint8_t *leaf, size_t len,
                    uint8_t out[TLOG_HASH_LEN]);

/* SHA-256(0x01 || L || R). */
void tlog_node_hash(const uint8_t l[TLOG_HASH_LEN],
                    const uint8_t r[TLOG_HASH_LEN], uint8_t out[TLOG_HASH_LEN]);

/*
 * MTH(D[begin:end]) for begin < end, through FN (perfect subtrees asked
 * once each). False when FN fails or the range is empty.
 */
bool tlog_subtree_hash(tlog_node_fn fn, void *ctx, uint64_t begin, uint64_t end,
                       uint8_t out[TLOG_HASH_LEN]);

/* The root of a tree of N leaves; N = 0 gives SHA-256 of nothing. */
bool tlog_root(tlog_node_fn fn, void *ctx, uint64_t n,
               uint8_t out[TLOG_HASH_LEN]);

/*
 * PATH(m, D[n]) of RFC 9162 2.1.3.1 for 0 <= M < N into OUT (at most
 * TLOG_MAX_PROOF hashes), *len set. False on a bad range or FN failure.
 */
bool tlog_inclusion_proof(tlog_node_fn fn, void *ctx, uint64_t m, uint64_t n,
                          uint8_t out[][TLOG_HASH_LEN], size_t *len);

/*
 * PROOF(m, D[n]) of RFC 9162 2.1.4.1 for 0 < M <= N (M = N: empty).
 */
bool tlog_consistency_proof(tlog_node_fn fn, void *ctx, uint64_t m, uint64_t n,
                            uint8_t out[][TLOG_HASH_LEN], size_t *len);

/* RFC 9162 2.1.3.2: LEAF_HASH at M in a tree of N leaves with ROOT. */
bool tlog_inclusion_verify(uint64_t m, uint64_t n,
                           const uint8_t leaf_hash[TLOG_HASH_LEN],
                           const uint8_t proof[][TLOG_HASH_LEN], size_t len,
                           const uint8_t root[TLOG_HASH_LEN]);

/*
 * RFC 9162 2.1.4.2: the tree of M leaves with OLD_ROOT is a prefix of the
 * tree of N leaves with NEW_ROOT (0 < M <= N; M = N wants an empty proof
 * and equal roots).
 */
bool tlog_consistency_verify(uint64_t m, uint64_t n,
                             const uint8_t old_root[TLOG_HASH_LEN],
                             const uint8_t new_root[TLOG_HASH_LEN],
                             const uint8_t proof[][TLOG_HASH_LEN], size_t len);

/*
 * The right edge of a tree, for appending: hash[l] is the perfect
 * subtree of 2^l leaves ending the tree where bit l of size is set.
 */
struct tlog_frontier {
	uint64_t size;
	uint8_t hash[64][TLOG_HASH_LEN];
};

/* Called for each perfect subtree an append completes (the leaf first). */
typedef void (*tlog_emit_fn)(void *ctx, unsigned level, uint64_t index,
                             const uint8_t hash[TLOG_HASH_LEN]);

/*
 * Loads the frontier of a tree of N leaves through FN (one perfect
 * subtree per set bit of N). False when FN fails or N is too large.
 */
bool tlog_frontier_load(struct tlog_frontier *f, uint64_t n, tlog_node_fn fn,
                        void *ctx);

/* Appends a leaf hash; EMIT (may be NULL) sees every completed node. */
bool tlog_frontier_append(struct tlog_frontier *f,
                          const uint8_t leaf_hash[TLOG_HASH_LEN],
                          tlog_emit_fn emit, void *ctx);

/* The root of the frontier's tree. */
void tlog_frontier_root(const struct tlog_frontier *f,
                        uint8_t out[TLOG_HASH_LEN]);

#endif
