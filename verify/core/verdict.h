#ifndef TP_VERDICT_H
#define TP_VERDICT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/errors.h"
#include "verify/provider.h"

/* A verdict field that may be unknown (JSON null). */
enum tp_tri { TP_NULL = -1, TP_FALSE = 0, TP_TRUE = 1 };

#define VERDICT_MAX_BINDINGS 4

/* A field of the evidence that user data is bound through. */
struct verdict_binding {
	char name[24]; /* claim name, e.g. "report_data", "user_data" */
	uint8_t buf[64];
	size_t len; /* 1..64 */
	/* 32 bytes that are the upper half [32:64] of a report-data field
	 * whose lower half binds a key (RA-TLS): runtime data binds here
	 * only as SHA-256, and all zero means nothing is bound. */
	bool half;
};

/*
 * The outcome of appraising one piece of evidence (API.md, Response).
 * Providers fill it through the functions below; appraisal adds the
 * binding, reference-value and freshness results.
 */
struct verdict {
	enum tp_provider provider;
	bool hardware_verified;
	enum tp_tri certificate_chain_valid;
	enum tp_tri signature_valid;
	enum tp_tri measurements_valid;
	enum tp_tri binding_valid;
	enum tp_tri fresh;
	bool warning;         /* valid, but at most EAR "warning" */
	char tcb_status[48];  /* "" when the format has no TCB verdict */
	json_t *advisory_ids; /* array of strings */
	json_t *claims;       /* object: claim name -> value */
	json_t *checks;       /* array of {"check", "ok"} */
	json_t *errors;       /* array of {"code", "message"} */
	json_t *collateral;   /* object: item -> sha256 hex */
	json_t *bound;        /* runtime_data claims once the binding holds */
	json_t *submods;      /* composite evidence: name -> device verdict
	                       * JSON (verify/composite.c), or NULL */
	struct verdict_binding bindings[VERDICT_MAX_BINDINGS];
	size_t n_bindings;
	int64_t evidence_time; /* signed time inside the evidence, or -1 */
	int64_t expires_at;    /* earliest expiry of what the verdict relied
	                          * on (collateral nextUpdate, cert notAfter);
	                          * INT64_MAX when nothing limits it */
	int64_t verified_at;
	uint8_t evidence_sha256[32];
};

/* Initialises an empty verdict for PROVIDER at time NOW. Aborts on OOM. */
void verdict_init(struct verdict *v, enum tp_provider provider, int64_t now);
/* Releases everything the verdict owns; NULL-safe. */
void verdict_free(struct verdict *v);

/* Records a passed check named CHECK (e.g. "pck_chain"). */
void verdict_pass(struct verdict *v, const char *check);
/*
 * Records a failed check and its error: CODE from the registry, and a
 * message naming what failed and why (printf-style; never raw client
 * bytes beyond hex of fixed-size fields).
 */
void verdict_fail(struct verdict *v, const char *check, enum tp_err code,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records an error that is not tied to one check. */
void verdict_error(struct verdict *v, enum tp_err code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* True when any error was recorded with CODE. */
bool verdict_has_error(const struct verdict *v, enum tp_err code);

/* Claims: hex of bytes, a string, an integer, a boolean. */
void verdict_claim_hex(struct verdict *v, const char *name, const uint8_t *buf,
                       size_t len);
void verdict_claim_str(struct verdict *v, const char *name, const char *s);
void verdict_claim_int(struct verdict *v, const char *name, int64_t n);
void verdict_claim_bool(struct verdict *v, const char *name, bool b);
/* Sets claim NAME to VALUE; the reference to VALUE is stolen. */
void verdict_claim_json(struct verdict *v, const char *name, json_t *value);

/* Declares an evidence field that runtime_data may be bound through. */
void verdict_add_binding(struct verdict *v, const char *name,
                         const uint8_t *buf, size_t len);

/* Records the SHA-256 of a collateral item the verdict relied on. */
void verdict_collateral(struct verdict *v, const char *item, const uint8_t *buf,
                        size_t len);

/* Lowers expires_at to T when T is earlier. */
void verdict_expires_no_later_than(struct verdict *v, int64_t t);

/* True when at least one check ran and no check failed and no error. */
bool verdict_valid(const struct verdict *v);

/* EAR tier: "affirming", "warning", "contraindicated" or "none". */
const char *verdict_status(const struct verdict *v);

/* The verdict as the JSON of API.md (without "passport"). New reference. */
json_t *verdict_to_json(const struct verdict *v);

#endif
