#ifndef TP_HANDLERS_DB_JSON_H
#define TP_HANDLERS_DB_JSON_H
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db/collateral.h"
#include "db/db.h"
#include "db/registry.h"

/*
 * The API's JSON of what db/ reads (docs/api.md, docs/openapi.yaml): one
 * builder per struct, each answering a new reference or NULL when out of
 * memory (or, for a stored JSON document, when it does not parse).
 */

/* Unix microseconds as "YYYY-MM-DDTHH:MM:SSZ" (the fraction dropped), or
 * JSON null for DB_TIME_NULL. */
json_t *db_json_time(int64_t us);

/* As db_json_time with the microseconds: "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
json_t *db_json_time_us(int64_t us);

/* S as a string, or JSON null when S is NULL or, with EMPTY_NULL, "". */
json_t *db_json_text(const char *s, bool empty_null);

/* A passport's summary (GET /api/passports): no claims, no token. */
json_t *db_json_passport_summary(const struct db_passport *p);

/* A passport as GET /api/passports/{id} shows it. */
json_t *db_json_passport(const struct db_passport *p);

/* {"id","token","expires_at"}: a passport handed out again. */
json_t *db_json_passport_issued(const struct db_passport_issued *p);

/* The status document of a passport, checked at CHECKED_AT (Unix
 * seconds). */
json_t *db_json_passport_state(const struct db_passport_state *s,
                               int64_t checked_at);

/* An endpoint as GET /api/endpoints/{id} shows it. */
json_t *db_json_endpoint(const struct db_endpoint *e);

/* {"id","scope","provider_id","revoked_at"}: DELETE /api/keys/{id}. */
/* An attestation of an endpoint's history; a version of its reference
 * values. */
json_t *db_json_endpoint_attempt(const struct db_endpoint_attempt *a);
json_t *db_json_reference_version(const struct db_reference_version *r);

json_t *db_json_api_key_revoked(const struct db_api_key_revoked *k);

/* An audit log entry as GET /api/audit lists it. */
json_t *db_json_audit_entry(const struct db_audit_entry *e);

/*
 * The cached artifacts as GET /api/collateral and teepass collateral
 * list/export show them: [{kind, key, sha256, issue_date, next_update,
 * fetched_at, source, valid}], with BODIES also "body" (base64) and, when
 * there is one, "issuer_chain".
 */
json_t *db_json_collateral_list(const struct db_collateral_entry *e, size_t n,
                                bool bodies);

#endif
