#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "verify/intel/dcap_cache.h"

#define DCAP_CACHE_SLOTS 128

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t cache_clock;
static struct {
	uint8_t key[32];
	int64_t from, until;
	uint64_t used;
	struct dcap_cached *obj;
} slots[DCAP_CACHE_SLOTS];

static void
unref_locked(struct dcap_cached *c, struct dcap_cached **dead)
{
	*dead = NULL;
	if (c != NULL && --c->refs == 0)
		*dead = c;
}

struct dcap_cached *
dcap_cache_get(const uint8_t key[32], int64_t now)
{
	struct dcap_cached *c = NULL;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < DCAP_CACHE_SLOTS; i++) {
		if (slots[i].obj == NULL ||
		    CRYPTO_memcmp(slots[i].key, key, 32) != 0)
			continue;
		if (now < slots[i].from || now >= slots[i].until)
			break;
		c = slots[i].obj;
		c->refs++;
		slots[i].used = ++cache_clock;
		break;
	}
	pthread_mutex_unlock(&cache_lock);
	return c;
}

void
dcap_cache_put(const uint8_t key[32], int64_t from, int64_t until,
               struct dcap_cached *c)
{
	struct dcap_cached *dead = NULL;
	size_t victim = 0;

	if (c == NULL || from >= until)
		return;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < DCAP_CACHE_SLOTS; i++) {
		/* Same key: replace (e.g. re-verified for another window). */
		if (slots[i].obj != NULL &&
		    memcmp(slots[i].key, key, 32) == 0) {
			victim = i;
			goto found;
		}
	}
	for (size_t i = 0; i < DCAP_CACHE_SLOTS; i++) {
		if (slots[i].obj == NULL) {
			victim = i;
			break;
		}
		if (slots[i].used < slots[victim].used)
			victim = i;
	}
found:
	unref_locked(slots[victim].obj, &dead);
	memcpy(slots[victim].key, key, 32);
	slots[victim].from = from;
	slots[victim].until = until;
	slots[victim].used = ++cache_clock;
	slots[victim].obj = c;
	c->refs++;
	pthread_mutex_unlock(&cache_lock);
	if (dead != NULL)
		dead->destroy(dead);
}

void
dcap_cache_release(struct dcap_cached *c)
{
	struct dcap_cached *dead = NULL;

	if (c == NULL)
		return;
	pthread_mutex_lock(&cache_lock);
	unref_locked(c, &dead);
	pthread_mutex_unlock(&cache_lock);
	if (dead != NULL)
		dead->destroy(dead);
}

void
dcap_cache_clear(void)
{
	struct dcap_cached *dead;

	for (size_t i = 0; i < DCAP_CACHE_SLOTS; i++) {
		pthread_mutex_lock(&cache_lock);
		unref_locked(slots[i].obj, &dead);
		slots[i].obj = NULL;
		pthread_mutex_unlock(&cache_lock);
		if (dead != NULL)
			dead->destroy(dead);
	}
}

void
dcap_cache_clear_platform(void)
{
	struct dcap_cached *dead;

	for (size_t i = 0; i < DCAP_CACHE_SLOTS; i++) {
		pthread_mutex_lock(&cache_lock);
		dead = NULL;
		if (slots[i].obj != NULL && slots[i].obj->platform) {
			unref_locked(slots[i].obj, &dead);
			slots[i].obj = NULL;
		}
		pthread_mutex_unlock(&cache_lock);
		if (dead != NULL)
			dead->destroy(dead);
	}
}

bool
dcap_sha256_parts(const void *const *parts, const size_t *lens, size_t n,
                  uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t le[8];
	bool ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	for (size_t i = 0; ok && i < n; i++) {
		for (int k = 0; k < 8; k++)
			le[k] = (uint8_t)((uint64_t)lens[i] >> (8 * k));
		ok = EVP_DigestUpdate(ctx, le, 8) == 1 &&
		     (lens[i] == 0 ||
		      EVP_DigestUpdate(ctx, parts[i], lens[i]) == 1);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}
