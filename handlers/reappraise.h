#ifndef TP_HANDLERS_REAPPRAISE_H
#define TP_HANDLERS_REAPPRAISE_H
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "config/config.h"
#include "db/reappraisal.h"
#include "verify/core/artifact.h"
#include "verify/core/lru.h"

/*
 * Re-appraisal of stored passports (issue 17, docs/reappraisal.md): what
 * an appraisal used is recorded with its passport (appraisal_record),
 * and the stored evidence is judged again as of another time — now,
 * with the current collateral and reference values, by the background
 * thread, `teepass reappraise` and GET /api/passports/{id}/appraisal.
 */

struct attestation;

/*
 * Fills A->row's appraisal fields (inputs by digest, blobs to store,
 * the collateral set) from what A's verification used; the strings are
 * owned by A (freed by attestation_free). False when out of memory.
 */
bool appraisal_record(struct attestation *a);

/* After the passport's commit: its collateral set is stored, so later
 * passports with the same set need not send its blobs again. */
void appraisal_record_committed(const struct attestation *a);

/*
 * The key IT is listed under in a collateral set into KEY (LEN bytes):
 * its loader's, else for an Intel artifact the cache key its content
 * names ("tdx/<fmspc>", "tdx", "platform", "root"; "" for anything
 * else). Named from content once per distinct artifact: memoised by
 * the SHA-256 of its kind and every byte of its body (BODY_MD, the
 * SHA-256 of the body, or NULL to compute it here).
 */
void appraisal_artifact_name(const struct artifact *it, const uint8_t *body_md,
                             char *key, size_t len);

/*
 * The collateral set of SETS[0] (the evidence) and SETS[1 + i] (its
 * N_DEV devices, entries with "device": 1 + i) as recorded with a
 * passport: *JSON its list (compact; the caller frees it), SET_HEX the
 * hex SHA-256 of the list with sorted keys. Memoised by the digest of
 * every input of the list (each item's kind, key, source, flags and the
 * SHA-256 of its body and chain, in order). False when out of memory.
 */
bool appraisal_collateral_set(const struct artifact_set *sets, size_t n_dev,
                              char set_hex[65], char **json);

/* Tests: the memos' bounds (emptied), and their counters. */
void appraisal_memo_configure(size_t names, size_t sets);
void appraisal_memo_stats(struct lru_stats *names, struct lru_stats *sets);

/* As of when a stored appraisal is run again. */
enum reappraise_when {
	REAPPRAISE_NOW,    /* the current collateral and reference values */
	REAPPRAISE_ISSUED, /* the stored inputs, at the passport's
	                    * verification time */
	REAPPRAISE_AT,     /* the stored inputs, at a given time */
};

/* What a passport's verdict became. */
enum reappraise_outcome {
	REAPPRAISE_UNCHANGED = 0, /* as good as issued, or better */
	REAPPRAISE_SUPERSEDED,    /* worse: a lower EAR tier, or invalid */
	REAPPRAISE_REVOKED,       /* worse, and a certificate it used is
	                           * revoked now */
	REAPPRAISE_UNSUPPORTED,   /* nothing stored to re-run (issued before
	                           * migration 0007, or composite and stored
	                           * with only the count of its devices):
	                           * reappraisal.reason says which */
};

/* "unchanged", "superseded", "revoked", "unsupported". */
const char *reappraise_outcome_name(enum reappraise_outcome o);

/*
 * The rule (pure, tests/unit/test_reappraise.c): a passport issued with
 * EAR tier ISSUED_EAR whose evidence now judges VALID with tier NOW_EAR
 * is superseded when the tier is lower (affirming > warning > anything
 * invalid), revoked when it is lower and REVOKED_CERT (a certificate of
 * the chain it used is revoked now), else unchanged.
 */
enum reappraise_outcome reappraise_rule(const char *issued_ear, bool valid,
                                        const char *now_ear, bool revoked_cert);

/* One re-run of a stored appraisal. */
struct reappraisal {
	enum reappraise_outcome outcome;
	int64_t at;      /* the verification time used (Unix s) */
	json_t *verdict; /* the full verdict JSON; NULL when unsupported */
	/* The reference values against what the evidence showed:
	 * [{"check", "name", "ok", "want", "have"}] (have null when the
	 * evidence lacks it); [] when none were expected. */
	json_t *compared;
	bool valid;
	const char *ear_status; /* static */
	const char *reason;     /* static: why unsupported, else NULL */
};

/* Frees R's verdict; NULL-safe. */
void reappraisal_clear(struct reappraisal *r);

/*
 * Passport ID's stored evidence judged again, on C, under CFG's
 * verification policy, as of WHEN (AT: the time for REAPPRAISE_AT; the
 * present for REAPPRAISE_NOW). Changes nothing. DB_NOT_FOUND for an
 * unknown id. Clear *OUT with reappraisal_clear.
 */
enum db_status reappraise_passport(PGconn *c, const struct tp_config *cfg,
                                   const char *id, enum reappraise_when when,
                                   int64_t at, struct reappraisal *out);

/*
 * The errors a re-appraisal records (a new array; NULL when out of
 * memory): VERDICT's, then each invalid device's (submods) own errors
 * with "device": its name ("gpu0", ...).
 */
json_t *reappraisal_errors(const json_t *verdict);

/*
 * Records a worse verdict R of passport ID (superseded or revoked, its
 * endpoint failed). DB_NOT_FOUND when it was no longer active.
 */
enum db_status reappraise_apply(PGconn *c, const char *id,
                                const struct reappraisal *r);

/*
 * Works off pending jobs at NOW: each batch (at most BATCH passports of
 * one job) one READ COMMITTED transaction that takes the job FOR UPDATE
 * SKIP LOCKED, re-appraises and records, and advances the job's cursor;
 * stops after BUDGET passports or when no job is pending. *examined and
 * *changed count what was done (either may be NULL).
 */
enum db_status reappraise_jobs(const struct tp_config *cfg, int64_t now,
                               int batch, int budget, int *examined,
                               int *changed);

/*
 * The re-appraisal thread: every reappraisal_interval seconds (0: not
 * started) reappraise_jobs with reappraisal_batch passports; woken at
 * once by reappraise_wake (after this instance changed collateral or
 * reference values).
 */
bool reappraise_start(void);
void reappraise_stop(void);
void reappraise_wake(void);

#endif
