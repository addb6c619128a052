/*
 * Between db/conn.c and db/read.c only: the read connection
 * (database_read_url) shares db_run and its prepared-statement list with
 * the primary's connection.
 */
#ifndef TP_DB_CONN_READ_H
#define TP_DB_CONN_READ_H
#include <stdbool.h>

#include <libpq-fe.h>

/* Forgets what was prepared on C (closed or reset): a new connection may
 * get the same address. */
void db_conn_forget(const PGconn *c);

/* Whether C is the calling thread's read connection. */
bool db_read_is_replica(const PGconn *c);

/*
 * After a transaction committed on the primary connection C: records the
 * primary's WAL position, which a replica must have replayed before it
 * serves this instance's reads. Nothing without database_read_url.
 */
void db_read_note_commit(PGconn *c);

#endif
