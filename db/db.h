#ifndef TP_DB_H
#define TP_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

/* Outcome of a database operation. */
enum db_status {
	DB_OK = 0,
	DB_NOT_FOUND,
	DB_INVALID,     /* the database refused the data (SQLSTATE 22xxx) */
	DB_RETRY,       /* serialization failure / deadlock: run again */
	DB_UNAVAILABLE, /* no connection */
	DB_ERROR,
};

/* A timestamp column that is SQL NULL, in structs that hold Unix
 * microseconds. */
#define DB_TIME_NULL INT64_MIN

/* A prepared statement: one per query file, prepared once per
 * connection on first use. */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

/* Sets the libpq connection string every thread connects with. */
void db_configure(const char *url);

/*
 * ON false: every connection made after the call sets
 * teepass.transparency_log = off, so the triggers of migration 0011
 * record no transparency-log entry (config transparency_log = 0).
 */
void db_configure_log(bool on);

/*
 * The calling thread's connection (one per worker thread), connected or
 * reset as needed. NULL when the database cannot be reached.
 */
PGconn *db_conn(void);

/* Closes the calling thread's connection. */
void db_conn_close(void);

/*
 * Runs STMT with text parameters VALUES (NULL = SQL NULL; LENGTHS and
 * FORMATS may be NULL for all-text). Returns the result (caller clears)
 * or NULL with *st set. Maps SQLSTATEs: 40001/40P01 -> DB_RETRY, class
 * 22 and 23 -> DB_INVALID, connection loss -> DB_UNAVAILABLE.
 */
PGresult *db_run(PGconn *c, const struct db_stmt *stmt,
                 const char *const *values, const int *lengths,
                 const int *formats, enum db_status *st);

/*
 * Runs SQL (no parameters; several statements: the last one's result)
 * on C: BEGIN, COMMIT, ROLLBACK and the like, outside db_tx.
 */
enum db_status db_exec(PGconn *c, const char *sql);

/*
 * Runs FN inside a SERIALIZABLE transaction, retrying on serialization
 * failure (up to 8 times with a short back-off). FN returns DB_OK to
 * commit; anything else rolls back and is returned.
 */
enum db_status db_tx(enum db_status (*fn)(PGconn *c, void *arg), void *arg);

/*
 * As db_tx at READ COMMITTED, for transactions whose statements are each
 * safe on their own (conditional updates, inserts, reads serialised by an
 * advisory lock): SERIALIZABLE's predicate locks on a small or freshly
 * truncated table escalate to the whole relation and make concurrent
 * inserts fail each other (issue 20). Deadlocks are still retried.
 */
enum db_status db_tx_read_committed(enum db_status (*fn)(PGconn *c, void *arg),
                                    void *arg);

/* --- migrations (db/migrate.c) --- */

/* Highest migration version compiled into this build. */
int db_migrations_latest(void);

/*
 * Applies every pending migration on URL under an advisory lock, each in
 * its own transaction, recording version, name and SHA-256. Refuses when
 * an applied migration's text differs from this build's. *applied counts
 * the newly applied ones. False with ERR on failure.
 */
bool db_migrate(const char *url, int *applied, char *err, size_t errlen);

/* Applied version of the database (0 when none). */
enum db_status db_schema_version(PGconn *c, int *version);

/* --- passports --- */

struct db_passport_row {
	const char *id;
	int64_t verified_at;
	int64_t expires_at;
	const char *ear_status;
	const char *tee_type;
	bool hardware_attested;
	const char *claims_json;
	const char *token;
	/* SHA-256(0x00 || token), the log entry's RFC 9162 leaf hash
	 * (migration 0016); NULL: computed in SQL. */
	const uint8_t *leaf_hash;
	const char *kid;
	const uint8_t *evidence;
	size_t evidence_len;
	const char *evidence_sha256;
	const char *request_sha256;
	const char *endpoint_id; /* NULL when none */
	/* What the appraisal used (migrations/0007, docs/reappraisal.md):
	 * the request's inputs by digest (JSON object), the blobs to store
	 * once ([{"s": hex sha256, "b": base64}], or NULL), and the
	 * collateral set's digest and artifact list (NULL: none). The
	 * evidence goes to evidence_blobs by evidence_sha256. */
	const char *appraisal_json;
	const char *blobs_json;
	const char *set_sha256;
	const char *set_json;
	/* SET_KNOWN: blobs_json leaves out the set's artifact bytes, the set
	 * being stored already (handlers/appraisal_record.c). When it is gone
	 * meanwhile (retention purged it with its last passport), the insert
	 * calls SET_BYTES(SET_BYTES_ARG), which puts the bytes in blobs_json
	 * and clears set_known (false: it could not), and runs again. */
	bool set_known;
	bool (*set_bytes)(void *arg);
	void *set_bytes_arg;
	/* The token as its parts (issue 20), or jws_header NULL: token and
	 * claims_json are stored as they are. */
	const char *jws_header;
	const char *jws_payload;
	const uint8_t *jws_signature;
	size_t jws_signature_len;
};

/* Inserts a passport (db/passport_insert.c). */
enum db_status db_passport_insert(PGconn *c, const struct db_passport_row *r);

/* A passport as the API shows it (db_passport_get, db_passport_list).
 * Times are Unix microseconds. */
struct db_passport {
	char id[37];
	char status[16]; /* active, expired, revoked or superseded as of the
	                  * query's NOW */
	char ear_status[16];
	char tee_type[128];
	bool hardware_attested;
	int64_t created_at, verified_at, expires_at;
	char evidence_sha256[80];
	char endpoint_id[37]; /* "" when none */
	/* created_at as PostgreSQL prints it: the keyset cursor of
	 * db_passport_list, exact for the (created_at, id) comparison. */
	char cursor[64];
	/* db_passport_get only (NULL from db_passport_list): */
	char *claims_json; /* the claims document, JSON text */
	char *token;
	char *revoked_at_text;  /* as PostgreSQL prints it; NULL when not
	                        * revoked */
	char *reappraisal_json; /* the re-appraisal's verdict that superseded
	                         * or revoked it (docs/reappraisal.md), or
	                         * NULL */
};

/* Frees what P owns; NULL-safe. */
void db_passport_clear(struct db_passport *p);

/* A passport to hand out again (db_passport_find_by_request). */
struct db_passport_issued {
	char id[37];
	char *token;        /* caller frees */
	int64_t expires_at; /* Unix microseconds */
};

/*
 * An active, unexpired passport issued for the same request digest and
 * signed by KID, the key that would sign it now — after a rotation a
 * request gets a passport under the new key
 * (db/passport_find_by_request.c). DB_OK fills *OUT (free out->token).
 * First serialises, until the transaction ends, every transaction that
 * issues a passport for REQUEST_SHA256 (an advisory lock), so the
 * find-then-insert of an idempotent issue is safe at READ COMMITTED: one
 * round trip for both.
 */
enum db_status db_passport_find_by_request(PGconn *c,
                                           const char *request_sha256,
                                           int64_t now, const char *kid,
                                           struct db_passport_issued *out);

/*
 * The passport ID with its status as of NOW, claims and token
 * (db/passport_get.c). DB_NOT_FOUND for unknown or malformed ids. The
 * caller frees with db_passport_clear.
 */
enum db_status db_passport_get(PGconn *c, const char *id, int64_t now,
                               struct db_passport *out);

struct db_passport_filter {
	const char *tee_type;      /* NULL: any */
	const char *status;        /* active|expired|revoked|superseded|
	                            * affirming|
	                               * warning, or NULL */
	const char *endpoint_id;   /* NULL: any */
	const char *after_created; /* keyset cursor, or NULL */
	const char *after_id;
	const char *since; /* created at or after (Unix seconds), or NULL */
	const char *until; /* created before (Unix seconds), or NULL */
	int limit;
};

/*
 * At most f->limit passports newest first (db/passport_list.c), without
 * claims or token: *out (db_passport_list_free) holds *n of them.
 */
enum db_status db_passport_list(PGconn *c, const struct db_passport_filter *f,
                                int64_t now, struct db_passport **out,
                                size_t *n);

/* Frees N passports of db_passport_list; NULL-safe. */
void db_passport_list_free(struct db_passport *p, size_t n);

/* --- challenges --- */

/* Stores a fresh nonce (db/challenge_insert.c). */
enum db_status db_challenge_insert(PGconn *c, const uint8_t nonce[32],
                                   int64_t created, int64_t expires);

enum db_nonce_result {
	DB_NONCE_OK,
	DB_NONCE_UNKNOWN,
	DB_NONCE_EXPIRED,
	DB_NONCE_REPLAYED,
};

/*
 * Consumes NONCE at NOW exactly once across all instances
 * (db/challenge_consume.c): one conditional UPDATE, correct at any
 * isolation level; why it was refused is read after, in a new snapshot
 * (under READ COMMITTED a concurrent consumer's commit is then seen).
 */
enum db_status db_challenge_consume(PGconn *c, const uint8_t *nonce, size_t len,
                                    int64_t now, enum db_nonce_result *res);

/* --- retention (db/retention_purge.c) --- */

/*
 * Deletes at most BATCH challenges that expired before BEFORE (Unix
 * seconds), skipping rows other transactions hold; *N counts them.
 */
enum db_status db_retention_purge_challenges(PGconn *c, int64_t before,
                                             int64_t batch, int64_t *n);

/*
 * Deletes at most BATCH passports that expired before BEFORE and that no
 * endpoint names as its current passport, skipping locked rows.
 */
enum db_status db_retention_purge_passports(PGconn *c, int64_t before,
                                            int64_t batch, int64_t *n);

/* Deletes up to BATCH endpoint history entries (migrations/0010) older
 * than BEFORE (Unix seconds), except the entry of an endpoint's current
 * passport; *n is how many (db/retention_purge.c). */
enum db_status db_retention_purge_endpoint_attestations(PGconn *c,
                                                        int64_t before,
                                                        int64_t batch,
                                                        int64_t *n);

/* --- events (migrations/0006, docs/events.md) --- */

/*
 * Appends event TYPE ("passport.issued", "endpoint.stale", ...) about
 * PASSPORT_ID and/or ENDPOINT_ID (NULL: none) with STATUS (the new
 * status, NULL: none) in the calling transaction on C, so the event
 * commits with the change (db/event_append.c). ONCE: the event happens
 * once per type, passport and endpoint; a repeat appends nothing. Its
 * stream id is assigned after commit (db/event_sequence.c).
 */
enum db_status db_event_append(PGconn *c, const char *type,
                               const char *passport_id, const char *endpoint_id,
                               const char *status, bool once);

/* Tells the commit hook that a statement run outside db_event_append
 * appended an event in the calling transaction (db/passport_insert.c). */
void db_event_appended(void);

/*
 * FN is called (on the committing thread, after COMMIT) by every db_tx or
 * db_tx_read_committed transaction that appended an event: the hub of
 * this instance then numbers it at once instead of at its next poll.
 * Set once at start; NULL: none.
 */
void db_event_set_commit_hook(void (*fn)(void));

/* Called by the transaction runner (db/conn.c) when a transaction ends;
 * COMMITTED: it committed. */
void db_event_tx_end(bool committed);

/* --- the read connection (db/read.c, database_read_url) --- */

/*
 * Sets the libpq connection string of a read-only server (a streaming
 * replica of the primary, or a pool of them) for lookups, and the
 * replication lag beyond which reads go to the primary. URL NULL or "":
 * every read goes to the primary (the default). False when URL is not a
 * libpq connection string (nothing is configured then).
 */
bool db_read_configure(const char *url, int64_t max_lag_ms);

/*
 * The connection a lookup runs on: the calling thread's read connection
 * when one is configured, reachable, lagging no more than the bound and
 * past this instance's last commit; else the primary's (db_conn). NULL
 * when the one chosen cannot be reached. Only statements that read may
 * run on it: the session is READ ONLY.
 */
PGconn *db_read_conn(void);

/*
 * After a lookup on C (from db_read_conn) answered ST: the primary's
 * connection to ask again when C was the read connection and the answer
 * may be stale (DB_NOT_FOUND: a row committed by another instance, not
 * yet replayed) or failed (the replica is then avoided for a second);
 * NULL when the answer stands.
 */
PGconn *db_read_retry(PGconn *c, enum db_status st);

/* Closes the calling thread's read connection. */
void db_read_conn_close(void);

/* Why a lookup went to the primary although a read URL is configured. */
enum db_read_fallback {
	DB_READ_FALLBACK_UNAVAILABLE, /* cannot connect, or it failed */
	DB_READ_FALLBACK_LAG,         /* behind by more than the bound */
	DB_READ_FALLBACK_OWN_WRITE,   /* not yet at this instance's commit */
	DB_READ_FALLBACK_NOT_FOUND,   /* not found there: asked the primary */
	DB_READ_FALLBACK__COUNT,
};

/* Name of a fallback reason, for metrics: "unavailable", ... */
const char *db_read_fallback_name(enum db_read_fallback f);

struct db_read_stats {
	bool configured;
	long replica;                           /* lookups it served */
	long fallback[DB_READ_FALLBACK__COUNT]; /* lookups sent on */
	int64_t lag_ms;                         /* last measured, -1 unknown */
};

/* Counters since start. */
void db_read_stats(struct db_read_stats *out);

struct db_read_status {
	bool configured;
	bool replica; /* lookups go to the read connection now */
	enum db_read_fallback reason; /* when !replica */
	bool standby;                 /* the read server is in recovery */
	int64_t lag_ms;               /* -1 unknown */
};

/*
 * Checks the read connection now (for /readyz), on the calling thread's
 * connection, without counting a lookup.
 */
void db_read_status(struct db_read_status *out);

#endif
