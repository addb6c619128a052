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

#include "common/log.h"
#include "handlers/log.h"
#include "tlog/note.h"

/* Entries per transaction: bounds a batch's memory and lock time. */
#define BATCH 1024
/* Batches per call; what remains waits for the next call. */
#define MAX_BATCHES 64

struct batch {
	struct db_tlog_node *nodes; /* completed by the batch */
	size_t n_nodes, cap;
	struct db_tlog_node frontier[63];
	size_t n_frontier;
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

static enum db_status
run_batch(PGconn *c, void *arg)
{
	struct batch *b = arg;
	struct db_tlog_pending *p = NULL;
	struct tlog_frontier f;
	uint64_t cp_size, leaves;
	uint8_t root[32];
	int64_t *ids = NULL;
	char *note = NULL;
	size_t n = 0;
	enum db_status st;
	bool have_cp;

	b->n_nodes = 0;
	b->n_frontier = 0;
	b->failed = false;
	b->sequenced = 0;
	if ((st = db_tlog_size(c, &cp_size, &leaves, &have_cp)) != DB_OK)
		goto out;
	/* The checkpoint advances with its leaves in one transaction:
	 * another state is a tampered or broken log; refuse to build on
	 * it. */
	if (cp_size != leaves) {
		tp_log(TP_LOG_ERROR,
		       "transparency log: %llu leaves but checkpoint size "
		       "%llu; not sequencing (teepass log verify --database)",
		       (unsigned long long)leaves, (unsigned long long)cp_size);
		st = DB_ERROR;
		goto out;
	}
	if ((st = db_tlog_pending(c, BATCH, &p, &n)) != DB_OK)
		goto out;
	if (n == 0 && have_cp)
		goto out;
	for (unsigned l = 0; l < 63; l++)
		if ((leaves >> l) & 1) {
			b->frontier[b->n_frontier].level = l;
			b->frontier[b->n_frontier].idx = (leaves >> l) - 1;
			b->n_frontier++;
		}
	if (b->n_frontier > 0 &&
	    (st = db_tlog_nodes_get(c, b->frontier, b->n_frontier)) != DB_OK)
		goto out;
	if (!tlog_frontier_load(&f, leaves, frontier_node, b)) {
		tp_log(TP_LOG_ERROR, "transparency log: a right-edge node of "
		                     "the stored tree is missing");
		st = DB_ERROR;
		goto out;
	}
	if (n > 0 && (ids = malloc(n * sizeof(*ids))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t lh[32];
		ids[i] = p[i].id;
		tlog_leaf_hash(p[i].leaf, p[i].leaf_len, lh);
		if (!tlog_frontier_append(&f, lh, emit, b) || b->failed) {
			st = DB_ERROR;
			goto out;
		}
	}
	tlog_frontier_root(&f, root);
	note = tlog_checkpoint_sign(log_origin(), f.size, root, log_origin(),
	                            log_signing_pkey());
	if (note == NULL) {
		st = DB_ERROR;
		goto out;
	}
	/* The entries, their nodes and the checkpoint in one statement;
	 * the first, empty checkpoint alone. */
	if (n > 0)
		st = db_tlog_store(c, ids, n, leaves, b->nodes, b->n_nodes,
		                   f.size, root, note);
	else
		st = db_tlog_checkpoint_insert(c, f.size, root, note);
	if (st == DB_OK)
		b->sequenced = n;
out:
	free(note);
	free(ids);
	db_tlog_pending_free(p, n);
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
