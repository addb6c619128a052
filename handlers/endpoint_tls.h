#ifndef TP_HANDLERS_ENDPOINT_TLS_H
#define TP_HANDLERS_ENDPOINT_TLS_H
#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "db/db.h"
#include "handlers/attestation.h"
#include "server/http.h"
#include "verify/core/tls_binding.h"

/*
 * Attested TLS and GPUs of registered endpoints (issue 18,
 * docs/registry.md "Attested TLS" and "One GPU, one endpoint"), for
 * POST /api/endpoints and PUT /api/endpoints/{id}/attestation.
 */
struct endpoint_tls {
	enum tls_binding_layout layout;
	bool bound;          /* the evidence binds a TLS key */
	char spki_hex[65];   /* its SHA-256 of the SPKI, when bound */
	bool checked;        /* the endpoint presented it (a handshake ran) */
	enum tp_err refused; /* TP_ERR_none, or why the request is refused */
	json_t *devices;     /* GPU identity -> submod name */
	char device_in_use[129]; /* set by endpoint_tls_devices_free */
};

/*
 * After attestation_verify, on a valid verdict: reads the TLS key the
 * evidence binds in t->layout; with endpoint_tls_check on and a key
 * bound, refuses a URL that is not https or whose host is not
 * allow-listed, connects (endpoint_tls_timeout_ms) and compares the
 * leaf certificate's key. A failure is a failed check "endpoint_tls" in
 * the verdict (a->valid becomes false) and its code in t->refused. Also
 * collects the verdict's GPU identities. Free T with endpoint_tls_free.
 */
void endpoint_tls_appraise(struct attestation *a, const char *url,
                           struct endpoint_tls *t);

/*
 * Inside the transaction, before anything is written: *FREE is false
 * (and t->device_in_use names it) when a GPU of T is held by another
 * live endpoint than ID.
 */
enum db_status endpoint_tls_devices_free(PGconn *c, const char *id,
                                         struct endpoint_tls *t, bool *is_free);

/*
 * Inside the transaction, after a valid attestation of ID is recorded:
 * the bound key (on the endpoint and its newest history entry) and its
 * GPUs. DB_INVALID when a GPU was taken meanwhile.
 */
enum db_status endpoint_tls_commit(PGconn *c, const char *id,
                                   const struct endpoint_tls *t);

/* The layout recorded for live endpoint ID and its URL (*URL, the caller
 * frees), in a transaction of its own. */
enum db_status endpoint_tls_layout_of(const char *id,
                                      enum tls_binding_layout *layout,
                                      char **url);

/* 422 with t->refused's code and the verdict (stolen) beside it. */
enum MHD_Result endpoint_tls_reply_refused(struct request *r, enum tp_err code,
                                           json_t *verdict);

/* NULL-safe. */
void endpoint_tls_free(struct endpoint_tls *t);

#endif
