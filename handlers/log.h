#ifndef TP_HANDLERS_LOG_H
#define TP_HANDLERS_LOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/errors.h"
#include "db/tlog.h"
#include "tlog/merkle.h"

/*
 * The transparency log's service side (docs/transparency.md): the log
 * key, the sequencer that gives pending entries their leaf indexes and
 * signs a checkpoint, and proofs read from the stored nodes.
 */

/*
 * Loads the Ed25519 log key from PATH (refusing group/other-readable
 * files) and sets the origin: ORIGIN, else ISSUER without its scheme and
 * trailing '/' followed by "/log". False with ERR on failure.
 */
bool log_key_load(const char *path, const char *origin, const char *issuer,
                  char *err, size_t errlen);

/* True once log_key_load succeeded. */
bool log_enabled(void);

/*
 * Why the log routes cannot answer when !log_enabled(): log_disabled
 * when the deployment keeps no log (transparency_log = 0), else
 * log_unavailable (no log key).
 */
enum tp_err log_off_code(void);

/* The origin (= key name) and verifier key text of the loaded key. */
const char *log_origin(void);
const char *log_verifier_key(void);

/* The loaded private key, for the sequencer; NULL when none. */
EVP_PKEY *log_signing_pkey(void);

/* Frees the key. */
void log_key_free(void);

/*
 * Sequences every pending entry (in batches, each one transaction under
 * the log's advisory lock) and signs a checkpoint per batch; also
 * writes the size-0 checkpoint of an empty log. DB_OK when nothing is
 * left pending.
 */
enum db_status log_sequence(void);

/*
 * log_sequence for a caller whose entry was committed before the call:
 * returns once a sequencer run that started after the call has finished
 * (its own or another thread's), with that run's status.
 */
enum db_status log_sequence_shared(void);

/* An inclusion proof. */
struct log_proof {
	uint64_t leaf_index, tree_size;
	uint8_t hashes[TLOG_MAX_PROOF][TLOG_HASH_LEN];
	size_t len;
};

/*
 * log_sequence_shared, then the inclusion proof of passport PASSPORT_ID's
 * entry from the last batch this process committed, held in memory (no
 * round trip; tlog/batch.h): *found false when that batch does not hold
 * the entry (sequenced earlier, or by another instance) — read it from
 * the database then.
 */
enum db_status log_sequence_proof(const char *passport_id,
                                  struct log_proof *out, bool *found);

/* The lookup of log_sequence_proof alone: no sequencer run first. */
bool log_sequence_lookup(const char *passport_id, struct log_proof *out);

/*
 * Waiting for a proof off the worker threads (handlers/log_waiters.c):
 * a verification whose passport just committed suspends its connection
 * and registers here; one thread runs the sequencer for every waiter
 * that arrived meanwhile — one batch, one checkpoint, one commit for all
 * of them, however many the worker threads — and calls DONE(ARG, proof)
 * for each (proof NULL when there is none now; DONE owns it), from which
 * the caller resumes its connection. log_wait returns false when the
 * thread is not running (then DONE is never called).
 */
bool log_waiters_start(void);
void log_waiters_stop(void);
bool log_wait(const char *passport_id, void (*done)(void *arg, json_t *proof),
              void *arg);

/* Drops what the sequencer keeps in memory (at shutdown). */
void log_sequence_forget(void);

/*
 * Proofs through the stored nodes (two passes: which nodes, one query,
 * then the hashes). N must not exceed the stored tree's size.
 */
enum db_status log_inclusion(PGconn *c, uint64_t m, uint64_t n,
                             uint8_t out[][TLOG_HASH_LEN], size_t *len);
enum db_status log_consistency(PGconn *c, uint64_t m, uint64_t n,
                               uint8_t out[][TLOG_HASH_LEN], size_t *len);

/* {"leaf_index", "tree_size", "hashes": [base64...]}, or NULL. */
json_t *log_proof_json(uint64_t leaf_index, uint64_t tree_size,
                       const uint8_t proof[][TLOG_HASH_LEN], size_t len);

/*
 * The inclusion proof of passport ID against the latest checkpoint,
 * sequencing first when its entry is pending (FRESH: it was just
 * committed, so sequence without looking first); NULL when the log is
 * off, the entry cannot be sequenced now, or on a database error.
 */
json_t *log_passport_inclusion(const char *id, bool fresh);

/* A query value as a decimal in [0, TLOG_MAX_SIZE]; false otherwise. */
bool log_parse_size(const char *s, uint64_t *out);

#endif
