#ifndef TP_VERIFY_H
#define TP_VERIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/core/artifact.h"
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
	/* Where a 64-byte report-data field binds the runtime data. false:
	 * the whole field (SHA-512, or SHA-256 || 0^32). true: SHA-256 in
	 * its upper half [32:64] only, the lower half binding something
	 * else (a TLS key: tls_binding "report_data_split",
	 * docs/registry.md "Attested TLS"). Declared by the caller, never
	 * guessed: a TEE that echoes a caller's value in [32:64] must not
	 * be read this way unless its owner said so. */
	bool runtime_data_upper;
	const uint8_t *nonce; /* NULL when not given */
	size_t nonce_len;
	const json_t *expected; /* {"runtime", "model", "config",
	                         * "auditors"} or NULL */
	/* A measured-boot event log sent with the evidence (a TCG log, a
	 * TDX CCEL data area or dstack's JSON runtime log) and the CCEL ACPI
	 * table describing it; NULL: none (verify/eventlog/eventlog.h). */
	const uint8_t *event_log;
	size_t event_log_len;
	const uint8_t *event_log_table;
	size_t event_log_table_len;
	/* The collateral, as the loaders (load/, collateral/resolve.c)
	 * filled it; NULL: none. verify/ reads nothing else. */
	const struct artifact_set *artifacts;
	int64_t now; /* verification time (Unix s) */
	const struct verify_config *cfg;
};

/*
 * The evidence between the two phases of a verification: the provider
 * chosen, what its first phase parsed and the artifacts it needs.
 */
struct verify_evidence {
	enum tp_provider provider;
	const struct provider_ops *ops;
	void *parsed;                /* the provider's, or NULL */
	struct artifact_needs needs; /* for the loaders */
	bool done;                   /* the verdict is final already */
};

/*
 * Phase 1 of REQ (V is initialised here; the caller frees it with
 * verdict_free): size limits, provider selection, and the provider's
 * first phase, which lists in EV->needs what the collateral loaders
 * should obtain. Free EV with verify_evidence_free.
 */
void verify_begin(const struct verify_request *req, struct verdict *v,
                  struct verify_evidence *ev);

/*
 * Phase 2: the provider's checks with req->artifacts, then the common
 * appraisal of binding, reference values and evidence age. The nonce's
 * single use is not checked here (it needs the database); only that it
 * is bound to the evidence.
 */
void verify_finish(const struct verify_request *req, struct verify_evidence *ev,
                   struct verdict *v);

/* Frees what phase 1 parsed; NULL-safe. */
void verify_evidence_free(struct verify_evidence *ev);

/*
 * Both phases at once, for callers whose artifacts are loaded already
 * (the CLI, tests, benchmarks): verify_begin + verify_finish.
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
