/* RFC 9162 Merkle tree hashing, proofs and their verification
 * (tlog/merkle.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "tlog/merkle.h"

void
tlog_leaf_hash(const uint8_t *leaf, size_t len, uint8_t out[TLOG_HASH_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t prefix = 0x00;

	/* Allocation failure leaves an all-zero hash that matches nothing
	 * a tree was built from. */
	memset(out, 0, TLOG_HASH_LEN);
	if (c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, &prefix, 1) == 1 &&
	    EVP_DigestUpdate(c, leaf, len) == 1)
		EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

void
tlog_node_hash(const uint8_t l[TLOG_HASH_LEN], const uint8_t r[TLOG_HASH_LEN],
               uint8_t out[TLOG_HASH_LEN])
{
	uint8_t buf[1 + 2 * TLOG_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, TLOG_HASH_LEN);
	memcpy(buf + 1 + TLOG_HASH_LEN, r, TLOG_HASH_LEN);
	SHA256(buf, sizeof(buf), out);
}

/* The largest power of two strictly below N (N >= 2). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static bool
is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

static unsigned
log2_exact(uint64_t n)
{
	unsigned l = 0;

	while (((uint64_t)1 << l) < n)
		l++;
	return l;
}

bool
tlog_subtree_hash(tlog_node_fn fn, void *ctx, uint64_t begin, uint64_t end,
                  uint8_t out[TLOG_HASH_LEN])
{
	uint8_t l[TLOG_HASH_LEN], r[TLOG_HASH_LEN];
	uint64_t n, k;

	if (end <= begin || end > TLOG_MAX_SIZE)
		return false;
	n = end - begin;
	/* A perfect, aligned subtree is one stored node. */
	if (is_pow2(n) && begin % n == 0)
		return fn(ctx, log2_exact(n), begin / n, out);
	k = split_point(n);
	if (!tlog_subtree_hash(fn, ctx, begin, begin + k, l) ||
	    !tlog_subtree_hash(fn, ctx, begin + k, end, r))
		return false;
	tlog_node_hash(l, r, out);
	return true;
}

bool
tlog_root(tlog_node_fn fn, void *ctx, uint64_t n, uint8_t out[TLOG_HASH_LEN])
{
	if (n == 0) {
		SHA256((const uint8_t *)"", 0, out);
		return true;
	}
	return tlog_subtree_hash(fn, ctx, 0, n, out);
}

static bool
push(uint8_t out[][TLOG_HASH_LEN], size_t *len, const uint8_t h[TLOG_HASH_LEN])
{
	if (*len >= TLOG_MAX_PROOF)
		return false;
	memcpy(out[(*len)++], h, TLOG_HASH_LEN);
	return true;
}

/* PATH(m, D[begin:end]): the deepest sibling first. */
static bool
path(tlog_node_fn fn, void *ctx, uint64_t m, uint64_t begin, uint64_t end,
     uint8_t out[][TLOG_HASH_LEN], size_t *len)
{
	uint8_t h[TLOG_HASH_LEN];
	uint64_t k;

	if (end - begin == 1)
		return true;
	k = split_point(end - begin);
	if (m < begin + k)
		return path(fn, ctx, m, begin, begin + k, out, len) &&
		       tlog_subtree_hash(fn, ctx, begin + k, end, h) &&
		       push(out, len, h);
	return path(fn, ctx, m, begin + k, end, out, len) &&
	       tlog_subtree_hash(fn, ctx, begin, begin + k, h) &&
	       push(out, len, h);
}

bool
tlog_inclusion_proof(tlog_node_fn fn, void *ctx, uint64_t m, uint64_t n,
                     uint8_t out[][TLOG_HASH_LEN], size_t *len)
{
	*len = 0;
	if (m >= n || n > TLOG_MAX_SIZE)
		return false;
	return path(fn, ctx, m, 0, n, out, len);
}

/* SUBPROOF(m, D[begin:end], b) with M counted from BEGIN. */
static bool
subproof(tlog_node_fn fn, void *ctx, uint64_t m, uint64_t begin, uint64_t end,
         bool b, uint8_t out[][TLOG_HASH_LEN], size_t *len)
{
	uint8_t h[TLOG_HASH_LEN];
	uint64_t n = end - begin, k;

	if (m == n) {
		if (b)
			return true;
		return tlog_subtree_hash(fn, ctx, begin, end, h) &&
		       push(out, len, h);
	}
	k = split_point(n);
	if (m <= k)
		return subproof(fn, ctx, m, begin, begin + k, b, out, len) &&
		       tlog_subtree_hash(fn, ctx, begin + k, end, h) &&
		       push(out, len, h);
	return subproof(fn, ctx, m - k, begin + k, end, false, out, len) &&
	       tlog_subtree_hash(fn, ctx, begin, begin + k, h) &&
	       push(out, len, h);
}

bool
tlog_consistency_proof(tlog_node_fn fn, void *ctx, uint64_t m, uint64_t n,
                       uint8_t out[][TLOG_HASH_LEN], size_t *len)
{
	*len = 0;
	if (m == 0 || m > n || n > TLOG_MAX_SIZE)
		return false;
	return subproof(fn, ctx, m, 0, n, true, out, len);
}

bool
tlog_inclusion_verify(uint64_t m, uint64_t n,
                      const uint8_t leaf_hash[TLOG_HASH_LEN],
                      const uint8_t proof[][TLOG_HASH_LEN], size_t len,
                      const uint8_t root[TLOG_HASH_LEN])
{
	uint8_t r[TLOG_HASH_LEN];
	uint64_t fn, sn;

	if (m >= n || n > TLOG_MAX_SIZE)
		return false;
	fn = m;
	sn = n - 1;
	memcpy(r, leaf_hash, TLOG_HASH_LEN);
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			tlog_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			tlog_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && CRYPTO_memcmp(r, root, TLOG_HASH_LEN) == 0;
}

bool
tlog_consistency_verify(uint64_t m, uint64_t n,
                        const uint8_t old_root[TLOG_HASH_LEN],
                        const uint8_t new_root[TLOG_HASH_LEN],
                        const uint8_t proof[][TLOG_HASH_LEN], size_t len)
{
	uint8_t fr[TLOG_HASH_LEN], sr[TLOG_HASH_LEN];
	const uint8_t *first;
	uint64_t fn, sn;
	size_t i;

	if (m == 0 || m > n || n > TLOG_MAX_SIZE)
		return false;
	if (m == n)
		return len == 0 &&
		       CRYPTO_memcmp(old_root, new_root, TLOG_HASH_LEN) == 0;
	if (len == 0)
		return false;
	/* A power-of-two old size: the old root is the path's first
	 * element, implied. */
	if (is_pow2(m)) {
		first = old_root;
		i = 0;
	} else {
		first = proof[0];
		i = 1;
	}
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, first, TLOG_HASH_LEN);
	memcpy(sr, first, TLOG_HASH_LEN);
	for (; i < len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			tlog_node_hash(proof[i], fr, fr);
			tlog_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			tlog_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && CRYPTO_memcmp(fr, old_root, TLOG_HASH_LEN) == 0 &&
	       CRYPTO_memcmp(sr, new_root, TLOG_HASH_LEN) == 0;
}

bool
tlog_frontier_load(struct tlog_frontier *f, uint64_t n, tlog_node_fn fn,
                   void *ctx)
{
	memset(f, 0, sizeof(*f));
	if (n > TLOG_MAX_SIZE)
		return false;
	for (unsigned l = 0; l < 63; l++)
		if ((n >> l) & 1 && !fn(ctx, l, (n >> l) - 1, f->hash[l]))
			return false;
	f->size = n;
	return true;
}

bool
tlog_frontier_append(struct tlog_frontier *f,
                     const uint8_t leaf_hash[TLOG_HASH_LEN], tlog_emit_fn emit,
                     void *ctx)
{
	uint8_t cur[TLOG_HASH_LEN];
	uint64_t i = f->size;
	unsigned l = 0;

	if (i >= TLOG_MAX_SIZE)
		return false;
	memcpy(cur, leaf_hash, TLOG_HASH_LEN);
	if (emit != NULL)
		emit(ctx, 0, i, cur);
	/* Each set low bit of the old size is a left sibling waiting. */
	while ((f->size >> l) & 1) {
		tlog_node_hash(f->hash[l], cur, cur);
		l++;
		if (emit != NULL)
			emit(ctx, l, i >> l, cur);
	}
	memcpy(f->hash[l], cur, TLOG_HASH_LEN);
	f->size++;
	return true;
}

void
tlog_frontier_root(const struct tlog_frontier *f, uint8_t out[TLOG_HASH_LEN])
{
	uint8_t acc[TLOG_HASH_LEN];
	bool have = false;

	if (f->size == 0) {
		SHA256((const uint8_t *)"", 0, out);
		return;
	}
	/* The smallest subtree is the rightmost: fold right to left. */
	for (unsigned l = 0; l < 63; l++) {
		if (!((f->size >> l) & 1))
			continue;
		if (!have) {
			memcpy(acc, f->hash[l], TLOG_HASH_LEN);
			have = true;
		} else {
			tlog_node_hash(f->hash[l], acc, acc);
		}
	}
	memcpy(out, acc, TLOG_HASH_LEN);
}
