/*
 * tlog/: RFC 9162 hashing against the Certificate Transparency test
 * vectors (the eight leaves of RFC 6962's reference implementation, their
 * roots, inclusion and consistency proofs), the proof code against a
 * naive tree computed here, proofs from an append batch held in memory
 * (tlog/batch.c) against both, and C2SP signed-note checkpoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "tlog/batch.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/* The CT reference leaves (certificate-transparency, merkle_tree_test). */
static const char *const ct_leaves[8] = {"",
                                         "00",
                                         "10",
                                         "2021",
                                         "3031",
                                         "40414243",
                                         "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"};
static const char *const ct_roots[9] = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

struct vector {
	uint64_t a, b; /* inclusion: 0-based leaf, size; consistency: m, n */
	size_t len;
	const char *h[3];
};

static const struct vector ct_inclusion[] = {
        {0,
         8,
         3,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {5,
         8,
         3,
         {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {2,
         3,
         1,
         {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
        {1,
         5,
         3,
         {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const struct vector ct_consistency[] = {
        {1, 1, 0, {NULL}},
        {1,
         8,
         3,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {6,
         8,
         3,
         {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {2,
         5,
         2,
         {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static void
hex32(const char *s, uint8_t out[32])
{
	assert_true(codec_hex_decode_fixed(s, out, 32));
}

/* A tree held as its leaf hashes; perfect subtrees computed naively by
 * the test's own recursion (not the code under test). */
struct tree {
	uint8_t (*leaf)[32];
	uint64_t n;
	unsigned calls;
};

static void
naive_mth(const struct tree *t, uint64_t b, uint64_t e, uint8_t out[32])
{
	uint8_t buf[65], l[32], r[32];
	uint64_t k = 1;

	if (e - b == 1) {
		memcpy(out, t->leaf[b], 32);
		return;
	}
	while (k * 2 < e - b)
		k *= 2;
	naive_mth(t, b, b + k, l);
	naive_mth(t, b + k, e, r);
	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	SHA256(buf, 65, out);
}

static bool
tree_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct tree *t = ctx;
	uint64_t w = (uint64_t)1 << level;

	t->calls++;
	if ((index + 1) * w > t->n)
		return false;
	naive_mth(t, index * w, (index + 1) * w, out);
	return true;
}

static void
ct_tree(struct tree *t)
{
	t->leaf = calloc(8, 32);
	t->n = 8;
	for (int i = 0; i < 8; i++) {
		uint8_t *b = NULL;
		size_t n = 0;
		if (ct_leaves[i][0] != '\0')
			assert_true(codec_hex_decode(
			        ct_leaves[i], strlen(ct_leaves[i]), &b, &n));
		tlog_leaf_hash(b, n, t->leaf[i]);
		free(b);
	}
}

static void
test_ct_roots(void **state)
{
	struct tree t;
	struct tlog_frontier f;
	uint8_t want[32], got[32];

	ct_tree(&t);
	memset(&f, 0, sizeof(f));
	for (uint64_t n = 0; n <= 8; n++) {
		hex32(ct_roots[n], want);
		t.n = n;
		assert_true(tlog_root(tree_node, &t, n, got));
		assert_memory_equal(got, want, 32);
		tlog_frontier_root(&f, got);
		assert_memory_equal(got, want, 32);
		if (n < 8)
			assert_true(tlog_frontier_append(&f, t.leaf[n], NULL,
			                                 NULL));
	}
	free(t.leaf);
}

static void
test_ct_inclusion(void **state)
{
	uint8_t proof[TLOG_MAX_PROOF][32], want[3][32], root[32];
	struct tree t;
	size_t len;

	ct_tree(&t);
	for (size_t v = 0; v < sizeof(ct_inclusion) / sizeof(*ct_inclusion);
	     v++) {
		const struct vector *c = &ct_inclusion[v];
		t.n = c->b;
		assert_true(tlog_inclusion_proof(tree_node, &t, c->a, c->b,
		                                 proof, &len));
		assert_int_equal(len, c->len);
		for (size_t i = 0; i < len; i++) {
			hex32(c->h[i], want[i]);
			assert_memory_equal(proof[i], want[i], 32);
		}
		hex32(ct_roots[c->b], root);
		assert_true(tlog_inclusion_verify(c->a, c->b, t.leaf[c->a],
		                                  proof, len, root));
		/* Another leaf, index or size: refused. */
		assert_false(tlog_inclusion_verify(
		        c->a, c->b, t.leaf[(c->a + 1) % 8], proof, len, root));
		assert_false(tlog_inclusion_verify(c->a ^ 1, c->b, t.leaf[c->a],
		                                   proof, len, root));
		assert_false(tlog_inclusion_verify(c->a, c->b, t.leaf[c->a],
		                                   proof, len, t.leaf[c->a]));
		assert_false(tlog_inclusion_verify(c->a, c->b, t.leaf[c->a],
		                                   proof, len - 1, root));
	}
	free(t.leaf);
}

static void
test_ct_consistency(void **state)
{
	uint8_t proof[TLOG_MAX_PROOF][32], want[32], r1[32], r2[32];
	struct tree t;
	size_t len;

	ct_tree(&t);
	for (size_t v = 0; v < sizeof(ct_consistency) / sizeof(*ct_consistency);
	     v++) {
		const struct vector *c = &ct_consistency[v];
		t.n = c->b;
		assert_true(tlog_consistency_proof(tree_node, &t, c->a, c->b,
		                                   proof, &len));
		assert_int_equal(len, c->len);
		for (size_t i = 0; i < len; i++) {
			hex32(c->h[i], want);
			assert_memory_equal(proof[i], want, 32);
		}
		hex32(ct_roots[c->a], r1);
		hex32(ct_roots[c->b], r2);
		assert_true(tlog_consistency_verify(c->a, c->b, r1, r2, proof,
		                                    len));
		if (c->a != c->b) {
			assert_false(tlog_consistency_verify(c->a, c->b, r2, r2,
			                                     proof, len));
			proof[len - 1][0] ^= 1;
			assert_false(tlog_consistency_verify(c->a, c->b, r1, r2,
			                                     proof, len));
		}
	}
	free(t.leaf);
}

/* Completed nodes an append reports, checked against the naive tree. */
struct emitted {
	struct tree *t;
	unsigned count;
};

static void
check_emit(void *ctx, unsigned level, uint64_t index, const uint8_t h[32])
{
	struct emitted *e = ctx;
	uint8_t want[32];

	assert_true(tree_node(e->t, level, index, want));
	assert_memory_equal(h, want, 32);
	e->count++;
}

/* Every size up to 70: the frontier's root, every inclusion proof and
 * every consistency proof, against the naive tree. */
static void
test_all_shapes(void **state)
{
	enum { N = 70 };
	uint8_t proof[TLOG_MAX_PROOF][32], roots[N + 1][32], got[32];
	struct tree t = {.leaf = calloc(N, 32), .n = N};
	struct emitted e = {.t = &t};
	struct tlog_frontier f, g;
	size_t len;

	memset(&f, 0, sizeof(f));
	for (uint64_t i = 0; i < N; i++) {
		uint8_t leaf[2] = {(uint8_t)i, (uint8_t)(i * 7)};
		tlog_leaf_hash(leaf, 2, t.leaf[i]);
	}
	for (uint64_t n = 1; n <= N; n++) {
		naive_mth(&t, 0, n, roots[n]);
		assert_true(tlog_frontier_append(&f, t.leaf[n - 1], check_emit,
		                                 &e));
		tlog_frontier_root(&f, got);
		assert_memory_equal(got, roots[n], 32);
		/* A frontier loaded from stored nodes is the same. */
		assert_true(tlog_frontier_load(&g, n, tree_node, &t));
		tlog_frontier_root(&g, got);
		assert_memory_equal(got, roots[n], 32);
	}
	/* Each leaf completes one node per trailing one bit, plus itself:
	 * 2N - popcount(N) nodes in all. */
	assert_int_equal(e.count, 2 * N - __builtin_popcountll(N));
	for (uint64_t n = 1; n <= N; n++) {
		for (uint64_t m = 0; m < n; m++) {
			assert_true(tlog_inclusion_proof(tree_node, &t, m, n,
			                                 proof, &len));
			assert_true(tlog_inclusion_verify(
			        m, n, t.leaf[m], proof, len, roots[n]));
			if (len > 0) {
				proof[0][31] ^= 0x80;
				assert_false(tlog_inclusion_verify(
				        m, n, t.leaf[m], proof, len, roots[n]));
			}
		}
		for (uint64_t m = 1; m <= n; m++) {
			assert_true(tlog_consistency_proof(tree_node, &t, m, n,
			                                   proof, &len));
			assert_true(tlog_consistency_verify(
			        m, n, roots[m], roots[n], proof, len));
			if (m < n)
				assert_false(tlog_consistency_verify(
				        m, n, roots[n], roots[n], proof, len));
		}
	}
	free(t.leaf);
}

/* Out-of-range indexes and sizes: no proof, no verification. */
static void
test_hostile_ranges(void **state)
{
	uint8_t proof[TLOG_MAX_PROOF][32], h[32] = {0};
	struct tree t;
	size_t len;

	ct_tree(&t);
	assert_false(tlog_inclusion_proof(tree_node, &t, 8, 8, proof, &len));
	assert_false(tlog_inclusion_proof(tree_node, &t, 0, 0, proof, &len));
	assert_false(tlog_inclusion_proof(tree_node, &t, 0, 9, proof, &len));
	assert_false(tlog_inclusion_proof(tree_node, &t, 0, UINT64_MAX, proof,
	                                  &len));
	assert_false(tlog_consistency_proof(tree_node, &t, 0, 8, proof, &len));
	assert_false(tlog_consistency_proof(tree_node, &t, 9, 8, proof, &len));
	assert_false(tlog_inclusion_verify(5, 5, h, proof, 0, h));
	assert_false(tlog_inclusion_verify(0, UINT64_MAX, h, proof, 0, h));
	assert_false(tlog_consistency_verify(0, 4, h, h, proof, 0));
	assert_false(tlog_consistency_verify(3, 4, h, h, proof, 0));
	free(t.leaf);
}

static EVP_PKEY *
ed25519(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(k);
	return k;
}

static void
test_checkpoint_note(void **state)
{
	EVP_PKEY *k = ed25519(), *other = ed25519();
	struct tlog_vkey vk, vo;
	struct tlog_checkpoint cp;
	uint8_t root[32];
	char *note, *vks, *vos, err[256], *p;
	size_t len;

	hex32(ct_roots[8], root);
	vks = tlog_vkey_format("teepass.example/log", k);
	vos = tlog_vkey_format("teepass.example/log", other);
	assert_non_null(vks);
	assert_true(tlog_vkey_parse(vks, &vk));
	assert_true(tlog_vkey_parse(vos, &vo));
	note = tlog_checkpoint_sign("teepass.example/log", 8, root,
	                            "teepass.example/log", k);
	assert_non_null(note);
	len = strlen(note);
	/* The layout of C2SP tlog-checkpoint / signed-note. */
	assert_true(strncmp(note, "teepass.example/log\n8\n", 22) == 0);
	assert_non_null(strstr(note, "\n\n\xe2\x80\x94 teepass.example/log "));
	assert_true(
	        tlog_checkpoint_verify(note, len, &vk, &cp, err, sizeof(err)));
	assert_int_equal(cp.size, 8);
	assert_memory_equal(cp.root, root, 32);
	/* The key id of the signature line is the vkey's. */
	p = strstr(note, "\xe2\x80\x94 teepass.example/log ") + 24;
	{
		uint8_t *blob = NULL;
		size_t bl = 0;
		assert_true(codec_base64_decode(p, strlen(p) - 1, &blob, &bl));
		assert_int_equal(bl, 68);
		assert_memory_equal(blob, vk.id, 4);
		free(blob);
	}
	/* Another key with the same name: its id differs, no signature. */
	assert_false(
	        tlog_checkpoint_verify(note, len, &vo, &cp, err, sizeof(err)));
	/* A changed size digit: the signature fails. */
	note[20] = '9';
	assert_false(
	        tlog_checkpoint_verify(note, len, &vk, &cp, err, sizeof(err)));
	assert_non_null(strstr(err, "does not verify"));
	note[20] = '8';
	/* Truncated: no final newline. */
	assert_false(tlog_checkpoint_verify(note, len - 1, &vk, &cp, err,
	                                    sizeof(err)));
	/* Edited verifier keys: a wrong id, a wrong type byte. */
	vks[strlen("teepass.example/log+")] ^= 1;
	assert_false(tlog_vkey_parse(vks, &vk));
	assert_false(tlog_vkey_parse("a+00000000+AQ==", &vk));
	assert_false(tlog_vkey_parse("no-plus-signs", &vk));
	assert_false(tlog_name_valid("has space"));
	assert_false(tlog_name_valid("a+b"));
	assert_false(tlog_name_valid(""));
	free(note);
	free(vks);
	free(vos);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

/*
 * Appends leaves [old, old + n) of T to the frontier of its first OLD
 * leaves (loaded through FN, CTX) as a batch, as the sequencer does;
 * checks the batch's root against ROOT when given.
 */
static void
batch_of(struct tlog_batch *b, tlog_node_fn fn, void *ctx, uint64_t old,
         uint64_t n, void (*leaf)(uint64_t, void *, uint8_t *), void *lctx,
         uint8_t root[32])
{
	struct tlog_frontier f;

	assert_true(tlog_frontier_load(&f, old, fn, ctx));
	assert_true(tlog_batch_init(b, &f, n));
	for (uint64_t i = old; i < old + n; i++) {
		uint8_t lh[32];
		leaf(i, lctx, lh);
		assert_true(tlog_frontier_append(&f, lh, tlog_batch_emit, b));
	}
	assert_int_equal(b->size, old + n);
	tlog_frontier_root(&f, root);
}

static void
naive_leaf(uint64_t i, void *ctx, uint8_t *out)
{
	memcpy(out, ((struct tree *)ctx)->leaf[i], 32);
}

/* Every batch [old, old + n) of a tree of up to 48 leaves: each batch
 * leaf's proof from memory equals the one through the naive tree and
 * verifies; leaves before the batch get none from memory. */
static void
test_batch_proofs(void **state)
{
	enum { N = 48 };
	uint8_t p1[TLOG_MAX_PROOF][32], p2[TLOG_MAX_PROOF][32], root[32],
	        want[32];
	struct tree t = {.leaf = calloc(N, 32), .n = N};
	unsigned proofs = 0;
	size_t l1, l2;

	for (uint64_t i = 0; i < N; i++) {
		uint8_t leaf[3] = {(uint8_t)i, (uint8_t)(i * 13), 0xb7};
		tlog_leaf_hash(leaf, 3, t.leaf[i]);
	}
	for (uint64_t old = 0; old < N; old++)
		for (uint64_t n = 1; old + n <= N; n++) {
			struct tlog_batch b;
			t.n = old + n;
			batch_of(&b, tree_node, &t, old, n, naive_leaf, &t,
			         root);
			naive_mth(&t, 0, old + n, want);
			assert_memory_equal(root, want, 32);
			for (uint64_t m = old; m < old + n; m++) {
				assert_true(tlog_batch_inclusion_proof(
				        &b, m, p1, &l1));
				assert_true(tlog_inclusion_proof(
				        tree_node, &t, m, old + n, p2, &l2));
				assert_int_equal(l1, l2);
				assert_memory_equal(p1, p2, l1 * 32);
				assert_true(tlog_inclusion_verify(
				        m, old + n, t.leaf[m], p1, l1, root));
				proofs++;
			}
			if (old > 0)
				assert_false(tlog_batch_inclusion_proof(
				        &b, old - 1, p1, &l1));
			assert_false(tlog_batch_inclusion_proof(&b, old + n, p1,
			                                        &l1));
			tlog_batch_free(&b);
		}
	assert_int_equal(proofs, N * (N + 1) * (N + 2) / 6);
	free(t.leaf);
}

/*
 * Large trees: the leaves before OLD stand for themselves only through
 * perfect subtrees ending by OLD, each given a hash of its coordinates
 * (what a proof reads of the old tree is exactly such subtrees); nodes
 * reaching into the batch are computed from their children.
 */
struct big {
	uint64_t old, size;
};

static void
big_leaf(uint64_t i, void *ctx, uint8_t *out)
{
	(void)ctx;
	tlog_leaf_hash((const uint8_t *)&i, sizeof(i), out);
}

static bool
big_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct big *g = ctx;
	uint64_t w = (uint64_t)1 << level, coord[2] = {level, index};
	uint8_t l[32], r[32];

	if ((index + 1) * w > g->size)
		return false;
	if ((index + 1) * w <= g->old) {
		SHA256((const uint8_t *)coord, sizeof(coord), out);
		return true;
	}
	if (level == 0) {
		big_leaf(index, NULL, out);
		return true;
	}
	if (!big_node(ctx, level - 1, 2 * index, l) ||
	    !big_node(ctx, level - 1, 2 * index + 1, r))
		return false;
	tlog_node_hash(l, r, out);
	return true;
}

static void
test_batch_boundaries(void **state)
{
	static const uint64_t olds[] = {
	        1,
	        (1ull << 20) - 1,
	        1ull << 20,
	        (1ull << 20) + 1,
	        (1ull << 33) + 12345,
	        (1ull << 40) - 64,
	        (1ull << 61) - 3,
	        ((1ull << 61) - 1) & ~1023ull,
	};
	static const uint64_t ns[] = {1, 2, 3, 63, 64, 65, 130};
	uint8_t p1[TLOG_MAX_PROOF][32], p2[TLOG_MAX_PROOF][32], root[32],
	        want[32], lh[32];
	size_t l1, l2;

	for (size_t o = 0; o < sizeof(olds) / sizeof(*olds); o++)
		for (size_t k = 0; k < sizeof(ns) / sizeof(*ns); k++) {
			struct big g = {olds[o], olds[o] + ns[k]};
			struct tlog_batch b;
			batch_of(&b, big_node, &g, g.old, ns[k], big_leaf, NULL,
			         root);
			assert_true(tlog_root(big_node, &g, g.size, want));
			assert_memory_equal(root, want, 32);
			for (uint64_t m = g.old; m < g.size; m++) {
				assert_true(tlog_batch_inclusion_proof(
				        &b, m, p1, &l1));
				assert_true(tlog_inclusion_proof(
				        big_node, &g, m, g.size, p2, &l2));
				assert_int_equal(l1, l2);
				assert_memory_equal(p1, p2, l1 * 32);
				big_leaf(m, NULL, lh);
				assert_true(tlog_inclusion_verify(
				        m, g.size, lh, p1, l1, root));
			}
			/* A node of the old tree that is not on its right
			 * edge is not held. */
			if (g.old > 2)
				assert_false(tlog_batch_node(&b, 0, 0, lh));
			tlog_batch_free(&b);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ct_roots),
	        cmocka_unit_test(test_ct_inclusion),
	        cmocka_unit_test(test_ct_consistency),
	        cmocka_unit_test(test_all_shapes),
	        cmocka_unit_test(test_hostile_ranges),
	        cmocka_unit_test(test_batch_proofs),
	        cmocka_unit_test(test_batch_boundaries),
	        cmocka_unit_test(test_checkpoint_note),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
