#ifndef TP_DCAP_POLICY_H
#define TP_DCAP_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/errors.h"

#define DCAP_POLICY_MAX_DENY 32

/*
 * Policy of the dcap verifier (owned by that module). No heap members:
 * the configuration is copied and freed without this module's help.
 *
 * Keys of dcap_policy_set (configuration "dcap.KEY"):
 *   accepted_statuses        comma list of TCB statuses accepted; default
 *                            UpToDate,SWHardeningNeeded,ConfigurationNeeded,
 *                            ConfigurationAndSWHardeningNeeded (all but
 *                            UpToDate give EAR "warning"). Revoked is never
 *                            accepted.
 *   allow_out_of_date        true/false (default false): adds OutOfDate and
 *                            OutOfDateConfigurationNeeded to the list.
 *   tcb_grace_period_days    N (default 0): OutOfDate* is accepted (warning)
 *                            while the platform has been out of date for at
 *                            most N days, counted from the tcbDate of the
 *                            TCB level just above the matched one.
 *   advisory_deny            comma list of advisory ids (INTEL-SA-00837)
 *                            refused whatever the status.
 *   require_sept_ve_disable  true/false (default true): TDX TD_ATTRIBUTES
 *                            bit 28 SEPT_VE_DISABLE must be set.
 *   mrservicetd              96 hex chars: the TD 1.5 MRSERVICETD required;
 *                            "" (default) does not check it.
 *   cache_platforms          N (default 65536): verified per-platform
 *                            objects kept, least recently used evicted;
 *                            a platform takes 2 (its PCK chain's two
 *                            verdicts) plus 1 per attestation key, about
 *                            2 KB in all (bench_dcap prints it): the
 *                            default holds 32,000 platforms in ~64 MiB.
 *                            0 caches none.
 *   cache_shared             N (default 1024): verified collateral and
 *                            PCK CAs kept, never evicted by platforms.
 *   (The two cache keys size the process-wide cache: the daemon applies
 *   them with dcap_cache_configure at start.)
 */
struct dcap_policy {
	unsigned accepted;    /* bit (1 << enum dcap_tcb_status) */
	int64_t grace_period; /* seconds */
	char deny[DCAP_POLICY_MAX_DENY][32];
	size_t n_deny;
	bool require_sept_ve_disable;
	bool check_mrservicetd;
	uint8_t mrservicetd[48];
	size_t cache_platforms, cache_shared; /* dcap_cache_configure */
};

/* Fills the safe defaults. */
void dcap_policy_defaults(struct dcap_policy *p);

/*
 * Sets KEY (the part after "dcap.") to VALUE. Returns false with a message
 * in ERR for an unknown key or a bad value.
 */
bool dcap_policy_set(struct dcap_policy *p, const char *key, const char *value,
                     char *err, size_t errlen);

/*
 * The policy's decision on an overall TCB STATUS (enum dcap_tcb_status):
 * TP_ERR_none when accepted, otherwise tcb_revoked, tcb_out_of_date or
 * tcb_status_not_accepted. OUTDATED_SINCE is when an OutOfDate* status
 * began (0: unknown, no grace); when the grace period is what accepts it,
 * *UNTIL is set to the instant it ends (else INT64_MAX).
 */
enum tp_err dcap_policy_tcb(const struct dcap_policy *p, int status,
                            int64_t outdated_since, int64_t now,
                            int64_t *until);

/* True when an id of the JSON string array ADVISORIES is denied (*ID). */
bool dcap_policy_denied(const struct dcap_policy *p, const json_t *advisories,
                        const char **id);

#endif
