/*
 * The read connection (database_read_url; docs/operations.md, "Read
 * replicas"): one more libpq connection per worker thread, to a
 * read-only server, for lookups. What keeps its answers right:
 *
 * - read-your-own-write in this process: every transaction that commits
 *   on the primary records the primary's WAL position after it
 *   (pg_current_wal_lsn, db_read_note_commit); a lookup uses the replica
 *   only when pg_last_wal_replay_lsn() there has reached the highest such
 *   position, else it goes to the primary;
 * - across instances (a passport issued through another teepassd behind
 *   the same load balancer): a lookup by id that the replica does not
 *   find is asked again on the primary (db_read_retry);
 * - staleness: a replica whose replay is more than max_lag_ms behind, or
 *   that has lost its WAL stream with WAL still to replay, is not used;
 * - failure: a replica that cannot be reached or fails a statement is
 *   left alone for RETRY_MS, and lookups go to the primary meanwhile.
 *
 * The replica's position and lag are measured by one small query, at
 * most every min(CHECK_MS, max_lag_ms / 2) per thread, and at once whenever this instance has
 * committed past the position last seen.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "db/conn_read.h"
#include "db/db.h"

/* How long a measured position and lag are trusted: half the lag bound,
 * at most CHECK_MS, so that a lookup sees a lag at most half the bound
 * old. */
#define CHECK_MS 1000
/* How long a replica that failed is left alone. */
#define RETRY_MS 1000

static char *read_url;
/* read_url as libpq parameters, with the session made read-only by
 * "options" so that it stays so across PQreset. */
static char **read_keys, **read_values;
static int64_t max_lag_ms;
static int64_t check_ms = CHECK_MS;
/* The highest primary WAL position after a commit of this process. */
static _Atomic uint64_t last_write_lsn;
/* Monotonic ms before which the replica is not tried; 0: it is up. */
static _Atomic int64_t down_until;
static atomic_long n_replica;
static atomic_long n_fallback[DB_READ_FALLBACK__COUNT];
static _Atomic int64_t last_lag_ms = -1;

static _Thread_local struct {
	PGconn *c;
	bool checked;
	int64_t checked_at; /* monotonic ms */
	bool standby;
	uint64_t lsn;   /* replayed (standby) or current (primary) */
	int64_t lag_ms; /* -1: unknown */
} rs;
static pthread_key_t read_key;
static pthread_once_t read_key_once = PTHREAD_ONCE_INIT;

/*
 * The position and lag of the read server. On a standby the lag is 0
 * while it has replayed all it received and still receives (a WAL
 * receiver runs: pg_stat_wal_receiver has its row, visible to any role),
 * else the age of the last transaction it replayed — an overestimate
 * right after a quiet period, never an underestimate. A server not in
 * recovery (the primary itself, or a pool in front of it) is current.
 */
static const struct db_stmt check_stmt = {
        "read_replica_check",
        "SELECT pg_is_in_recovery() AS standby,"
        " ((CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
        " ELSE pg_current_wal_lsn() END) - '0/0'::pg_lsn)::text AS lsn,"
        " (CASE WHEN NOT pg_is_in_recovery() THEN 0"
        " WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM"
        " pg_last_wal_replay_lsn()"
        " AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0"
        " ELSE (extract(epoch FROM clock_timestamp() -"
        " pg_last_xact_replay_timestamp()) * 1000)::bigint END)::text"
        " AS lag_ms",
        0};

static const struct db_stmt commit_lsn_stmt = {
        "read_commit_lsn",
        "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn", 0};

static void
read_key_destroy(void *p)
{
	PQfinish(p);
}

static void
read_key_init(void)
{
	pthread_key_create(&read_key, read_key_destroy);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A decimal LSN (bytes from 0/0) as PostgreSQL printed it. */
static bool
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static void
params_free(void)
{
	for (size_t i = 0; read_keys != NULL && read_keys[i] != NULL; i++) {
		free(read_keys[i]);
		free(read_values[i]);
	}
	free(read_keys);
	free(read_values);
	read_keys = read_values = NULL;
}

/*
 * URL's parameters with "-c default_transaction_read_only=on" added to
 * its options: nothing on the read path may write, and a pool that
 * fronts a primary then refuses writes on this session as a standby
 * would.
 */
static bool
params_build(const char *url)
{
	static const char ro[] = "-c default_transaction_read_only=on";
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	bool have_options = false, ok = false;
	size_t n = 0, k = 0;

	if (opts == NULL)
		return false;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		n++;
	read_keys = calloc(n + 2, sizeof(*read_keys));
	read_values = calloc(n + 2, sizeof(*read_values));
	if (read_keys == NULL || read_values == NULL)
		goto out;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		char *v;
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "options") == 0) {
			size_t len = strlen(o->val) + sizeof(ro) + 1;
			if ((v = malloc(len)) != NULL)
				snprintf(v, len, "%s %s", o->val, ro);
			have_options = true;
		} else {
			v = strdup(o->val);
		}
		read_keys[k] = strdup(o->keyword);
		read_values[k++] = v;
		if (read_keys[k - 1] == NULL || v == NULL)
			goto out;
	}
	if (!have_options) {
		read_keys[k] = strdup("options");
		read_values[k++] = strdup(ro);
		if (read_keys[k - 1] == NULL || read_values[k - 1] == NULL)
			goto out;
	}
	ok = true;
out:
	PQconninfoFree(opts);
	if (!ok)
		params_free();
	return ok;
}

bool
db_read_configure(const char *url, int64_t lag_ms)
{
	free(read_url);
	read_url = NULL;
	params_free();
	max_lag_ms = lag_ms;
	check_ms = lag_ms / 2 < CHECK_MS ? lag_ms / 2 : CHECK_MS;
	if (url == NULL || *url == '\0')
		return true;
	if (!params_build(url))
		return false;
	read_url = strdup(url);
	return read_url != NULL;
}

bool
db_read_is_replica(const PGconn *c)
{
	return c != NULL && c == rs.c;
}

void
db_read_conn_close(void)
{
	pthread_once(&read_key_once, read_key_init);
	pthread_setspecific(read_key, NULL);
	if (rs.c != NULL) {
		db_conn_forget(rs.c);
		PQfinish(rs.c);
	}
	memset(&rs, 0, sizeof(rs));
}

/* The replica failed: close, and leave it alone for RETRY_MS. */
static void
mark_down(void)
{
	int64_t was = atomic_exchange(&down_until, mono_ms() + RETRY_MS);

	db_read_conn_close();
	if (was == 0)
		tp_log(TP_LOG_WARN, "read replica unavailable; lookups go to "
		                    "the primary");
}

/* As conn_alive in db/conn.c: notices a server that went away while the
 * connection was idle, without a round trip. */
static bool
read_alive(void)
{
	return rs.c != NULL && PQstatus(rs.c) == CONNECTION_OK &&
	       PQconsumeInput(rs.c) == 1 && PQstatus(rs.c) == CONNECTION_OK;
}

static bool
read_connect(void)
{
	if (read_alive())
		return true;
	db_read_conn_close();
	rs.c = PQconnectdbParams((const char *const *)read_keys,
	                         (const char *const *)read_values, 0);
	if (PQstatus(rs.c) != CONNECTION_OK) {
		/* libpq's message names host/socket, never a password. */
		tp_log(TP_LOG_DEBUG, "read replica connection failed: %s",
		       PQerrorMessage(rs.c));
		return false;
	}
	pthread_once(&read_key_once, read_key_init);
	pthread_setspecific(read_key, rs.c);
	return true;
}

/* Measures the read server's position and lag (check_stmt). */
static bool
read_check(void)
{
	enum db_status st;
	PGresult *res = db_run(rs.c, &check_stmt, NULL, NULL, NULL, &st);
	const char *standby, *lag;
	uint64_t lsn = 0, l;
	bool ok = false;

	if (res == NULL || PQntuples(res) != 1)
		goto out;
	standby = PQgetvalue(res, 0, 0);
	if (!parse_u64(PQgetvalue(res, 0, 1), &lsn))
		goto out;
	rs.standby = strcmp(standby, "t") == 0;
	rs.lsn = lsn;
	lag = PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2);
	/* Negative (clock skew) counts as 0; NULL (nothing replayed yet,
	 * with WAL pending) as unknown. */
	if (lag != NULL && lag[0] == '-')
		rs.lag_ms = 0;
	else if (lag != NULL && parse_u64(lag, &l) && l < INT64_MAX)
		rs.lag_ms = (int64_t)l;
	else
		rs.lag_ms = -1;
	rs.checked = true;
	rs.checked_at = mono_ms();
	atomic_store(&last_lag_ms, rs.lag_ms);
	ok = true;
out:
	if (res == NULL)
		tp_log(TP_LOG_DEBUG, "read replica check failed");
	PQclear(res);
	return ok;
}

/*
 * Whether the read connection may serve a lookup now; else why not.
 * FORCE measures afresh.
 */
static bool
read_usable(bool force, enum db_read_fallback *why)
{
	uint64_t want = atomic_load(&last_write_lsn);
	int64_t until = atomic_load(&down_until);

	*why = DB_READ_FALLBACK_UNAVAILABLE;
	if (!force && until != 0 && mono_ms() < until)
		return false;
	if (!read_connect()) {
		mark_down();
		return false;
	}
	if (force || !rs.checked || mono_ms() - rs.checked_at >= check_ms ||
	    rs.lsn < want) {
		if (!read_check()) {
			mark_down();
			return false;
		}
	}
	if (until != 0 &&
	    atomic_compare_exchange_strong(&down_until, &until, 0))
		tp_log(TP_LOG_INFO, "read replica reachable again");
	if (rs.lag_ms < 0 || rs.lag_ms > max_lag_ms) {
		*why = DB_READ_FALLBACK_LAG;
		return false;
	}
	if (rs.lsn < want) {
		*why = DB_READ_FALLBACK_OWN_WRITE;
		return false;
	}
	return true;
}

PGconn *
db_read_conn(void)
{
	enum db_read_fallback why;

	if (read_url == NULL)
		return db_conn();
	if (read_usable(false, &why)) {
		atomic_fetch_add(&n_replica, 1);
		return rs.c;
	}
	atomic_fetch_add(&n_fallback[why], 1);
	return db_conn();
}

PGconn *
db_read_retry(PGconn *c, enum db_status st)
{
	if (!db_read_is_replica(c))
		return NULL;
	switch (st) {
	case DB_NOT_FOUND:
		atomic_fetch_add(&n_fallback[DB_READ_FALLBACK_NOT_FOUND], 1);
		return db_conn();
	case DB_UNAVAILABLE:
	case DB_ERROR:
	case DB_RETRY:
		/* Not the data's fault: the primary answers instead. */
		tp_log(TP_LOG_WARN, "read replica: a lookup failed; asking "
		                    "the primary");
		mark_down();
		atomic_fetch_add(&n_fallback[DB_READ_FALLBACK_UNAVAILABLE], 1);
		return db_conn();
	case DB_OK:
	case DB_INVALID:
		break;
	}
	return NULL;
}

void
db_read_note_commit(PGconn *c)
{
	enum db_status st;
	PGresult *res;
	uint64_t lsn, cur;

	if (read_url == NULL)
		return;
	res = db_run(c, &commit_lsn_stmt, NULL, NULL, NULL, &st);
	if (res == NULL || PQntuples(res) != 1 ||
	    !parse_u64(PQgetvalue(res, 0, 0), &lsn)) {
		/* The commit stands; only a lookup by id (db_read_retry)
		 * then finds this write on a replica that lags. */
		tp_log(TP_LOG_WARN, "cannot read the primary's WAL position "
		                    "after a commit");
		PQclear(res);
		return;
	}
	PQclear(res);
	cur = atomic_load(&last_write_lsn);
	while (cur < lsn &&
	       !atomic_compare_exchange_weak(&last_write_lsn, &cur, lsn))
		;
}

const char *
db_read_fallback_name(enum db_read_fallback f)
{
	switch (f) {
	case DB_READ_FALLBACK_UNAVAILABLE:
		return "unavailable";
	case DB_READ_FALLBACK_LAG:
		return "lag";
	case DB_READ_FALLBACK_OWN_WRITE:
		return "own_write";
	case DB_READ_FALLBACK_NOT_FOUND:
		return "not_found";
	case DB_READ_FALLBACK__COUNT:
		break;
	}
	return "unknown";
}

void
db_read_stats(struct db_read_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->configured = read_url != NULL;
	out->replica = atomic_load(&n_replica);
	for (int i = 0; i < DB_READ_FALLBACK__COUNT; i++)
		out->fallback[i] = atomic_load(&n_fallback[i]);
	out->lag_ms = atomic_load(&last_lag_ms);
}

void
db_read_status(struct db_read_status *out)
{
	enum db_read_fallback why;

	memset(out, 0, sizeof(*out));
	out->lag_ms = -1;
	out->configured = read_url != NULL;
	if (!out->configured)
		return;
	/* Forced: /readyz tells the state now, even while the replica is
	 * being left alone after a failure. */
	out->replica = read_usable(true, &why);
	out->reason = why;
	if (rs.c != NULL && rs.checked) {
		out->standby = rs.standby;
		out->lag_ms = rs.lag_ms;
	}
}
