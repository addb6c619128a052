/* An append batch's nodes in memory, and proofs from them
 * (tlog/batch.h). */
#include <stdlib.h>
#include <string.h>

#include "tlog/batch.h"

bool
tlog_batch_init(struct tlog_batch *b, const struct tlog_frontier *f, uint64_t n)
{
	size_t total = 0;

	memset(b, 0, sizeof(*b));
	if (f->size > TLOG_MAX_SIZE || n > TLOG_MAX_SIZE - f->size)
		return false;
	b->old_size = f->size;
	b->size = f->size;
	b->end = f->size + n;
	memcpy(b->frontier, f->hash, sizeof(b->frontier));
	/* Level l holds the indexes [old >> l, end >> l): at most 2n + 63
	 * nodes in all. */
	for (unsigned l = 0; l < 64; l++) {
		b->off[l] = total;
		total += (size_t)((b->end >> l) - (b->old_size >> l));
	}
	if (total > 0 && (b->nodes = malloc(total * TLOG_HASH_LEN)) == NULL)
		return false;
	return true;
}

/* Where node (LEVEL, INDEX) of the batch lies, or NULL; LIMIT: the
 * size up to which nodes are complete. */
static uint8_t *
slot(const struct tlog_batch *b, unsigned level, uint64_t index, uint64_t limit)
{
	if (level >= 64 || b->nodes == NULL || index < (b->old_size >> level) ||
	    index >= (limit >> level))
		return NULL;
	return b->nodes[b->off[level] + (index - (b->old_size >> level))];
}

void
tlog_batch_emit(void *ctx, unsigned level, uint64_t index,
                const uint8_t hash[TLOG_HASH_LEN])
{
	struct tlog_batch *b = ctx;
	uint8_t *s = slot(b, level, index, b->end);

	if (s == NULL)
		return;
	memcpy(s, hash, TLOG_HASH_LEN);
	/* The leaf comes first, then the nodes it completes. */
	if (level == 0)
		b->size = index + 1;
}

bool
tlog_batch_node(void *ctx, unsigned level, uint64_t index,
                uint8_t out[TLOG_HASH_LEN])
{
	const struct tlog_batch *b = ctx;
	const uint8_t *s;

	if (level >= 63)
		return false;
	/* The old tree's frontier node of this level (tlog/batch.h). */
	if (((b->old_size >> level) & 1) &&
	    index == (b->old_size >> level) - 1) {
		memcpy(out, b->frontier[level], TLOG_HASH_LEN);
		return true;
	}
	if ((s = slot(b, level, index, b->size)) == NULL)
		return false;
	memcpy(out, s, TLOG_HASH_LEN);
	return true;
}

bool
tlog_batch_inclusion_proof(const struct tlog_batch *b, uint64_t m,
                           uint8_t out[][TLOG_HASH_LEN], size_t *len)
{
	*len = 0;
	if (m < b->old_size || m >= b->size)
		return false;
	return tlog_inclusion_proof(tlog_batch_node, (void *)b, m, b->size, out,
	                            len);
}

void
tlog_batch_free(struct tlog_batch *b)
{
	free(b->nodes);
	b->nodes = NULL;
}
