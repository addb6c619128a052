#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "db/conn_read.h"
#include "db/db.h"

/* The primary's and the read connection's statements, together. */
#define MAX_PREPARED 512

static char *conn_url;
static bool conn_log_off;
static _Thread_local PGconn *conn;
static pthread_key_t conn_key;
static pthread_once_t conn_key_once = PTHREAD_ONCE_INIT;
/* What is prepared on which of the thread's connections (the primary's
 * and, with database_read_url, the read connection). */
static _Thread_local struct {
	const struct db_stmt *stmt;
	const PGconn *c;
} prepared[MAX_PREPARED];
static _Thread_local size_t n_prepared;

void
db_conn_forget(const PGconn *c)
{
	size_t j = 0;

	for (size_t i = 0; i < n_prepared; i++)
		if (prepared[i].c != c)
			prepared[j++] = prepared[i];
	n_prepared = j;
}

/* Worker threads that end close their connection. */
static void
conn_destroy(void *p)
{
	PQfinish(p);
}

static void
conn_key_init(void)
{
	pthread_key_create(&conn_key, conn_destroy);
}

void
db_configure(const char *url)
{
	free(conn_url);
	conn_url = url != NULL ? strdup(url) : NULL;
}

void
db_configure_log(bool on)
{
	conn_log_off = !on;
}

/* What every new session sets; false when the server refused it. */
static bool
session_init(PGconn *c)
{
	PGresult *res;
	bool ok;

	if (!conn_log_off)
		return true;
	res = PQexec(c, "SET teepass.transparency_log = off");
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok;
}

void
db_conn_close(void)
{
	pthread_once(&conn_key_once, conn_key_init);
	pthread_setspecific(conn_key, NULL);
	db_conn_forget(conn);
	PQfinish(conn);
	conn = NULL;
}

/*
 * Whether C, idle between statements, still has a server behind it,
 * without a round trip: libpq's socket is non-blocking, so consuming
 * input reads what the server sent while the worker was idle — the FATAL
 * of a shutdown (57P01..57P03) and the end of the stream — and marks the
 * connection CONNECTION_BAD. A worker that sat idle across a PostgreSQL
 * restart thus reconnects before its next request instead of failing it.
 */
static bool
conn_alive(PGconn *c)
{
	if (PQstatus(c) != CONNECTION_OK)
		return false;
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		return true; /* mid-transaction: the caller holds it */
	return PQconsumeInput(c) == 1 && PQstatus(c) == CONNECTION_OK;
}

PGconn *
db_conn(void)
{
	if (conn != NULL && conn_alive(conn))
		return conn;
	if (conn != NULL)
		tp_log(TP_LOG_INFO, "database connection lost; reconnecting");
	db_conn_close();
	if (conn_url == NULL)
		return NULL;
	conn = PQconnectdb(conn_url);
	if (PQstatus(conn) != CONNECTION_OK || !session_init(conn)) {
		/* libpq's message names host/socket, never a password. */
		tp_log(TP_LOG_WARN, "database connection failed: %s",
		       PQerrorMessage(conn));
		db_conn_close();
		return NULL;
	}
	pthread_setspecific(conn_key, conn);
	return conn;
}

static enum db_status
classify(PGconn *c, const PGresult *res)
{
	const char *state;

	if (c == NULL || PQstatus(c) != CONNECTION_OK)
		return DB_UNAVAILABLE;
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state == NULL)
		return DB_UNAVAILABLE;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_RETRY;
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		return DB_INVALID;
	/* Class 08 (connection), 57P (shutdown): unavailable. */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return DB_UNAVAILABLE;
	return DB_ERROR;
}

/*
 * Whether a failure means the connection itself went away (the server
 * restarted or was shut down), as opposed to the statement failing.
 */
static bool
conn_lost(PGconn *c, const PGresult *res)
{
	const char *state;

	if (PQstatus(c) == CONNECTION_BAD)
		return true;
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return state != NULL &&
	       (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	        strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

/* A statement that only reads: SQL that starts with SELECT. */
static bool
read_only(const struct db_stmt *stmt)
{
	return strncmp(stmt->sql, "SELECT ", 7) == 0;
}

static bool
prepare(PGconn *c, const struct db_stmt *stmt, enum db_status *st)
{
	PGresult *res;

	for (size_t i = 0; i < n_prepared; i++)
		if (prepared[i].stmt == stmt && prepared[i].c == c)
			return true;
	res = PQprepare(c, stmt->name, stmt->sql, stmt->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*st = classify(c, res);
		tp_log(TP_LOG_ERROR, "prepare %s: %s", stmt->name,
		       PQresultErrorMessage(res));
		PQclear(res);
		return false;
	}
	PQclear(res);
	if (n_prepared < MAX_PREPARED) {
		prepared[n_prepared].stmt = stmt;
		prepared[n_prepared++].c = c;
	}
	return true;
}

PGresult *
db_run(PGconn *c, const struct db_stmt *stmt, const char *const *values,
       const int *lengths, const int *formats, enum db_status *st)
{
	PGresult *res;
	ExecStatusType es;

	/*
	 * Outside a transaction, a statement that failed because the
	 * connection had just gone bad runs once more on a fresh one when
	 * that cannot repeat a side effect: preparing, and reads. A write
	 * that may have committed before the connection died is never run
	 * again; inside a transaction db_tx decides.
	 */
	bool may_retry = (c == conn || db_read_is_replica(c)) &&
	                 PQtransactionStatus(c) == PQTRANS_IDLE;

	for (int attempt = 0;; attempt++) {
		*st = DB_OK;
		res = NULL;
		if (prepare(c, stmt, st)) {
			res = PQexecPrepared(c, stmt->name, stmt->nparams,
			                     values, lengths, formats, 0);
			es = PQresultStatus(res);
			if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK)
				return res;
			if (attempt == 0 && may_retry && read_only(stmt) &&
			    conn_lost(c, res)) {
				PQclear(res);
				goto again;
			}
			break;
		}
		if (attempt == 0 && may_retry && *st == DB_UNAVAILABLE)
			goto again;
		return NULL;
	again:
		/* PQreset keeps the PGconn the caller holds. */
		tp_log(TP_LOG_INFO,
		       "database connection lost; retrying %s"
		       " on a fresh connection",
		       stmt->name);
		PQreset(c);
		db_conn_forget(c);
		if (PQstatus(c) != CONNECTION_OK || !session_init(c)) {
			*st = DB_UNAVAILABLE;
			return NULL;
		}
	}
	*st = classify(c, res);
	if (*st == DB_ERROR)
		tp_log(TP_LOG_ERROR, "query %s: %s", stmt->name,
		       PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

enum db_status
db_exec(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	enum db_status st = DB_OK;
	ExecStatusType es = PQresultStatus(res);

	if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK)
		st = classify(c, res);
	PQclear(res);
	return st;
}

static enum db_status
tx_run(const char *begin, enum db_status (*fn)(PGconn *c, void *arg), void *arg)
{
	enum db_status st = DB_UNAVAILABLE;

	bool reconnected = false;

	for (int attempt = 0; attempt < 8; attempt++) {
		PGconn *c = db_conn();
		if (c == NULL)
			return DB_UNAVAILABLE;
		st = db_exec(c, begin);
		if (st == DB_UNAVAILABLE && !reconnected) {
			/* Nothing ran yet: once more on a fresh connection. */
			reconnected = true;
			db_conn_close();
			attempt--;
			continue;
		}
		if (st == DB_OK) {
			st = fn(c, arg);
			if (st == DB_OK)
				st = db_exec(c, "COMMIT");
			else
				db_exec(c, "ROLLBACK");
			/* Where a read replica must have replayed to before
			 * it shows this instance's writes. */
			if (st == DB_OK)
				db_read_note_commit(c);
		}
		/* An appended event is numbered now (docs/events.md). */
		db_event_tx_end(st == DB_OK);
		if (st != DB_RETRY)
			break;
		db_exec(c, "ROLLBACK");
		/* Back off a little, more each time, before retrying. */
		struct timespec ts = {0, (long)(1 + attempt) * 2000000L};
		nanosleep(&ts, NULL);
	}
	if (st == DB_UNAVAILABLE)
		db_conn_close();
	return st;
}

enum db_status
db_tx(enum db_status (*fn)(PGconn *c, void *arg), void *arg)
{
	return tx_run("BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE", fn, arg);
}

enum db_status
db_tx_read_committed(enum db_status (*fn)(PGconn *c, void *arg), void *arg)
{
	return tx_run("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE", fn,
	              arg);
}
