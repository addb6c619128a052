#ifndef TP_NITRO_POLICY_H
#define TP_NITRO_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Policy of the nitro verifier (owned by that module), on top of the
 * common verify_config (allow_debug, max_evidence_age, clock_skew).
 *
 *   nitro.allow_debug = inherit | true | false
 *       debug-mode enclaves (PCR0, PCR1 and PCR2 all zero): "inherit"
 *       follows the global allow_debug (default).
 *   nitro.max_future_skew = SECONDS | inherit
 *       how far the document's timestamp may lie after the verification
 *       time; can only tighten the global clock_skew (default inherit).
 */
struct nitro_policy {
	int allow_debug;         /* -1 inherit, 0 refuse, 1 allow */
	int64_t max_future_skew; /* seconds; -1 inherit */
	size_t cache_instances;  /* cabundles and leaves kept
	                          * (nitro_chain_cache_configure at start;
	                          * not a policy: sizes the process's cache) */
};

/* Fills the safe defaults (inherit both). */
void nitro_policy_defaults(struct nitro_policy *p);

/*
 * Sets KEY (the part after "nitro.") to VALUE. Returns false with a message
 * in ERR for an unknown key or a bad value.
 */
bool nitro_policy_set(struct nitro_policy *p, const char *key,
                      const char *value, char *err, size_t errlen);

#endif
