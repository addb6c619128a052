#ifndef TP_DB_PASSPORT_ROW_H
#define TP_DB_PASSPORT_ROW_H

#include <jansson.h>
#include <libpq-fe.h>

/*
 * The columns db_passport_get and db_passport_list select, in this order,
 * with the lifecycle status computed as of $now.
 */
#define PASSPORT_COLUMNS                                                       \
	"id::text,"                                                            \
	" CASE WHEN status = 'revoked' THEN 'revoked'"                         \
	" WHEN expires_at <= to_timestamp($1::bigint) THEN 'expired'"          \
	" ELSE 'active' END,"                                                  \
	" ear_status, tee_type, hardware_attested,"                            \
	" to_char(created_at AT TIME ZONE 'UTC',"                              \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"                               \
	" to_char(verified_at AT TIME ZONE 'UTC',"                             \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                                  \
	" to_char(expires_at AT TIME ZONE 'UTC',"                              \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                                  \
	" evidence_sha256, endpoint_id::text, created_at::text"

/* Row ROW of RES as a JSON summary (no claims, no token). */
json_t *passport_row_summary(const PGresult *res, int row);

#endif
