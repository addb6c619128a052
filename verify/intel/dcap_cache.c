/*
 * Two bounded least-recently-used tiers behind one hash index (issue 20):
 * shared entries (verified collateral, Intel's PCK CAs: a handful for a
 * whole fleet) and per-platform entries (PCK chains, first-phase chain
 * verdicts, attestation keys: a few per machine). Each tier evicts only
 * its own least recently used entry, so a flood of new platforms never
 * pushes out the TCB Info, QE Identity, CRLs or CAs every quote needs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "verify/intel/dcap_cache.h"

struct entry {
	uint8_t key[32];
	int64_t from, until;
	struct dcap_cached *obj;
	struct entry *next_hash;           /* bucket chain */
	struct entry *lru_prev, *lru_next; /* prev: more recently used */
	int tier;
};

struct tier {
	struct entry *head, *tail; /* head: most recently used */
	size_t n, max;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tier tiers[2] = {{NULL, NULL, 0, DCAP_CACHE_SHARED_DEFAULT},
                               {NULL, NULL, 0, DCAP_CACHE_PLATFORM_DEFAULT}};
static struct entry **buckets;
static size_t n_buckets; /* a power of two, or 0 before the first put */
static struct dcap_cache_stats counters;

static void
unref_locked(struct dcap_cached *c, struct dcap_cached **dead)
{
	*dead = NULL;
	if (c != NULL && --c->refs == 0)
		*dead = c;
}

static size_t
bucket_of(const uint8_t key[32])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h)); /* the key is a SHA-256 */
	return (size_t)h & (n_buckets - 1);
}

static void
lru_unlink(struct entry *e)
{
	struct tier *t = &tiers[e->tier];

	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	else
		t->tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
lru_push_front(struct entry *e)
{
	struct tier *t = &tiers[e->tier];

	e->lru_prev = NULL;
	e->lru_next = t->head;
	if (t->head != NULL)
		t->head->lru_prev = e;
	t->head = e;
	if (t->tail == NULL)
		t->tail = e;
}

static struct entry *
find_locked(const uint8_t key[32])
{
	struct entry *e;

	if (n_buckets == 0)
		return NULL;
	for (e = buckets[bucket_of(key)]; e != NULL; e = e->next_hash)
		if (CRYPTO_memcmp(e->key, key, 32) == 0)
			return e;
	return NULL;
}

/* Takes E out of the index and its tier; returns its object's last
 * reference to drop (or NULL). */
static struct dcap_cached *
remove_locked(struct entry *e)
{
	struct entry **pp = &buckets[bucket_of(e->key)];
	struct dcap_cached *dead;

	while (*pp != e)
		pp = &(*pp)->next_hash;
	*pp = e->next_hash;
	lru_unlink(e);
	tiers[e->tier].n--;
	unref_locked(e->obj, &dead);
	free(e);
	return dead;
}

/* Grows the index to at least twice the entries both tiers may hold (so
 * chains stay short); false when memory is short (the put is skipped). */
static bool
index_fits_locked(void)
{
	size_t want = 64, cap = tiers[0].max + tiers[1].max;
	struct entry **nb, *e, *next;

	while (want < 2 * cap && want < ((size_t)1 << 30))
		want <<= 1;
	if (n_buckets >= want)
		return true;
	if ((nb = calloc(want, sizeof(*nb))) == NULL)
		return n_buckets != 0;
	for (size_t i = 0; i < n_buckets; i++) {
		for (e = buckets[i]; e != NULL; e = next) {
			uint64_t h;

			next = e->next_hash;
			memcpy(&h, e->key, sizeof(h));
			e->next_hash = nb[(size_t)h & (want - 1)];
			nb[(size_t)h & (want - 1)] = e;
		}
	}
	free(buckets);
	buckets = nb;
	n_buckets = want;
	return true;
}

/* Objects whose last reference the cache dropped under its lock, destroyed
 * after it is released. */
struct dead_list {
	struct dcap_cached *objs[16];
	size_t n;
};

struct dcap_cached *
dcap_cache_get(const uint8_t key[32], int64_t now)
{
	struct dcap_cached *c = NULL;
	struct entry *e;

	pthread_mutex_lock(&cache_lock);
	if ((e = find_locked(key)) != NULL && now >= e->from &&
	    now < e->until) {
		c = e->obj;
		c->refs++;
		lru_unlink(e);
		lru_push_front(e);
		counters.hits[e->tier]++;
	} else {
		counters.misses++;
	}
	pthread_mutex_unlock(&cache_lock);
	return c;
}

/* Evicts least recently used entries of tier T until it holds at most
 * its maximum, handing their objects' last references to DEAD. */
static void
trim_locked(int t, struct dead_list *dead)
{
	struct dcap_cached *d;

	while (tiers[t].n > tiers[t].max && tiers[t].tail != NULL &&
	       dead->n < sizeof(dead->objs) / sizeof(dead->objs[0])) {
		d = remove_locked(tiers[t].tail);
		counters.evictions[t]++;
		if (d != NULL)
			dead->objs[dead->n++] = d;
	}
}

static void
destroy_all(struct dead_list *dead)
{
	for (size_t i = 0; i < dead->n; i++)
		dead->objs[i]->destroy(dead->objs[i]);
	dead->n = 0;
}

void
dcap_cache_put(const uint8_t key[32], int64_t from, int64_t until,
               struct dcap_cached *c)
{
	struct dead_list dead = {.n = 0};
	struct dcap_cached *d;
	struct entry *e;
	int t;

	if (c == NULL || from >= until)
		return;
	t = c->platform ? 1 : 0;
	pthread_mutex_lock(&cache_lock);
	if (tiers[t].max == 0 || !index_fits_locked()) {
		pthread_mutex_unlock(&cache_lock);
		return;
	}
	/* Same key: replaced (e.g. re-verified for another window). */
	if ((e = find_locked(key)) != NULL && (d = remove_locked(e)) != NULL)
		dead.objs[dead.n++] = d;
	if ((e = calloc(1, sizeof(*e))) != NULL) {
		memcpy(e->key, key, 32);
		e->from = from;
		e->until = until;
		e->obj = c;
		e->tier = t;
		c->refs++;
		e->next_hash = buckets[bucket_of(key)];
		buckets[bucket_of(key)] = e;
		lru_push_front(e);
		tiers[t].n++;
		trim_locked(t, &dead);
	}
	pthread_mutex_unlock(&cache_lock);
	destroy_all(&dead);
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

/* Drops every entry of the tiers in MASK (bit 0 shared, bit 1 platform),
 * a few at a time so that no destructor runs under the lock. */
static void
drop_tiers(unsigned mask)
{
	struct dead_list dead = {.n = 0};
	struct dcap_cached *d;

	for (int t = 0; t < 2; t++) {
		if (!(mask & (1u << t)))
			continue;
		for (;;) {
			pthread_mutex_lock(&cache_lock);
			while (tiers[t].tail != NULL &&
			       dead.n < sizeof(dead.objs) /
			                        sizeof(dead.objs[0])) {
				if ((d = remove_locked(tiers[t].tail)) != NULL)
					dead.objs[dead.n++] = d;
			}
			bool more = tiers[t].tail != NULL;
			pthread_mutex_unlock(&cache_lock);
			destroy_all(&dead);
			if (!more)
				break;
		}
	}
}

void
dcap_cache_clear(void)
{
	drop_tiers(3);
}

void
dcap_cache_clear_platform(void)
{
	drop_tiers(2);
}

void
dcap_cache_configure(size_t shared_max, size_t platform_max)
{
	struct dead_list dead = {.n = 0};
	bool more;

	pthread_mutex_lock(&cache_lock);
	tiers[0].max = shared_max;
	tiers[1].max = platform_max;
	pthread_mutex_unlock(&cache_lock);
	/* Shrinking: evict down to the new bounds, a batch at a time. */
	do {
		pthread_mutex_lock(&cache_lock);
		trim_locked(0, &dead);
		trim_locked(1, &dead);
		more = tiers[0].n > tiers[0].max || tiers[1].n > tiers[1].max;
		pthread_mutex_unlock(&cache_lock);
		destroy_all(&dead);
	} while (more);
}

void
dcap_cache_stats(struct dcap_cache_stats *out)
{
	pthread_mutex_lock(&cache_lock);
	*out = counters;
	out->entries[0] = tiers[0].n;
	out->entries[1] = tiers[1].n;
	out->max[0] = tiers[0].max;
	out->max[1] = tiers[1].max;
	pthread_mutex_unlock(&cache_lock);
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
