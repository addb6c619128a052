/* Bounded least-recently-used cache of verified objects: see lru.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "verify/core/lru.h"

struct entry {
	uint8_t key[32];
	int64_t from, until;
	void *obj;
	struct entry *next_hash;   /* bucket chain */
	struct entry *prev, *next; /* recency: head most recent */
};

struct lru {
	pthread_mutex_t lock;
	void (*destroy)(void *obj);
	struct entry **buckets;
	size_t nbuckets; /* a power of two */
	struct entry *head, *tail;
	size_t n, max;
	uint64_t hits, misses, evictions;
};

/* Keys are digests: their first bytes are as good a hash as any. */
static size_t
bucket_of(const struct lru *c, const uint8_t key[32])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)h & (c->nbuckets - 1);
}

static size_t
buckets_for(size_t max)
{
	size_t n = 16;

	while (n < max && n < ((size_t)1 << 24))
		n <<= 1;
	return n;
}

struct lru *
lru_new(size_t max, void (*destroy)(void *obj))
{
	struct lru *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->nbuckets = buckets_for(max);
	if ((c->buckets = calloc(c->nbuckets, sizeof(*c->buckets))) == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->destroy = destroy;
	c->max = max;
	return c;
}

static void
list_unlink(struct lru *c, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
list_push_head(struct lru *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static struct entry **
find_slot(struct lru *c, const uint8_t key[32])
{
	struct entry **p = &c->buckets[bucket_of(c, key)];

	while (*p != NULL && CRYPTO_memcmp((*p)->key, key, 32) != 0)
		p = &(*p)->next_hash;
	return p;
}

/* Unlinks E (in the index and the list) and destroys it. */
static void
drop(struct lru *c, struct entry *e)
{
	struct entry **p = find_slot(c, e->key);

	if (*p == e)
		*p = e->next_hash;
	list_unlink(c, e);
	c->n--;
	c->destroy(e->obj);
	free(e);
}

static void
evict_to(struct lru *c, size_t max)
{
	while (c->n > max && c->tail != NULL) {
		drop(c, c->tail);
		c->evictions++;
	}
}

void
lru_free(struct lru *c)
{
	if (c == NULL)
		return;
	lru_clear(c);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

bool
lru_get(struct lru *c, const uint8_t key[32], int64_t at,
        bool (*copy)(void *obj, void *out), void *out)
{
	struct entry *e;
	bool hit = false;

	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->lock);
	e = *find_slot(c, key);
	if (e != NULL && at >= e->from && at <= e->until && copy(e->obj, out)) {
		hit = true;
		list_unlink(c, e);
		list_push_head(c, e);
	}
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void
lru_put(struct lru *c, const uint8_t key[32], int64_t from, int64_t until,
        void *obj)
{
	struct entry *e, **p;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->max == 0)
		goto destroy;
	p = find_slot(c, key);
	if ((e = *p) != NULL) {
		if (e->obj != obj)
			c->destroy(e->obj);
		e->obj = obj;
		e->from = from;
		e->until = until;
		list_unlink(c, e);
		list_push_head(c, e);
		goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto destroy;
	memcpy(e->key, key, 32);
	e->from = from;
	e->until = until;
	e->obj = obj;
	*p = e;
	list_push_head(c, e);
	c->n++;
	evict_to(c, c->max);
	goto out;
destroy:
	c->destroy(obj);
out:
	pthread_mutex_unlock(&c->lock);
}

void
lru_configure(struct lru *c, size_t max)
{
	size_t nb = buckets_for(max);
	struct entry **b;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->max = max;
	evict_to(c, max);
	/* A new index for the new size (the entries stay). */
	if (nb != c->nbuckets && (b = calloc(nb, sizeof(*b))) != NULL) {
		free(c->buckets);
		c->buckets = b;
		c->nbuckets = nb;
		for (struct entry *e = c->head; e != NULL; e = e->next) {
			size_t i = bucket_of(c, e->key);

			e->next_hash = b[i];
			b[i] = e;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

void
lru_clear(struct lru *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	while (c->head != NULL)
		drop(c, c->head);
	pthread_mutex_unlock(&c->lock);
}

void
lru_stats(struct lru *c, struct lru_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	out->entries = c->n;
	out->max = c->max;
	out->hits = c->hits;
	out->misses = c->misses;
	out->evictions = c->evictions;
	pthread_mutex_unlock(&c->lock);
}
