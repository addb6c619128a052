#ifndef TP_DB_ROW_H
#define TP_DB_ROW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "db/db.h"

/*
 * Reading one row of a text-format result by column name (PQfnumber), so
 * a query's column order is no contract. Every getter takes the row and
 * the column's name (the AS name in the SQL, lower case); a column that
 * is missing, a value that does not parse, a NULL where none is allowed,
 * a text too long for its buffer or an allocation failure clears r->ok
 * and answers a zero value, so a reader calls the getters it needs and
 * checks r->ok once at the end.
 */
struct db_row {
	const PGresult *res;
	int row;
	bool ok;
};

/* Row ROW of RES, for the getters below. */
struct db_row db_row_at(const PGresult *res, int row);

/* True when column NAME is SQL NULL (a missing column clears ok). */
bool db_row_null(struct db_row *r, const char *name);

/* Column NAME as text, borrowed from the result: NULL when SQL NULL. */
const char *db_row_text(struct db_row *r, const char *name);

/* Column NAME copied: NULL when SQL NULL; the caller frees. */
char *db_row_strdup(struct db_row *r, const char *name);

/* Column NAME copied into BUF of LEN bytes ("" when SQL NULL); a longer
 * text clears ok. */
void db_row_copy(struct db_row *r, const char *name, char *buf, size_t len);

/* Column NAME (bigint, int or smallint); NULL clears ok. */
int64_t db_row_int64(struct db_row *r, const char *name);

/* Column NAME (boolean); NULL clears ok. */
bool db_row_bool(struct db_row *r, const char *name);

/*
 * Column NAME, a timestamp selected as Unix microseconds,
 * "(extract(epoch FROM x) * 1000000)::bigint AS x" (exact: PostgreSQL
 * keeps microseconds and extract() answers numeric); DB_TIME_NULL
 * (db/db.h) when SQL NULL.
 */
int64_t db_row_time(struct db_row *r, const char *name);

/* Column NAME (bytea, hex text form) decoded: *out (caller frees, one
 * spare NUL byte after the LEN bytes) and *len; NULL clears ok. */
void db_row_bytea(struct db_row *r, const char *name, uint8_t **out,
                  size_t *len);

/*
 * Runs STMT with text parameters V and collects its column "id" (a uuid
 * as text) of every row: *ids (caller frees) holds *n of them.
 */
enum db_status db_row_ids(PGconn *c, const struct db_stmt *stmt,
                          const char *const *v, char (**ids)[37], size_t *n);

#endif
