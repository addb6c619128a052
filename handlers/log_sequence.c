/*
 * The log's sequencer (handlers/log.h): whoever holds the advisory lock
 * gives every pending entry — the passports and reference-value changes
 * committed since the last batch, by any instance — consecutive leaf
 * indexes, stores the nodes they complete and a checkpoint signed over
 * the new root, in one transaction. Verifications never wait on it:
 * their transactions only insert a pending row (the triggers of
 * migration 0005); a request that wants its leaf index runs the
 * sequencer after its commit and usually finds its entry already taken
 * by a concurrent batch.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "handlers/log.h"
#include "tlog/batch.h"
#include "tlog/note.h"

/* Entries per transaction: bounds a batch's memory and lock time. */
#define BATCH 1024
/* Batches per call; what remains waits for the next call. */
#define MAX_BATCHES 64

/*
 * The right edge of the tree this process last committed, with that
 * tree's root: a batch reuses it instead of reading the frontier nodes
 * back when the latest checkpoint (read under the lock) is still that
 * tree — the same size and root; any other instance's append, or any
 * other state, reloads it from tlog_nodes.
 */
static pthread_mutex_t edge_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tlog_frontier edge;
static uint8_t edge_root[32];
static bool edge_valid;

/*
 * The last batch this process committed, kept for the requests waiting
 * on it (log_sequence_proof): its nodes in memory and which passport got
 * which leaf. Shared by reference; freed by its last holder.
 */
struct run {
	unsigned refs;
	struct tlog_batch mem;
	char (*pids)[37];
	size_t n;
};
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;
static struct run *last_run;

static void
run_unref(struct run *r)
{
	bool last;

	if (r == NULL)
		return;
	pthread_mutex_lock(&run_mu);
	last = --r->refs == 0;
	pthread_mutex_unlock(&run_mu);
	if (last) {
		tlog_batch_free(&r->mem);
		free(r->pids);
		free(r);
	}
}

/* A batch that was not committed: nobody else holds it. */
static void
run_drop(struct run *r)
{
	if (r == NULL)
		return;
	r->refs = 1;
	run_unref(r);
}

static void
run_publish(struct run *r)
{
	struct run *old;

	r->refs = 1;
	pthread_mutex_lock(&run_mu);
	old = last_run;
	last_run = r;
	pthread_mutex_unlock(&run_mu);
	run_unref(old);
}

struct batch {
	struct db_tlog_node *nodes; /* completed by the batch */
	size_t n_nodes, cap;
	struct db_tlog_node frontier[63];
	size_t n_frontier;
	struct tlog_frontier f; /* after the batch, once stored */
	uint8_t root[32];
	struct run *run; /* the batch for its waiters, once stored */
	bool stored;     /* a checkpoint was written (F, ROOT its tree) */
	bool failed;
	size_t sequenced;
};

static bool
frontier_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct batch *b = ctx;

	for (size_t i = 0; i < b->n_frontier; i++)
		if (b->frontier[i].level == level &&
		    b->frontier[i].idx == index && b->frontier[i].found) {
			memcpy(out, b->frontier[i].hash, 32);
			return true;
		}
	return false;
}

static void
emit(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
	struct batch *b = ctx;

	if (b->run != NULL)
		tlog_batch_emit(&b->run->mem, level, index, hash);
	if (b->n_nodes == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 2 * BATCH + 64;
		struct db_tlog_node *n = realloc(b->nodes, cap * sizeof(*n));
		if (n == NULL) {
			b->failed = true;
			return;
		}
		b->nodes = n;
		b->cap = cap;
	}
	b->nodes[b->n_nodes].level = level;
	b->nodes[b->n_nodes].idx = index;
	memcpy(b->nodes[b->n_nodes].hash, hash, 32);
	b->nodes[b->n_nodes].found = true;
	b->n_nodes++;
}

/* The frontier of the stored tree of S->leaves leaves: this process's
 * own when it is still that tree, else read from tlog_nodes. */
static enum db_status
frontier_get(PGconn *c, struct batch *b, const struct db_tlog_state *s,
             struct tlog_frontier *f)
{
	enum db_status st;
	bool cached;

	pthread_mutex_lock(&edge_mu);
	cached = edge_valid && s->has_checkpoint && edge.size == s->leaves &&
	         memcmp(edge_root, s->root, 32) == 0;
	if (cached)
		*f = edge;
	pthread_mutex_unlock(&edge_mu);
	if (cached)
		return DB_OK;
	for (unsigned l = 0; l < 63; l++)
		if ((s->leaves >> l) & 1) {
			b->frontier[b->n_frontier].level = l;
			b->frontier[b->n_frontier].idx = (s->leaves >> l) - 1;
			b->n_frontier++;
		}
	if (b->n_frontier > 0 &&
	    (st = db_tlog_nodes_get(c, b->frontier, b->n_frontier)) != DB_OK)
		return st;
	if (!tlog_frontier_load(f, s->leaves, frontier_node, b)) {
		tp_log(TP_LOG_ERROR, "transparency log: a right-edge node of "
		                     "the stored tree is missing");
		return DB_ERROR;
	}
	return DB_OK;
}

/* The batch as its waiters will see it: the passport of each leaf. */
static struct run *
run_new(const struct tlog_frontier *f, const struct db_tlog_pending *p,
        size_t n)
{
	struct run *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->pids = calloc(n, sizeof(*r->pids))) == NULL ||
	    !tlog_batch_init(&r->mem, f, n)) {
		if (r != NULL)
			free(r->pids);
		free(r);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(r->pids[i], p[i].passport_id, sizeof(r->pids[i]));
	r->n = n;
	return r;
}

static enum db_status
run_batch(PGconn *c, void *arg)
{
	struct batch *b = arg;
	struct db_tlog_pending *p = NULL;
	struct db_tlog_state s;
	struct tlog_frontier *f = &b->f;
	int64_t *ids = NULL;
	char *note = NULL;
	size_t n = 0;
	enum db_status st;

	b->n_nodes = 0;
	b->n_frontier = 0;
	b->failed = false;
	b->sequenced = 0;
	b->stored = false;
	b->run = NULL;
	if ((st = db_tlog_pending(c, BATCH, &s, &p, &n)) != DB_OK)
		goto out;
	/* The checkpoint advances with its leaves in one transaction:
	 * another state is a tampered or broken log; refuse to build on
	 * it. */
	if (s.checkpoint_size != s.leaves) {
		tp_log(TP_LOG_ERROR,
		       "transparency log: %llu leaves but checkpoint size "
		       "%llu; not sequencing (teepass log verify --database)",
		       (unsigned long long)s.leaves,
		       (unsigned long long)s.checkpoint_size);
		st = DB_ERROR;
		goto out;
	}
	if (n == 0 && s.has_checkpoint)
		goto out;
	if ((st = frontier_get(c, b, &s, f)) != DB_OK)
		goto out;
	/* Without memory for the waiters' copy, they read the stored
	 * nodes instead. */
	if (n > 0)
		b->run = run_new(f, p, n);
	if (n > 0 && (ids = malloc(n * sizeof(*ids))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	/* The stored leaf hashes (migration 0016; the audit checks each
	 * against its leaf). */
	for (size_t i = 0; i < n; i++) {
		ids[i] = p[i].id;
		if (!tlog_frontier_append(f, p[i].leaf_hash, emit, b) ||
		    b->failed) {
			st = DB_ERROR;
			goto out;
		}
	}
	tlog_frontier_root(f, b->root);
	note = tlog_checkpoint_sign(log_origin(), f->size, b->root,
	                            log_origin(), log_signing_pkey());
	if (note == NULL) {
		st = DB_ERROR;
		goto out;
	}
	/* The entries, their nodes and the checkpoint in one statement;
	 * the first, empty checkpoint alone. */
	if (n > 0)
		st = db_tlog_store(c, ids, n, s.leaves, b->nodes, b->n_nodes,
		                   f->size, b->root, note);
	else
		st = db_tlog_checkpoint_insert(c, f->size, b->root, note);
	if (st == DB_OK) {
		b->sequenced = n;
		b->stored = true;
	}
out:
	if (st != DB_OK) {
		run_drop(b->run);
		b->run = NULL;
	}
	free(note);
	free(ids);
	db_tlog_pending_free(p);
	return st;
}

enum db_status
log_sequence(void)
{
	struct batch b;
	enum db_status st = DB_OK;

	if (!log_enabled())
		return DB_ERROR;
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < MAX_BATCHES; i++) {
		st = db_tlog_tx(run_batch, &b);
		/* Only a committed batch is remembered: its tree is the
		 * stored one, its proofs name a stored checkpoint. */
		pthread_mutex_lock(&edge_mu);
		if (st != DB_OK) {
			edge_valid = false;
		} else if (b.stored) {
			edge = b.f;
			memcpy(edge_root, b.root, 32);
			edge_valid = true;
		}
		pthread_mutex_unlock(&edge_mu);
		if (st == DB_OK && b.run != NULL)
			run_publish(b.run);
		else
			run_drop(b.run);
		b.run = NULL;
		if (st != DB_OK || b.sequenced < BATCH)
			break;
	}
	free(b.nodes);
	return st;
}

/*
 * Group commit inside one process: a caller needs a run that starts
 * after its own commit. One thread runs the sequencer while the others
 * wait; when it finishes, one waiter starts the next run for all who
 * arrived meanwhile. So N concurrent verifications cost about one
 * sequencer transaction (one WAL flush), not N.
 */
static pthread_mutex_t group_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t group_cv = PTHREAD_COND_INITIALIZER;
static bool group_running;
static uint64_t group_started, group_finished;
static enum db_status group_status;

enum db_status
log_sequence_shared(void)
{
	enum db_status st;
	uint64_t want, mine;

	pthread_mutex_lock(&group_mu);
	want = group_started + 1;
	for (;;) {
		if (group_finished >= want) {
			st = group_status;
			break;
		}
		if (!group_running) {
			group_running = true;
			mine = ++group_started;
			pthread_mutex_unlock(&group_mu);
			st = log_sequence();
			pthread_mutex_lock(&group_mu);
			group_running = false;
			group_finished = mine;
			group_status = st;
			pthread_cond_broadcast(&group_cv);
			if (mine >= want)
				break;
			continue;
		}
		pthread_cond_wait(&group_cv, &group_mu);
	}
	pthread_mutex_unlock(&group_mu);
	return st;
}

enum db_status
log_sequence_proof(const char *passport_id, struct log_proof *out, bool *found)
{
	enum db_status st = log_sequence_shared();

	*found = false;
	if (st != DB_OK || passport_id == NULL)
		return st;
	*found = log_sequence_lookup(passport_id, out);
	return st;
}

bool
log_sequence_lookup(const char *passport_id, struct log_proof *out)
{
	struct run *r;
	bool found = false;

	pthread_mutex_lock(&run_mu);
	if ((r = last_run) != NULL)
		r->refs++;
	pthread_mutex_unlock(&run_mu);
	if (r == NULL)
		return false;
	/* The last committed batch, whichever run stored it; an entry in
	 * an earlier one (or another instance's) is not found here. */
	for (size_t i = 0; i < r->n; i++)
		if (r->pids[i][0] != '\0' &&
		    strcasecmp(r->pids[i], passport_id) == 0) {
			out->leaf_index = r->mem.old_size + i;
			out->tree_size = r->mem.size;
			found = tlog_batch_inclusion_proof(
			        &r->mem, out->leaf_index, out->hashes,
			        &out->len);
			break;
		}
	run_unref(r);
	return found;
}

void
log_sequence_forget(void)
{
	struct run *r;

	pthread_mutex_lock(&run_mu);
	r = last_run;
	last_run = NULL;
	pthread_mutex_unlock(&run_mu);
	run_unref(r);
	pthread_mutex_lock(&edge_mu);
	edge_valid = false;
	pthread_mutex_unlock(&edge_mu);
}
