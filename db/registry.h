#ifndef TP_DB_REGISTRY_H
#define TP_DB_REGISTRY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "db/db.h"

/*
 * The endpoint registry (migrations/0002-registry.sql): one query per
 * file, db/<name>.c for db_<name>. Text parameters are passed to
 * PostgreSQL as parameters, never spliced into SQL. Queries answer C
 * structs read by column name (db/row.h); the handlers build the API's
 * JSON from them (handlers/db_json.h).
 */

/* --- API keys --- */

struct db_api_key {
	char token_sha256[65];
	bool admin;
	char provider_id[37]; /* "" for admin keys */
	bool revoked;
};

/* The key ID (db/api_key_find.c). */
enum db_status db_api_key_find(PGconn *c, const char *id, struct db_api_key *k);

/* Stores a key; PROVIDER_ID NULL makes an admin key
 * (db/api_key_insert.c). */
enum db_status db_api_key_insert(PGconn *c, const char *id,
                                 const char *token_sha256,
                                 const char *provider_id, const char *label);

/* A revoked key (db_api_key_revoke). */
struct db_api_key_revoked {
	char id[17];
	char scope[12];       /* admin or provider */
	char provider_id[37]; /* "" for admin keys */
	int64_t revoked_at;   /* Unix microseconds */
};

/*
 * Revokes key ID (idempotent: the first time stays) when it belongs to
 * OWNER (a provider id), or any key when OWNER is NULL
 * (db/api_key_revoke.c): DB_NOT_FOUND for another's or an unknown key.
 */
enum db_status db_api_key_revoke(PGconn *c, const char *id, const char *owner,
                                 struct db_api_key_revoked *out);

/* A key as listed (db_api_key_list): never its token or hash. */
struct db_api_key_entry {
	char id[17];
	char scope[12];       /* admin or provider */
	char provider_id[37]; /* "" for admin keys */
	char *label;          /* NULL when none */
	int64_t created_at;   /* Unix microseconds */
	int64_t revoked_at;   /* DB_TIME_NULL while live */
};

/*
 * Up to LIMIT keys, newest first, of provider OWNER (NULL: every key),
 * created before the key (BEFORE_US, BEFORE_ID) when BEFORE_US is not
 * NULL (db/api_key_list.c): *out (db_api_key_list_free) holds *n.
 */
enum db_status db_api_key_list(PGconn *c, const char *owner,
                               const char *before_us, const char *before_id,
                               int limit, struct db_api_key_entry **out,
                               size_t *n);

/* Frees N entries of db_api_key_list; NULL-safe. */
void db_api_key_list_free(struct db_api_key_entry *e, size_t n);

/* --- providers --- */

enum db_status db_provider_insert(PGconn *c, const char *id, const char *name);
/* DB_OK when provider ID exists (db/provider_exists.c). */
enum db_status db_provider_exists(PGconn *c, const char *id);

/* --- audit log --- */

/* Appends one entry (db/audit_insert.c); DETAIL is borrowed (NULL: {}). */
enum db_status db_audit_insert(PGconn *c, const char *actor, const char *action,
                               const char *target, const json_t *detail);

/* An entry of the audit log. */
struct db_audit_entry {
	int64_t id;
	int64_t at; /* Unix microseconds */
	char *actor;
	char *action;
	char *target;      /* NULL when none */
	char *detail_json; /* JSON text */
};

/*
 * At most LIMIT entries newest first, with id < BEFORE (NULL: from the
 * newest) (db/audit_list.c): *out (db_audit_list_free) holds *n.
 */
enum db_status db_audit_list(PGconn *c, const char *before, int limit,
                             struct db_audit_entry **out, size_t *n);

/* Frees N entries of db_audit_list; NULL-safe. */
void db_audit_list_free(struct db_audit_entry *e, size_t n);

/* --- endpoints --- */

struct db_endpoint_row {
	const char *id;
	const char *provider_id;
	const char *url;
	const char *model_name;
	const char *model_digest;
	const char *tee_type;
	const char *passport_id;
	int64_t attested_at;
};

/* Inserts a live, attested endpoint at reference version 1
 * (db/endpoint_insert.c). */
enum db_status db_endpoint_insert(PGconn *c, const struct db_endpoint_row *e);

/* DB_OK with the id in ID when PROVIDER has a live endpoint at URL
 * (db/endpoint_live_url.c). */
enum db_status db_endpoint_live_url(PGconn *c, const char *provider_id,
                                    const char *url, char id[37]);

/* What writing to an endpoint needs: its owner and current reference
 * values. */
struct db_endpoint_ref {
	char provider_id[37];
	char tee_type[24];
	int version;
	json_t *doc; /* the reference document; caller decrefs */
	char sha256[80];
	/* the declared tls_binding layout ("runtime_data", "report_data",
	 * "report_data_split"): where the evidence binds the runtime data */
	char tls_binding[24];
};

/*
 * The live endpoint ID, row-locked inside a transaction
 * (db/endpoint_ref.c). DB_NOT_FOUND for unknown, retired or malformed.
 */
enum db_status db_endpoint_ref(PGconn *c, const char *id,
                               struct db_endpoint_ref *r);

/* Adds reference version VERSION of endpoint ID (db/reference_insert.c). */
enum db_status db_reference_insert(PGconn *c, const char *endpoint_id,
                                   int version, const char *doc_json,
                                   const char *sha256, const char *actor);

/*
 * Makes VERSION current and, when non-NULL, sets the model name and
 * digest (db/endpoint_set_reference.c).
 */
enum db_status db_endpoint_set_reference(PGconn *c, const char *id, int version,
                                         const char *model_name,
                                         const char *model_digest);

/*
 * Records an attestation of endpoint ID at AT: STATUS "attested" with
 * PASSPORT_ID, or "failed" with ERRORS_JSON (the verdict's errors)
 * (db/endpoint_attested.c).
 */
enum db_status db_endpoint_attested(PGconn *c, const char *id,
                                    const char *status, const char *passport_id,
                                    int64_t at, const char *errors_json);

/* One attestation of an endpoint, passed or failed (db_endpoint_history). */
struct db_endpoint_attempt {
	int64_t id;
	int64_t at;           /* Unix microseconds */
	char status[12];      /* attested or failed */
	char passport_id[37]; /* "" when failed */
	int reference_version;
	char *errors_json;        /* JSON text, NULL when none */
	char tls_spki_sha256[65]; /* the TLS key it bound; "" when none */
};

/*
 * Up to LIMIT attestations of endpoint ID (live or retired), newest first,
 * older than history id BEFORE when not NULL (db/endpoint_history.c):
 * DB_NOT_FOUND for an unknown endpoint; *out (db_endpoint_history_free)
 * holds *n.
 */
enum db_status db_endpoint_history(PGconn *c, const char *id,
                                   const char *before, int limit,
                                   struct db_endpoint_attempt **out, size_t *n);
void db_endpoint_history_free(struct db_endpoint_attempt *a, size_t n);

/* A version of an endpoint's reference values (db_endpoint_references). */
struct db_reference_version {
	int version;
	char sha256[80];
	char *doc_json;     /* JSON text */
	int64_t created_at; /* Unix microseconds */
};

/*
 * Up to LIMIT versions of endpoint ID's reference values, newest first
 * (db/endpoint_references.c): DB_NOT_FOUND for an unknown endpoint.
 */
enum db_status db_endpoint_references(PGconn *c, const char *id, int limit,
                                      struct db_reference_version **out,
                                      size_t *n);
void db_endpoint_references_free(struct db_reference_version *r, size_t n);

/* Retires endpoint ID (db/endpoint_retire.c); DB_NOT_FOUND when it is
 * not live. */
enum db_status db_endpoint_retire(PGconn *c, const char *id);

/* An endpoint as the API shows it (db_endpoint_get, db_endpoint_list).
 * Times are Unix microseconds. */
struct db_endpoint {
	char id[37];
	char provider_id[37];
	char *url;
	char *model_name;
	char *model_digest;
	char tee_type[128];
	char status[12]; /* attested, stale, revoked, failed or retired */
	/* the current reference values */
	int ref_version;
	char ref_sha256[80];
	char *ref_doc_json; /* JSON text */
	/* the current passport: passport_id "" when none */
	char passport_id[37];
	char passport_status[16]; /* active, expired, revoked, superseded */
	int64_t passport_expires_at;
	char *passport_token;
	int64_t last_attested_at;
	char *last_errors_json; /* JSON text, NULL when none */
	int64_t created_at;
	int64_t retired_at; /* DB_TIME_NULL when live */
	/* attested TLS (migrations/0008): tls_spki_sha256 "" when the
	 * evidence binds no key */
	char tls_binding[24]; /* "report_data_split" the longest */
	char tls_spki_sha256[65];
	int64_t tls_checked_at; /* DB_TIME_NULL when never */
};

/* Frees what E owns; NULL-safe. */
void db_endpoint_clear(struct db_endpoint *e);

/* Frees N endpoints of db_endpoint_list; NULL-safe. */
void db_endpoint_list_free(struct db_endpoint *e, size_t n);

/*
 * Endpoint ID, status as of NOW (db/endpoint_get.c): DB_NOT_FOUND for
 * unknown or malformed ids. The caller frees with db_endpoint_clear.
 */
enum db_status db_endpoint_get(PGconn *c, const char *id, int64_t now,
                               struct db_endpoint *out);

struct db_endpoint_filter {
	const char *tee_type; /* NULL: any */
	const char *model;    /* name or digest, NULL: any */
	const char *status;   /* NULL: every live endpoint */
	const char *provider_id;
	const char *after_id; /* keyset cursor: an endpoint id, or NULL */
	int limit;
};

/* At most f->limit endpoints newest first (db/endpoint_list.c): *out
 * (db_endpoint_list_free) holds *n of them. */
enum db_status db_endpoint_list(PGconn *c, const struct db_endpoint_filter *f,
                                int64_t now, struct db_endpoint **out,
                                size_t *n);

/* --- passports --- */

/* A passport's revocation state (db_passport_revoke,
 * db_passport_status). Times are Unix microseconds. */
struct db_passport_state {
	char id[37];
	char status[16]; /* active, expired, revoked or superseded as of
	                  * NOW */
	int64_t expires_at;
	int64_t revoked_at;      /* DB_TIME_NULL when not revoked */
	char *revocation_reason; /* NULL when not revoked; caller frees */
	char endpoint_id[37];    /* "" when none */
};

/* Frees what S owns; NULL-safe. */
void db_passport_state_clear(struct db_passport_state *s);

/*
 * Revokes passport ID with REASON (idempotent: the first reason stays)
 * when OWNER (a provider id) owns its endpoint, or any passport when
 * OWNER is NULL (db/passport_revoke.c): DB_OK fills *OUT, DB_NOT_FOUND
 * for a passport the caller may not revoke, an unknown or malformed id.
 */
enum db_status db_passport_revoke(PGconn *c, const char *id, const char *owner,
                                  const char *reason,
                                  struct db_passport_state *out);

/* The state of passport ID as of NOW (db/passport_status.c);
 * DB_NOT_FOUND for unknown or malformed ids. */
enum db_status db_passport_status(PGconn *c, const char *id, int64_t now,
                                  struct db_passport_state *out);

#endif
