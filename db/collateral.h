#ifndef TP_DB_COLLATERAL_H
#define TP_DB_COLLATERAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"

/*
 * The collateral cache (migrations/0003-collateral.sql): one row per
 * artifact, written only after the artifact verified.
 */
struct db_collateral_row {
	char kind[32]; /* "intel_tcb_info", "amd_vcek", ... */
	char key[160]; /* "tdx/00806f050000", "Genoa/<hwid>/<tcb>", ... */
	uint8_t *body; /* owned when read */
	size_t body_len;
	char *issuer_chain; /* PEM or NULL; owned when read */
	char sha256[65];
	int64_t issue_date, next_update, fetched_at;
	char source[32]; /* "intel_pcs", "amd_kds", "import" */
};

/* Frees what a row read from the database owns; NULL-safe. */
void db_collateral_row_clear(struct db_collateral_row *r);

/*
 * The row (KIND, KEY) when it is valid at AT (issue_date <= AT <
 * next_update) (db/collateral_get.c): DB_NOT_FOUND otherwise.
 */
enum db_status db_collateral_get(PGconn *c, const char *kind, const char *key,
                                 int64_t at, struct db_collateral_row *out);

/*
 * Inserts or replaces the row (KIND, KEY) (db/collateral_put.c); a row
 * is never replaced by one that expires earlier.
 */
enum db_status db_collateral_put(PGconn *c, const struct db_collateral_row *r);

/* A cached artifact as db_collateral_list reads it. */
struct db_collateral_entry {
	struct db_collateral_row row; /* body and issuer_chain only when
	                               * listed WITH bodies */
	bool valid;                   /* usable at the listing's AT */
};

/*
 * Every cached artifact, ordered by kind and key (db/collateral_list.c):
 * *out (db_collateral_list_free) holds *n. With BODIES, each row's body
 * and issuer chain (NULL when none) too.
 */
enum db_status db_collateral_list(PGconn *c, int64_t at, bool bodies,
                                  struct db_collateral_entry **out, size_t *n);

/* Frees N entries of db_collateral_list; NULL-safe. */
void db_collateral_list_free(struct db_collateral_entry *e, size_t n);

/*
 * Session-level advisory lock on the hash of KIND/KEY
 * (db/collateral_lock.c): one fetch per artifact across every instance
 * sharing the database. LOCK true takes it (waiting), false releases.
 */
enum db_status db_collateral_lock(PGconn *c, const char *kind, const char *key,
                                  bool lock);

#endif
