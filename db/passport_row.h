#ifndef TP_DB_PASSPORT_ROW_H
#define TP_DB_PASSPORT_ROW_H

#include "db/db.h"
#include "db/registry.h"
#include "db/row.h"

/*
 * The columns db_passport_get and db_passport_list select (read by name),
 * with the lifecycle status computed as of $1 (Unix seconds).
 */
#define PASSPORT_COLUMNS                                                       \
	"id::text AS id,"                                                      \
	" CASE WHEN status IN ('revoked', 'superseded') THEN status"           \
	" WHEN expires_at <= to_timestamp($1::bigint) THEN 'expired'"          \
	" ELSE 'active' END AS status,"                                        \
	" ear_status, tee_type, hardware_attested,"                            \
	" (extract(epoch FROM created_at) * 1000000)::bigint AS created_at,"   \
	" (extract(epoch FROM verified_at) * 1000000)::bigint AS verified_at," \
	" (extract(epoch FROM expires_at) * 1000000)::bigint AS expires_at,"   \
	" evidence_sha256, endpoint_id::text AS endpoint_id,"                  \
	" created_at::text AS cursor_created"

/* Reads the PASSPORT_COLUMNS of R into P (claims, token and revocation
 * untouched); false (r->ok) when a column is missing or malformed. */
bool passport_row_read(struct db_row *r, struct db_passport *p);

/*
 * The columns of a passport's state (struct db_passport_state), as
 * db_passport_status and db_passport_revoke select them (from passports,
 * unqualified).
 */
#define PASSPORT_STATE_COLUMNS                                                 \
	"id::text AS id,"                                                      \
	" (extract(epoch FROM expires_at) * 1000000)::bigint AS expires_at,"   \
	" (extract(epoch FROM revoked_at) * 1000000)::bigint AS revoked_at,"   \
	" revocation_reason, endpoint_id::text AS endpoint_id"

/*
 * Runs STMT (one row at most, PASSPORT_STATE_COLUMNS and "status") into
 * *OUT: DB_NOT_FOUND without a row or for a malformed id (SQLSTATE 22).
 */
enum db_status passport_state_run(PGconn *c, const struct db_stmt *stmt,
                                  const char *const *values,
                                  struct db_passport_state *out);

#endif
