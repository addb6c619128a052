#include <libpq-fe.h>

#include "db/tlog.h"

/* The log's advisory lock key, computed by the server so every instance
 * agrees. */
#define BEGIN_LOCKED                                                           \
	"BEGIN ISOLATION LEVEL READ COMMITTED;"                                \
	" SELECT pg_advisory_xact_lock(hashtextextended('teepass:tlog', 0))"

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
	if ((st = db_exec(c, BEGIN_LOCKED)) == DB_OK)
		st = fn(c, arg);
	if (st == DB_OK)
		st = db_exec(c, "COMMIT");
	else
		db_exec(c, "ROLLBACK");
	if (st == DB_UNAVAILABLE)
		db_conn_close();
	return st;
}
