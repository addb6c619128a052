#include <libpq-fe.h>

#include "db/tlog.h"

/* The log's advisory lock key, computed by the server so every instance
 * agrees. */
#define BEGIN_LOCKED                                                           \
	"BEGIN ISOLATION LEVEL READ COMMITTED;"                                \
	" SELECT pg_advisory_xact_lock(hashtextextended('teepass:tlog', 0))"

/* A failed BEGIN or lock leaves the transaction to roll back. */
static enum db_status
begin_locked(PGconn *c)
{
	PGresult *res = PQexec(c, BEGIN_LOCKED);
	enum db_status st = DB_OK;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		st = PQstatus(c) == CONNECTION_OK ? DB_ERROR : DB_UNAVAILABLE;
	PQclear(res);
	return st;
}

static enum db_status
simple(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	enum db_status st = DB_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		st = PQstatus(c) == CONNECTION_OK ? DB_ERROR : DB_UNAVAILABLE;
	PQclear(res);
	return st;
}

enum db_status
db_tlog_tx(enum db_status (*fn)(PGconn *c, void *arg), void *arg)
{
	PGconn *c = db_conn();
	enum db_status st;

	if (c == NULL)
		return DB_UNAVAILABLE;
	/* READ COMMITTED: the lock, not the snapshot, orders sequencers;
	 * each statement after it sees the previous batch. The BEGIN and
	 * the lock in one round trip (PQexec returns the last result). */
	if ((st = begin_locked(c)) == DB_OK)
		st = fn(c, arg);
	if (st == DB_OK)
		st = simple(c, "COMMIT");
	else
		simple(c, "ROLLBACK");
	if (st == DB_UNAVAILABLE)
		db_conn_close();
	return st;
}
