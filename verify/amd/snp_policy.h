#ifndef TP_SNP_POLICY_H
#define TP_SNP_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Minimum security version per TCB component; 0 means no minimum. */
struct snp_tcb_min {
	uint8_t bl, tee, snp, microcode, fmc;
};

/*
 * Policy of the SEV-SNP verifier (read-only after loading). The debug
 * switch is the common verify_config.allow_debug.
 */
struct snp_policy {
	struct snp_tcb_min min_reported_tcb; /* tcb_status and refusal */
	struct snp_tcb_min min_launch_tcb;
	uint32_t min_report_version; /* default 2 */
	uint8_t allowed_vmpls;       /* bit N: VMPL N allowed; default 0xF */
	bool allow_migrate_ma;       /* default false */
	bool allow_vlek;             /* default true */
	bool allow_outdated_tcb;     /* OutOfDate is a warning, not refusal */
	uint32_t min_guest_svn;      /* default 0 */
	char crl_file[512];          /* ARK-signed CRL (DER or PEM) or "" */
	bool require_crl;            /* no CRL: refused, not "unchecked" */
	size_t cache_chips; /* verified chains kept (snp_cache_configure at
	                     * start; not a policy: sizes the process's
	                     * cache) */
};

/*
 * Fills the safe defaults: no debug (common switch), any VMPL (reported
 * as a claim; cloud guests run above VMPL 0), no migration agent, VCEK
 * or VLEK, report version 2 or later, TCB minimums 0 (no AMD TCB
 * baseline is shipped; configure min_tcb.* from AMD's bulletins).
 */
void snp_policy_defaults(struct snp_policy *p);

/*
 * Sets KEY (the part after "snp.") to VALUE. Keys:
 *   min_tcb.{bl,tee,snp,microcode,fmc}          0..255
 *   min_launch_tcb.{bl,tee,snp,microcode,fmc}   0..255
 *   min_report_version                          2, 3 or 5
 *   allowed_vmpls        "any" or a comma list of 0..3 ("0,1")
 *   allow_migrate_ma, allow_vlek, allow_outdated_tcb   true/false
 *   min_guest_svn                               0..4294967295
 *   crl_file   path of AMD's CRL (KDS /vcek/v1/{product}/crl), read at
 *              each verification that brings no CRL of its own
 *   require_crl  true/false (default false): a report judged without an
 *              AMD CRL is refused (policy_violation) instead of valid with
 *              the claim amd_crl "unchecked"
 * Returns false with a message in ERR for an unknown key or a bad value.
 */
bool snp_policy_set(struct snp_policy *p, const char *key, const char *value,
                    char *err, size_t errlen);

#endif
