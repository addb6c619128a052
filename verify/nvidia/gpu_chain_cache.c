#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include "verify/nvidia/gpu_chain_cache.h"

#define GPU_CHAIN_CACHE_SIZE 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint8_t key[32];
	X509 *leaf;
	int64_t not_before, not_after;
} cache[GPU_CHAIN_CACHE_SIZE];
static size_t next_slot;

X509 *
gpu_chain_cache_get(const uint8_t key[32], int64_t now, int64_t *not_after)
{
	X509 *leaf = NULL;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < GPU_CHAIN_CACHE_SIZE; i++) {
		if (cache[i].leaf == NULL ||
		    CRYPTO_memcmp(cache[i].key, key, 32) != 0)
			continue;
		if (now >= cache[i].not_before && now <= cache[i].not_after &&
		    X509_up_ref(cache[i].leaf) == 1) {
			leaf = cache[i].leaf;
			*not_after = cache[i].not_after;
		}
		break;
	}
	pthread_mutex_unlock(&lock);
	return leaf;
}

void
gpu_chain_cache_put(const uint8_t key[32], X509 *leaf, int64_t not_before,
                    int64_t not_after)
{
	size_t slot;

	if (X509_up_ref(leaf) != 1)
		return;
	pthread_mutex_lock(&lock);
	for (slot = 0; slot < GPU_CHAIN_CACHE_SIZE; slot++)
		if (cache[slot].leaf != NULL &&
		    memcmp(cache[slot].key, key, 32) == 0)
			break;
	if (slot == GPU_CHAIN_CACHE_SIZE) {
		slot = next_slot;
		next_slot = (next_slot + 1) % GPU_CHAIN_CACHE_SIZE;
	}
	X509_free(cache[slot].leaf);
	memcpy(cache[slot].key, key, 32);
	cache[slot].leaf = leaf;
	cache[slot].not_before = not_before;
	cache[slot].not_after = not_after;
	pthread_mutex_unlock(&lock);
}
