#ifndef TP_HANDLERS_ATTESTATION_H
#define TP_HANDLERS_ATTESTATION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"
#include "server/http.h"
#include "verify/core/composite.h"
#include "verify/verify.h"

/*
 * The one attestation path (the way the Taler exchange shares its
 * deposit logic): POST /api/verify/tee-attestation, POST /api/endpoints
 * and PUT /api/endpoints/{id}/attestation all go
 *   attestation_parse -> attestation_verify (phase 1, collateral loaders,
 *   phase 2, devices) -> attestation_sign -> the caller's transaction
 *   (attestation_consume_nonce, the passport row) -> attestation_settle
 *   -> attestation_json,
 * with one request digest recipe.
 */
struct attestation {
	uint8_t *evidence;
	size_t evidence_len;
	enum tp_provider provider; /* NONE: detect */
	uint8_t *runtime_data;
	size_t runtime_data_len;
	uint8_t nonce[32];
	bool has_nonce;
	uint8_t *event_log; /* "event_log" decoded, or NULL */
	size_t event_log_len;
	uint8_t *event_log_table; /* "event_log_table" decoded, or NULL */
	size_t event_log_table_len;
	const json_t *collateral; /* the request's member, borrowed */
	const json_t *expected;   /* reference values, borrowed */
	char *expected_json;      /* attestation_expected_json */
	const char *endpoint_id;  /* NULL: none */
	int ref_version;          /* with endpoint_id */
	const char *ref_sha256;   /* with endpoint_id */
	/* "devices": GPUs (...) of the same VM, bound to runtime_data */
	struct verify_device devices[COMPOSITE_MAX_DEVICES];
	uint8_t *device_evidence[COMPOSITE_MAX_DEVICES];
	const json_t *device_collateral[COMPOSITE_MAX_DEVICES]; /* borrowed */
	size_t n_devices;
	/* What the loaders filled: [0] the evidence, [1 + i] device i. */
	struct artifact_set *sets;
	json_t *artifacts; /* the collateral service's artifacts used */
	struct verify_request req;
	struct verdict v;
	bool verified;
	bool valid; /* verdict valid (before the nonce is consumed) */
	/* The passport, prepared before the transaction. */
	char passport_id[37];
	char *token;
	uint8_t leaf_hash[32]; /* the token's log leaf hash */
	char *claims_json;
	char ev_hex[65];
	char req_hex[65];
	struct db_passport_row row;
	/* What the appraisal used (handlers/reappraise.h, appraisal_record) */
	char *appraisal_json;
	char *blobs_json;
	char *set_json;
	char set_hex[65];
	/* The token as stored: its parts (handlers/attestation.c) */
	char *jws_header; /* the payload is claims_json */
	uint8_t *jws_sig;
	size_t jws_sig_len;
	json_t *passport;  /* {"id","token","expires_at"} */
	json_t *log_entry; /* its inclusion proof, once sequenced, or NULL */
	enum db_nonce_result nonce_result;
};

/*
 * Decodes "attestation", "runtime_data", "nonce", "event_log",
 * "event_log_table", "collateral" and "devices" of DOC (already checked by a field table), for evidence of
 * provider TEE (NONE: detect). On failure replies 400 and returns false.
 * Free with attestation_free (also after a failure).
 */
bool attestation_parse(struct request *r, const json_t *doc,
                       enum tp_provider tee, struct attestation *a);

/*
 * Verifies the evidence (and devices) at the configured now against
 * a->expected: phase 1, then the collateral from the request's member,
 * else collateral_dir, else the collateral service (cache, vendor) for
 * what phase 1 says is needed, then phase 2 and the devices. Returns
 * false once it has replied (503 when collateral cannot be had).
 */
bool attestation_verify(struct request *r, struct attestation *a);

/*
 * The passport of a valid verdict: claims (recording the endpoint's
 * reference version and digest when a->endpoint_id is set), signature,
 * the row to insert and its request digest. False when it cannot be
 * signed.
 */
bool attestation_sign(struct attestation *a);

/* a->expected serialised with JSON_COMPACT | JSON_SORT_KEYS, once (kept
 * in a->expected_json, freed by attestation_free); NULL when there are
 * no reference values or out of memory. */
const char *attestation_expected_json(struct attestation *a);

/*
 * Inside the transaction: consumes the nonce (when one was sent). Sets
 * *usable when the verdict is valid and the nonce accepted.
 */
enum db_status attestation_consume_nonce(PGconn *c, struct attestation *a,
                                         bool *usable);

/* After the commit: the nonce check joins the verdict. */
void attestation_settle(struct attestation *a);

/*
 * The verdict as JSON, with "collateral_artifacts" when the collateral
 * service supplied any, "passport" when COMMITTED and
 * "transparency_log" when the passport's log entry has its proof.
 */
json_t *attestation_json(const struct attestation *a, bool committed);

/* The verdict's errors as compact JSON (malloc'd), for last_errors. */
char *attestation_errors(const struct attestation *a);

/* NULL-safe. */
void attestation_free(struct attestation *a);

#endif
