#ifndef TP_DB_REAPPRAISAL_H
#define TP_DB_REAPPRAISAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"

/*
 * What a passport's appraisal used (migrations/0007-appraisal-record.sql)
 * and the re-appraisal job queue (docs/reappraisal.md).
 */

/* A passport's stored appraisal, as db_appraisal_get reads it. */
struct db_appraisal {
	char id[37];
	char status[16]; /* stored: active, revoked or superseded */
	char ear_status[16];
	char tee_type[128];
	char endpoint_id[37];            /* "" when none */
	int64_t verified_at, expires_at; /* Unix seconds */
	uint8_t *evidence;               /* NULL: not stored */
	size_t evidence_len;
	json_t *appraisal; /* the request's inputs by digest, or NULL */
	json_t *artifacts; /* the collateral set's list, or NULL */
};

/* Frees what A owns; NULL-safe. */
void db_appraisal_clear(struct db_appraisal *a);

/*
 * Passport ID's stored appraisal (db/appraisal_get.c): DB_NOT_FOUND for
 * an unknown or malformed id. Clear *OUT with db_appraisal_clear.
 */
enum db_status db_appraisal_get(PGconn *c, const char *id,
                                struct db_appraisal *out);

/*
 * The bodies of the appraisal blobs named by DIGESTS (a JSON array of
 * hex SHA-256s) (db/appraisal_blobs_get.c): *out is an object digest ->
 * base64 of the bytes (caller decrefs); digests not stored are absent.
 */
enum db_status db_appraisal_blobs_get(PGconn *c, const json_t *digests,
                                      json_t **out);

/* One re-appraisal job (reappraisal_jobs). */
struct db_reappraisal_job {
	int64_t id;
	char kind[32];
	char key[160];
	char sha256[80];
	char cursor[37]; /* "" before the first batch */
};

/*
 * Takes the oldest pending job no other transaction holds, locking it
 * until the transaction ends (FOR UPDATE SKIP LOCKED: one instance does
 * each job) (db/reappraisal_job_take.c). DB_NOT_FOUND when none.
 */
enum db_status db_reappraisal_job_take(PGconn *c,
                                       struct db_reappraisal_job *out);

/*
 * Up to LIMIT ids (each 37 bytes) of passports active at NOW that JOB
 * affects, after its cursor, in id order (db/reappraisal_affected.c):
 * for reference_values, the endpoint's passports appraised against other
 * reference values; else those whose collateral set holds JOB's kind
 * and key with another digest. *ids (caller frees) holds *n.
 */
enum db_status db_reappraisal_affected(PGconn *c,
                                       const struct db_reappraisal_job *job,
                                       int64_t now, int limit, char (**ids)[37],
                                       size_t *n);

/*
 * Records a batch of JOB: the cursor (the last id examined), the counts,
 * and, when DONE, the job's end (db/reappraisal_job_advance.c).
 */
enum db_status db_reappraisal_job_advance(PGconn *c, int64_t job,
                                          const char *cursor, int examined,
                                          int changed, bool done);

/*
 * Passport ID, still active, becomes STATUS (superseded or revoked) with
 * the new verdict REAPPRAISAL (JSON text) as of AT; the live endpoint
 * whose current passport it is goes failed with ERRORS_JSON
 * (db/passport_supersede.c). DB_NOT_FOUND when the passport was no
 * longer active.
 */
enum db_status db_passport_supersede(PGconn *c, const char *id,
                                     const char *status,
                                     const char *reappraisal_json,
                                     const char *errors_json, int64_t at);

/*
 * Up to LIMIT ids of passports active at NOW after AFTER ("" first), in
 * id order (db/passport_active_ids.c); *ids (caller frees) holds *n.
 */
enum db_status db_passport_active_ids(PGconn *c, int64_t now, const char *after,
                                      int limit, char (**ids)[37], size_t *n);

#endif
