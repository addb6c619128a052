/* The GPUs of live endpoints (db/attls.h, migrations/0008). */
#include <stdio.h>

#include "db/attls.h"
#include "db/row.h"

static const struct db_stmt conflict = {
        "endpoint_devices_conflict",
        "SELECT device_id FROM endpoint_devices"
        " WHERE device_id IN (SELECT jsonb_object_keys($2::jsonb))"
        " AND endpoint_id <> $1::uuid ORDER BY device_id LIMIT 1",
        2};

static const struct db_stmt clear = {
        "endpoint_devices_clear",
        "DELETE FROM endpoint_devices WHERE endpoint_id = $1::uuid", 1};

static const struct db_stmt insert = {
        "endpoint_devices_insert",
        "INSERT INTO endpoint_devices (device_id, endpoint_id, submod)"
        " SELECT key, $1::uuid, value FROM jsonb_each_text($2::jsonb)",
        2};

enum db_status
db_endpoint_devices_conflict(PGconn *c, const char *id,
                             const char *devices_json, char device[129])
{
	const char *v[2] = {id, devices_json};
	enum db_status st;
	PGresult *res = db_run(c, &conflict, v, NULL, NULL, &st);

	if (res == NULL)
		return st;
	st = PQntuples(res) > 0 ? DB_OK : DB_NOT_FOUND;
	if (st == DB_OK) {
		struct db_row row = db_row_at(res, 0);

		db_row_copy(&row, "device_id", device, 129);
		st = row.ok ? DB_OK : DB_ERROR;
	}
	PQclear(res);
	return st;
}

enum db_status
db_endpoint_devices_set(PGconn *c, const char *id, const char *devices_json)
{
	const char *v[2] = {id, devices_json};
	enum db_status st;

	PQclear(db_run(c, &clear, v, NULL, NULL, &st));
	if (st != DB_OK)
		return st;
	/* A device another live endpoint holds: the primary key refuses it
	 * (unique_violation -> DB_INVALID). */
	PQclear(db_run(c, &insert, v, NULL, NULL, &st));
	return st;
}
