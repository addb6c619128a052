/*
 * The transparency log's CPU cost per passport, on one core (tlog/):
 *  - append: the leaf hash of a passport-sized leaf (a 1,200-byte compact
 *    JWS) and the frontier update the sequencer does per entry;
 *  - proof: an inclusion proof built from stored perfect subtrees and
 *    verified, in a tree of 2^20 leaves (what each verify reply adds);
 *  - checkpoint: one Ed25519 signed note (one per sequenced batch);
 *  - the ES256 signature every passport already costs, for scale, and
 *    the fraction append + proof adds to it.
 * Per CPU-second of this process (bench/bench_util.h). The checkpoint's
 * ceiling is one Ed25519 signature of a note-sized message; append and
 * proof verify no signature (their unit is SHA-256, printed as hashes
 * per operation).
 * Database round trips (the entry's INSERT inside the passport
 * transaction, one sequencer transaction per batch) are not measured
 * here; docs/transparency.md says what they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "bench/bench_util.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

#define LEAF_LEN  1200
#define TREE_LOG2 20

/* The tree's levels in memory: what tlog_nodes holds. */
static uint8_t (*levels[TREE_LOG2 + 1])[TLOG_HASH_LEN];

static bool
node(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	if (level > TREE_LOG2 || index >= ((uint64_t)1 << (TREE_LOG2 - level)))
		return false;
	memcpy(out, levels[level][index], 32);
	return true;
}

static void
store(void *ctx, unsigned level, uint64_t index, const uint8_t h[32])
{
	memcpy(levels[level][index], h, 32);
}

int
main(void)
{
	static uint8_t leaf[LEAF_LEN];
	uint8_t h[32], root[32], proof[TLOG_MAX_PROOF][32];
	struct tlog_frontier f;
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint64_t n = (uint64_t)1 << TREE_LOG2, x = 12345;
	double t0, t, append_s, proof_s, cp_s, es_s;
	long k;
	size_t len;

	if (ed == NULL || ec == NULL)
		return 1;
	for (unsigned l = 0; l <= TREE_LOG2; l++)
		levels[l] = malloc(((size_t)1 << (TREE_LOG2 - l)) * 32);
	memset(leaf, 'e', sizeof(leaf));
	memset(&f, 0, sizeof(f));

	/* Build the tree of 2^20 leaves: the append rate. */
	t0 = bench_cpu_s();
	for (uint64_t i = 0; i < n; i++) {
		memcpy(leaf, &i, sizeof(i));
		tlog_leaf_hash(leaf, sizeof(leaf), h);
		if (!tlog_frontier_append(&f, h, store, NULL))
			return 1;
	}
	append_s = (bench_cpu_s() - t0) / (double)n;
	tlog_frontier_root(&f, root);

	/* Inclusion proofs of random leaves, each verified. */
	k = 0;
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 1000; i++, k++) {
			uint64_t m;
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			m = (x >> 20) % n;
			if (!tlog_inclusion_proof(node, NULL, m, n, proof,
			                          &len) ||
			    !tlog_inclusion_verify(m, n, levels[0][m], proof,
			                           len, root))
				return 1;
		}
	} while ((t = bench_cpu_s() - t0) < 1.0);
	proof_s = t / (double)k;

	/* Checkpoints. */
	k = 0;
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 100; i++, k++) {
			char *note = tlog_checkpoint_sign(
			        "teepass.example/log", n, root,
			        "teepass.example/log", ed);
			if (note == NULL)
				return 1;
			free(note);
		}
	} while ((t = bench_cpu_s() - t0) < 1.0);
	cp_s = t / (double)k;

	/* ES256 over a passport-sized payload, for scale. */
	k = 0;
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 100; i++, k++) {
			EVP_MD_CTX *c = EVP_MD_CTX_new();
			uint8_t sig[80];
			size_t sl = sizeof(sig);
			if (c == NULL ||
			    EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL,
			                       ec) != 1 ||
			    EVP_DigestSign(c, sig, &sl, leaf, sizeof(leaf)) !=
			            1)
				return 1;
			EVP_MD_CTX_free(c);
		}
	} while ((t = bench_cpu_s() - t0) < 1.0);
	es_s = t / (double)k;

	printf("BENCH tlog_append_per_core %.0f per_s\n", 1.0 / append_s);
	printf("BENCH tlog_inclusion_proof_2e20_per_core %.0f per_s\n",
	       1.0 / proof_s);
	printf("# checkpoint: ceiling 1 Ed25519 signature (openssl here) "
	       "%.0f per_s\n",
	       bench_sig_rate("Ed25519", NULL, 120, true));
	printf("BENCH tlog_checkpoint_sign_per_core %.0f per_s\n", 1.0 / cp_s);
	printf("BENCH tlog_es256_passport_sign_per_core %.0f per_s\n",
	       1.0 / es_s);
	printf("BENCH tlog_cpu_fraction_of_es256 %.3f ratio\n",
	       (append_s + proof_s) / es_s);
	for (unsigned l = 0; l <= TREE_LOG2; l++)
		free(levels[l]);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(ec);
	return 0;
}
