#ifndef TP_VERIFY_H
#define TP_VERIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/core/policy.h"
#include "verify/provider.h"
#include "verify/core/verdict.h"

/*
 * One verification: the evidence, what the caller claims about it, and
 * the time and configuration to verify it under. Everything is borrowed.
 */
struct verify_request {
	const uint8_t *evidence;
	size_t evidence_len;
	enum tp_provider provider;   /* TP_PROVIDER_NONE: detect */
	const uint8_t *runtime_data; /* NULL when not given */
	size_t runtime_data_len;
	const uint8_t *nonce; /* NULL when not given */
	size_t nonce_len;
	const json_t *expected;      /* {"runtime", "model", "config",
	                                   * "auditors"} or NULL */
	const json_t *collateral;    /* caller-supplied, or NULL */
	const char *collateral_path; /* file or directory, or NULL */
	int64_t now;                 /* verification time (Unix s) */
	const struct verify_config *cfg;
};

/*
 * Verifies REQ into V (initialised here; the caller frees it with
 * verdict_free): provider selection, the provider's own checks, then the
 * common appraisal of binding, reference values and evidence age. The
 * nonce's single use is not checked here (it needs the database); only
 * that it is bound to the evidence.
 */
void verify_run(const struct verify_request *req, struct verdict *v);

/*
 * The common appraisal, exposed for tests: runtime_data binding,
 * expected values, evidence age and nonce binding.
 */
void verify_appraise(const struct verify_request *req, struct verdict *v);

/*
 * The binding rule of API.md: B holds SHA-512(RD), SHA-256(RD) || 0^32,
 * or (32-byte field) SHA-256(RD).
 */
bool verify_binding_matches(const struct verdict_binding *b, const uint8_t *rd,
                            size_t len);

#endif
