/*
 * Fuzz target: the transparency log's parsers of untrusted text
 * (tlog/note.h, tlog/merkle.h): the input as a checkpoint note verified
 * with the fixed test key of the seeds, as a verifier key, and as an
 * inclusion / consistency proof (8-byte m, 8-byte n, then 32-byte
 * hashes) verified against a root taken from the input.
 */
#include <string.h>

#include <openssl/evp.h>

#include "tests/fuzz/fuzz.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/* The seeds' checkpoints are signed by the Ed25519 key of this seed
 * (tests/fuzz/corpus/PROVENANCE.md, tlog/). */
static const uint8_t seed[32] = {'t', 'e', 'e', 'p', 'a', 's', 's', '-',
                                 'f', 'u', 'z', 'z', '-', 't', 'l', 'o',
                                 'g', '-', 'k', 'e', 'y', '-', 's', 'e',
                                 'e', 'd', '-', '3', '2', 'b', 'y', '!'};

static uint64_t
u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlog_vkey vk;
	static bool have;
	struct tlog_checkpoint cp;
	struct tlog_vkey other;
	char err[256], *s = fuzz_strndup(data, size);

	if (!have) {
		EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519,
		                                           NULL, seed, 32);
		char *v = tlog_vkey_format("teepass.example/log", k);
		if (v == NULL || !tlog_vkey_parse(v, &vk))
			abort();
		free(v);
		EVP_PKEY_free(k);
		have = true;
	}
	(void)tlog_checkpoint_verify((const char *)data, size, &vk, &cp, err,
	                             sizeof(err));
	(void)tlog_vkey_parse(s, &other);
	(void)tlog_name_valid(s);
	if (size >= 16 + 32) {
		uint64_t m = u64(data), n = u64(data + 8);
		const uint8_t *root = data + 16;
		size_t len = (size - 48) / 32;
		uint8_t(*proof)[TLOG_HASH_LEN] =
		        (uint8_t(*)[TLOG_HASH_LEN])(data + 48);
		if (len > TLOG_MAX_PROOF)
			len = TLOG_MAX_PROOF;
		(void)tlog_inclusion_verify(m, n, root, proof, len, root);
		(void)tlog_consistency_verify(m, n, root, root, proof, len);
	}
	free(s);
	return 0;
}
