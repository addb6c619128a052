#ifndef TP_DB_PURGE_H
#define TP_DB_PURGE_H
#include <stdint.h>

#include "db/db.h"

/*
 * Runs one purge batch: STMT, an autocommit DELETE taking two bigint
 * parameters (a time or an age, then the batch size), whose rows are
 * picked FOR UPDATE SKIP LOCKED (db/retention_purge.c, db/event_purge.c).
 * *N is how many rows it deleted: the first column of its row when it
 * returns one (a purge that deletes from several tables counts its main
 * one first), else the rows the DELETE affected.
 */
enum db_status db_purge(PGconn *c, const struct db_stmt *stmt, int64_t arg,
                        int64_t batch, int64_t *n);

#endif
