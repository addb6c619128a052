#ifndef TP_REGISTRY_UTIL_H
#define TP_REGISTRY_UTIL_H
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "db/db.h"
#include "server/http.h"

/* A random (version 4) UUID in canonical form. Aborts without
 * randomness. */
void reg_uuid(char out[37]);

/* True for a canonical UUID (any case). */
bool reg_is_uuid(const char *s);

/*
 * Replies for a failed database step: DB_NOT_FOUND -> NOT_FOUND,
 * DB_INVALID -> 400 invalid_field (the database refused the data),
 * anything else -> 503 database_unavailable.
 */
enum MHD_Result reg_reply_db(struct request *r, enum db_status st,
                             enum tp_err not_found);

/*
 * The string member NAME of DOC (already type-checked by the field
 * table): NULL when absent. Replies 400 invalid_field and sets *bad when
 * it is empty or longer than MAX bytes.
 */
const char *reg_string(struct request *r, const json_t *doc, const char *name,
                       size_t max, bool *bad);

struct db_endpoint_ref;

/*
 * Reads the live endpoint ID and its current reference values in a
 * transaction of its own (a locking read outside one would skip a row
 * whose reference version moved on meanwhile). DB_NOT_FOUND for unknown,
 * retired or malformed ids. The caller decrefs ref->doc.
 */
enum db_status reg_endpoint_ref(const char *id, struct db_endpoint_ref *ref);

/* "sha256:<hex>" of DOC serialised compact with sorted keys (the
 * passport's policy_sha256 of the same document). */
void reg_doc_sha256(const json_t *doc, char out[72]);

#endif
