#ifndef TP_DB_TLOG_H
#define TP_DB_TLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/*
 * The transparency log's tables (migrations/0005, docs/transparency.md):
 * tlog_entries (leaves, pending until sequenced), tlog_nodes (perfect
 * subtree hashes) and tlog_checkpoints (signed tree heads).
 */

/*
 * Runs FN in a READ COMMITTED transaction holding the log's advisory
 * lock (db/tlog_tx.c): one sequencer at a time across all instances,
 * each statement seeing what the previous sequencer committed. FN
 * returns DB_OK to commit.
 */
enum db_status db_tlog_tx(enum db_status (*fn)(PGconn *c, void *arg),
                          void *arg);

/* The log's state as a sequencer finds it (db_tlog_pending). */
struct db_tlog_state {
	bool has_checkpoint;      /* false: no checkpoint was ever written */
	uint64_t checkpoint_size; /* the latest checkpoint's, 0 when none */
	uint8_t root[32];         /* its root hash */
	uint64_t leaves;          /* sequenced leaves */
};

/* A pending entry (db_tlog_pending). */
struct db_tlog_pending {
	int64_t id;
	char passport_id[37];  /* "" for an entry of another kind */
	uint8_t leaf_hash[32]; /* SHA-256(0x00 || leaf), stored (0016) */
};

/*
 * The state and up to LIMIT pending entries, oldest first, in one
 * statement (db/tlog_pending.c); free the entries with
 * db_tlog_pending_free.
 */
enum db_status db_tlog_pending(PGconn *c, int limit,
                               struct db_tlog_state *state,
                               struct db_tlog_pending **out, size_t *n);
void db_tlog_pending_free(struct db_tlog_pending *p);

/* True when an entry waits for its leaf index (db/tlog_pending.c). */
enum db_status db_tlog_has_pending(PGconn *c, bool *pending);

/* A node coordinate and its hash. */
struct db_tlog_node {
	unsigned level;
	uint64_t idx;
	uint8_t hash[32];
	bool found;
};

/*
 * Fills the hashes of the N nodes (level, idx) of NODES
 * (db/tlog_nodes_get.c); each found flag says whether it is stored.
 */
enum db_status db_tlog_nodes_get(PGconn *c, struct db_tlog_node *nodes,
                                 size_t n);

/*
 * Stores a sequenced batch (db/tlog_store.c): entry IDS[i] gets leaf
 * index FIRST + i, the N_NODES completed nodes are inserted and the
 * checkpoint NOTE of SIZE leaves and ROOT, in one statement.
 */
enum db_status db_tlog_store(PGconn *c, const int64_t *ids, size_t n_ids,
                             uint64_t first, const struct db_tlog_node *nodes,
                             size_t n_nodes, uint64_t size,
                             const uint8_t root[32], const char *note);

/* Inserts the checkpoint of SIZE leaves (db/tlog_checkpoint_insert.c). */
enum db_status db_tlog_checkpoint_insert(PGconn *c, uint64_t size,
                                         const uint8_t root[32],
                                         const char *note);

/* A stored checkpoint. */
struct db_tlog_checkpoint {
	uint64_t size;
	uint8_t root[32];
	char *note; /* caller frees */
};

/* The latest checkpoint (db/tlog_checkpoint_get.c); DB_NOT_FOUND when
 * none. */
enum db_status db_tlog_checkpoint_latest(PGconn *c,
                                         struct db_tlog_checkpoint *out);

/* Every checkpoint, smallest first (db/tlog_checkpoints_all.c). */
enum db_status
db_tlog_checkpoints_all(PGconn *c, struct db_tlog_checkpoint **out, size_t *n);
void db_tlog_checkpoints_free(struct db_tlog_checkpoint *p, size_t n);

/* A passport's log entry (db/tlog_entry_by_passport.c). */
struct db_tlog_entry {
	bool sequenced;
	uint64_t leaf_index;
};

/* DB_NOT_FOUND when the passport has no entry (or ID is malformed). */
enum db_status db_tlog_entry_by_passport(PGconn *c, const char *id,
                                         struct db_tlog_entry *out);

/* A sequenced leaf for the audit (db/tlog_leaves_all.c). */
struct db_tlog_leaf {
	uint64_t leaf_index;
	char kind[20];
	uint8_t *leaf;
	size_t leaf_len;
	uint8_t leaf_hash[32]; /* as stored (migration 0016) */
	char *token; /* the passport row's token, NULL for other kinds or when
	              * the passport row is gone */
};

/* Every sequenced leaf in index order (db/tlog_leaves_all.c). */
enum db_status db_tlog_leaves_all(PGconn *c, struct db_tlog_leaf **out,
                                  size_t *n);
void db_tlog_leaves_free(struct db_tlog_leaf *p, size_t n);

/* Every stored node of LEVEL, by index (db/tlog_nodes_level.c); *out
 * holds *n (idx, hash) pairs, free() it. */
enum db_status db_tlog_nodes_level(PGconn *c, unsigned level,
                                   struct db_tlog_node **out, size_t *n);

#endif
