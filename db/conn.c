#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "db/db.h"

#define MAX_PREPARED 64

static char *conn_url;
static _Thread_local PGconn *conn;
static pthread_key_t conn_key;
static pthread_once_t conn_key_once = PTHREAD_ONCE_INIT;
static _Thread_local const struct db_stmt *prepared[MAX_PREPARED];
static _Thread_local size_t n_prepared;

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
db_conn_close(void)
{
	pthread_once(&conn_key_once, conn_key_init);
	pthread_setspecific(conn_key, NULL);
	PQfinish(conn);
	conn = NULL;
	n_prepared = 0;
}

PGconn *
db_conn(void)
{
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return conn;
	db_conn_close();
	if (conn_url == NULL)
		return NULL;
	conn = PQconnectdb(conn_url);
	if (PQstatus(conn) != CONNECTION_OK) {
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

static bool
prepare(PGconn *c, const struct db_stmt *stmt, enum db_status *st)
{
	PGresult *res;

	for (size_t i = 0; i < n_prepared; i++)
		if (prepared[i] == stmt)
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
	if (n_prepared < MAX_PREPARED)
		prepared[n_prepared++] = stmt;
	return true;
}

PGresult *
db_run(PGconn *c, const struct db_stmt *stmt, const char *const *values,
       const int *lengths, const int *formats, enum db_status *st)
{
	PGresult *res;
	ExecStatusType es;

	*st = DB_OK;
	if (!prepare(c, stmt, st))
		return NULL;
	res = PQexecPrepared(c, stmt->name, stmt->nparams, values, lengths,
	                     formats, 0);
	es = PQresultStatus(res);
	if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK)
		return res;
	*st = classify(c, res);
	if (*st == DB_ERROR)
		tp_log(TP_LOG_ERROR, "query %s: %s", stmt->name,
		       PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

static enum db_status
exec_simple(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	enum db_status st = DB_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		st = classify(c, res);
	PQclear(res);
	return st;
}

enum db_status
db_tx(enum db_status (*fn)(PGconn *c, void *arg), void *arg)
{
	enum db_status st = DB_UNAVAILABLE;

	for (int attempt = 0; attempt < 8; attempt++) {
		PGconn *c = db_conn();
		if (c == NULL)
			return DB_UNAVAILABLE;
		st = exec_simple(
		        c, "BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE");
		if (st == DB_OK) {
			st = fn(c, arg);
			if (st == DB_OK)
				st = exec_simple(c, "COMMIT");
			else
				exec_simple(c, "ROLLBACK");
		}
		if (st != DB_RETRY)
			break;
		exec_simple(c, "ROLLBACK");
		/* Back off a little, more each time, before retrying. */
		struct timespec ts = {0, (long)(1 + attempt) * 2000000L};
		nanosleep(&ts, NULL);
	}
	if (st == DB_UNAVAILABLE)
		db_conn_close();
	return st;
}
