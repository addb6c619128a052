#ifndef TP_DB_ATTLS_H
#define TP_DB_ATTLS_H
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "db/db.h"

/*
 * Attested TLS and endpoint devices (migrations/0008-attested-tls.sql,
 * docs/registry.md "Attested TLS"): db/endpoint_tls.c and
 * db/endpoint_devices.c.
 */

/*
 * Records where endpoint ID's evidence binds its TLS key (LAYOUT,
 * "runtime_data", "report_data" or "report_data_split") and the key's SPKI SHA-256 (hex, NULL:
 * none) on the endpoint, and the key beside its current passport
 * (endpoint_tls_keys).
 */
enum db_status db_endpoint_tls_record(PGconn *c, const char *id,
                                      const char *layout, const char *spki_hex);

/* The layout recorded for endpoint ID (live), into LAYOUT[16], and its
 * URL (*URL, malloc'd). */
enum db_status db_endpoint_tls_layout(PGconn *c, const char *id,
                                      char layout[24], char **url);

/* A live, attested endpoint with a bound TLS key, due for a check. */
struct db_endpoint_tls_due {
	char id[37];
	char *url;
	char spki_hex[65];
};

/*
 * Claims up to LIMIT live "attested" endpoints with a bound key not
 * checked in the last INTERVAL / 2 seconds, least recently checked
 * first, skipping rows another instance holds: *out
 * (db_endpoint_tls_due_free) holds *n.
 */
enum db_status db_endpoint_tls_due(PGconn *c, int limit, int interval,
                                   struct db_endpoint_tls_due **out, size_t *n);
void db_endpoint_tls_due_free(struct db_endpoint_tls_due *d, size_t n);

/* Endpoint ID's key was checked now (the wall clock: an operational
 * time, not the verification clock). */
enum db_status db_endpoint_tls_checked(PGconn *c, const char *id);

/*
 * Endpoint ID presented another key than SPKI_HEX: status "failed" with
 * ERRORS_JSON, and an entry in its history, at AT (Unix seconds) — only
 * while it is live, "attested" and still bound to SPKI_HEX (a concurrent
 * re-attestation with a new key wins). DB_NOT_FOUND when it no longer
 * is.
 */
enum db_status db_endpoint_tls_fail(PGconn *c, const char *id,
                                    const char *spki_hex, int64_t at,
                                    const char *errors_json);

/*
 * The first of DEVICES (a JSON object: device id -> submod name, as
 * text) that a live endpoint other than ID holds: DB_OK with it in
 * DEVICE[129], DB_NOT_FOUND when none is held elsewhere.
 */
enum db_status db_endpoint_devices_conflict(PGconn *c, const char *id,
                                            const char *devices_json,
                                            char device[129]);

/* Endpoint ID now holds exactly DEVICES (as above). A device held by
 * another endpoint meanwhile: DB_INVALID (the primary key). */
enum db_status db_endpoint_devices_set(PGconn *c, const char *id,
                                       const char *devices_json);

#endif
