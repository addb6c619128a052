#ifndef TP_ENDPOINT_ATTEST_H
#define TP_ENDPOINT_ATTEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"
#include "server/http.h"
#include "verify/core/composite.h"
#include "verify/verify.h"

/*
 * One attestation of a registered endpoint (POST /api/endpoints and PUT
 * /api/endpoints/{id}/attestation): the evidence members of the request,
 * the verdict against the endpoint's reference values and, when valid,
 * the signed passport — prepared before the transaction, committed
 * inside it, returned only after the commit.
 */
struct endpoint_attestation {
	uint8_t *evidence;
	size_t evidence_len;
	uint8_t *runtime_data;
	size_t runtime_data_len;
	uint8_t nonce[32];
	bool has_nonce;
	const json_t *collateral; /* borrowed from the request */
	/* "devices": GPUs (...) of the same VM, bound to runtime_data */
	struct verify_device devices[COMPOSITE_MAX_DEVICES];
	uint8_t *device_evidence[COMPOSITE_MAX_DEVICES];
	size_t n_devices;
	enum tp_provider tee;
	struct verdict v;
	bool verified;
	bool valid; /* verdict valid (before the nonce is consumed) */
	char passport_id[37];
	char *token;
	char *claims_json;
	char ev_hex[65];
	char req_hex[65];
	struct db_passport_row row;
	json_t *passport; /* {"id","token","expires_at"} */
	enum db_nonce_result nonce_result;
};

/*
 * Decodes "attestation", "runtime_data", "nonce", "collateral" and
 * "devices" (as in a verify request) of DOC
 * (already checked by a field table), for evidence of TEE. On failure
 * replies 400 and returns false. Free with endpoint_attestation_free.
 */
bool endpoint_attestation_parse(struct request *r, const json_t *doc,
                                enum tp_provider tee,
                                struct endpoint_attestation *a);

/*
 * Verifies the evidence against REFERENCE (an "expected" document) at
 * the configured now and, when valid, signs a passport for ENDPOINT_ID
 * that records reference VERSION and its SHA256. False only when the
 * passport cannot be signed.
 */
bool endpoint_attestation_verify(struct endpoint_attestation *a,
                                 const json_t *reference,
                                 const char *endpoint_id, int version,
                                 const char *sha256);

/*
 * Inside the transaction: consumes the nonce (when one was sent). Sets
 * *usable when the verdict is valid and the nonce accepted; the caller
 * then inserts a->row.
 */
enum db_status endpoint_attestation_nonce(PGconn *c,
                                          struct endpoint_attestation *a,
                                          bool *usable);

/* After the commit: the nonce check joins the verdict. */
void endpoint_attestation_settle(struct endpoint_attestation *a);

/* The verdict as JSON plus "passport" when one was committed. */
json_t *endpoint_attestation_json(const struct endpoint_attestation *a,
                                  bool committed);

/* The verdict's errors as compact JSON (malloc'd), for last_errors. */
char *endpoint_attestation_errors(const struct endpoint_attestation *a);

/* NULL-safe. */
void endpoint_attestation_free(struct endpoint_attestation *a);

#endif
