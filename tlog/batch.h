#ifndef TP_TLOG_BATCH_H
#define TP_TLOG_BATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlog/merkle.h"

/*
 * One append batch held in memory (pure, no I/O): the frontier of the
 * tree before it and every node its leaves complete. That is all an
 * inclusion proof of a batch leaf in the tree after it needs, so the
 * sequencer hands each waiting request its proof without reading nodes
 * back (handlers/log_sequence.c).
 *
 * Why these nodes suffice, for a leaf m with old <= m < size (old: the
 * size before the batch). PATH(m, D[size]) (RFC 9162 2.1.3.1) asks for
 * perfect aligned subtrees on the sibling side of m's path:
 *  - A sibling to the right of m starts after m, so it lies within
 *    [old, size); every perfect subtree of it ends by SIZE and after OLD,
 *    and is completed by the batch.
 *  - A sibling to the left at level l is the subtree of index
 *    (m >> l) - 1 (bit l of m set), covering [((m >> l) - 1) << l,
 *    (m >> l) << l). If it ends after OLD, the batch completed it. If it
 *    ends at or before OLD, then (m >> l) << l <= old <= m, so
 *    old >> l == m >> l: bit l of OLD is set too and the subtree is
 *    (old >> l) - 1 at level l, the old tree's frontier node of level l.
 * A node at level l is completed by the batch when its index lies in
 * [old >> l, size >> l). The node function answers false for any other
 * node, so a caller can fall back to the stored nodes.
 */
struct tlog_batch {
	uint64_t old_size; /* leaves before the batch */
	uint64_t size;     /* leaves appended so far included */
	uint64_t end;      /* the size planned at tlog_batch_init */
	uint8_t frontier[64][TLOG_HASH_LEN]; /* the old tree's right edge */
	uint8_t (*nodes)[TLOG_HASH_LEN];     /* level by level */
	size_t off[64]; /* level l starts at nodes[off[l]] */
};

/*
 * Starts a batch of up to N leaves on the tree whose frontier is F
 * (copied). False when allocation fails or the size would pass
 * TLOG_MAX_SIZE. Free with tlog_batch_free.
 */
bool tlog_batch_init(struct tlog_batch *b, const struct tlog_frontier *f,
                     uint64_t n);

/*
 * Records a node an append completed; pass as the tlog_emit_fn of
 * tlog_frontier_append (ctx: the batch) for each leaf of the batch, in
 * order. Nodes outside the batch's range are ignored.
 */
void tlog_batch_emit(void *ctx, unsigned level, uint64_t index,
                     const uint8_t hash[TLOG_HASH_LEN]);

/* A tlog_node_fn over the batch (ctx: const struct tlog_batch *). */
bool tlog_batch_node(void *ctx, unsigned level, uint64_t index,
                     uint8_t out[TLOG_HASH_LEN]);

/*
 * The inclusion proof of leaf M (old_size <= M < size) in the tree of
 * SIZE leaves, from memory alone; false when M is outside the batch or a
 * node is not held (the caller then reads the stored nodes).
 */
bool tlog_batch_inclusion_proof(const struct tlog_batch *b, uint64_t m,
                                uint8_t out[][TLOG_HASH_LEN], size_t *len);

void tlog_batch_free(struct tlog_batch *b);

#endif
