#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/trust_blobs.h"
#include "db/db.h"
#include "db/row.h"

/* migrations/NNNN-what.sql, embedded at build time, in name order. */
extern const struct trust_blob migration_blobs[];

/* pg_advisory_lock key: "teepass" in ASCII. */
#define MIGRATE_LOCK "7738151104017011"

static int
version_of(const char *name)
{
	return atoi(name);
}

int
db_migrations_latest(void)
{
	int latest = 0;

	for (const struct trust_blob *m = migration_blobs; m->name; m++)
		if (version_of(m->name) > latest)
			latest = version_of(m->name);
	return latest;
}

static bool
exec_ok(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(c, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	          PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

enum db_status
db_schema_version(PGconn *c, int *version)
{
	PGresult *res;
	enum db_status st = DB_OK;

	*version = 0;
	res = PQexec(c, "SELECT coalesce(max(version), 0) AS version FROM "
	                "schema_migrations");
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		struct db_row row = db_row_at(res, 0);

		*version = (int)db_row_int64(&row, "version");
		if (!row.ok)
			st = DB_ERROR;
	} else if (PQstatus(c) != CONNECTION_OK)
		st = DB_UNAVAILABLE;
	else if (strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE) ?: "",
	                "42P01") != 0) /* no table yet: version 0 */
		st = DB_ERROR;
	PQclear(res);
	return st;
}

/* Applies one migration unless it is recorded; a recorded one must have
 * the same text. */
static bool
apply(PGconn *c, const struct trust_blob *m, int *applied, char *err,
      size_t errlen)
{
	const char *params[3];
	char ver[16], hex[65], msg[512];
	uint8_t md[32];
	PGresult *res;
	bool ok = false;

	SHA256(m->data, m->len, md);
	codec_hex_encode_to(md, 32, hex);
	snprintf(ver, sizeof(ver), "%d", version_of(m->name));
	params[0] = ver;
	res = PQexecParams(c,
	                   "SELECT sha256 FROM schema_migrations WHERE "
	                   "version = $1::int",
	                   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(res));
		goto out;
	}
	if (PQntuples(res) == 1) {
		struct db_row row = db_row_at(res, 0);
		const char *recorded = db_row_text(&row, "sha256");

		if (recorded == NULL || strcmp(recorded, hex) != 0) {
			snprintf(err, errlen,
			         "migration %s was edited after it was applied "
			         "(recorded sha256 differs); migrations are "
			         "never "
			         "edited: add a new one",
			         m->name);
			goto out;
		}
		ok = true;
		goto out;
	}
	if (!exec_ok(c, "BEGIN", err, errlen))
		goto out;
	if (!exec_ok(c, (const char *)m->data, msg, sizeof(msg))) {
		snprintf(err, errlen, "migration %s: %s", m->name, msg);
		exec_ok(c, "ROLLBACK", msg, sizeof(msg));
		goto out;
	}
	PQclear(res);
	params[1] = m->name;
	params[2] = hex;
	res = PQexecParams(c,
	                   "INSERT INTO schema_migrations (version, name, "
	                   "sha256) VALUES ($1::int, $2, $3)",
	                   3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(res));
		exec_ok(c, "ROLLBACK", msg, sizeof(msg));
		goto out;
	}
	if (!exec_ok(c, "COMMIT", err, errlen))
		goto out;
	tp_log(TP_LOG_INFO, "applied migration %s", m->name);
	(*applied)++;
	ok = true;
out:
	PQclear(res);
	return ok;
}

bool
db_migrate(const char *url, int *applied, char *err, size_t errlen)
{
	PGconn *c = PQconnectdb(url);
	char msg[256];
	bool ok = false, locked = false;

	*applied = 0;
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect: %s", PQerrorMessage(c));
		goto out;
	}
	/* Two daemons starting together: one migrates, the other waits and
	 * then finds nothing to do. */
	if (!exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", err,
	             errlen))
		goto out;
	locked = true;
	if (!exec_ok(c,
	             "CREATE TABLE IF NOT EXISTS schema_migrations ("
	             " version int PRIMARY KEY, name text NOT NULL,"
	             " sha256 text NOT NULL,"
	             " applied_at timestamptz NOT NULL DEFAULT now())",
	             err, errlen))
		goto out;
	for (const struct trust_blob *m = migration_blobs; m->name; m++)
		if (!apply(c, m, applied, err, errlen))
			goto out;
	ok = true;
out:
	if (locked)
		exec_ok(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", msg,
		        sizeof(msg));
	PQfinish(c);
	return ok;
}
