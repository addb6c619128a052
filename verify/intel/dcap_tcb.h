#ifndef TP_DCAP_TCB_H
#define TP_DCAP_TCB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/errors.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"
#include "verify/intel/dcap_quote.h"

/*
 * TCB evaluation as Intel's Quote Verification Library does it (Intel SGX
 * DCAP "Quote Verification" and PCS API v4 "TCB Info V3" appendices):
 * the first TCB level whose SGX component SVNs and PCESVN are <= those of
 * the PCK certificate (and, for TDX, whose TDX components are <= the
 * quote's TEE_TCB_SVN, skipping indices 0-1 when TEE_TCB_SVN[1] > 0); the
 * TDX module identity TDX_<TEE_TCB_SVN[1]> by ISVSVN = TEE_TCB_SVN[0];
 * the QE against QE Identity. The overall status is the most severe.
 */
struct dcap_tcb_result {
	enum dcap_tcb_status platform, qe, module, overall;
	bool has_module;
	size_t platform_index, qe_index;
	int64_t tcb_date;       /* of the matched platform level */
	int64_t outdated_since; /* when an OutOfDate* status began, or 0 */
	json_t *advisories;     /* union, sorted; owned */
};

/*
 * Evaluates quote Q (already verified) against T and QI with the PCK
 * extensions EXT. Returns TP_ERR_none with *R filled (free with
 * dcap_tcb_result_free), or tcb_info_mismatch, qe_identity_mismatch or
 * tcb_level_not_found with WHY naming what did not match; *CHECK is the
 * name of the failed check.
 */
enum tp_err dcap_tcb_evaluate(const struct dcap_quote *q,
                              const struct dcap_pck_ext *ext,
                              const struct dcap_tcb_info *t,
                              const struct dcap_qe_identity *qi,
                              struct dcap_tcb_result *r, const char **check,
                              char *why, size_t whylen);

/* Only the TCB Info part (platform and TDX module), for tests. */
enum tp_err dcap_tcb_platform(const struct dcap_quote *q,
                              const struct dcap_pck_ext *ext,
                              const struct dcap_tcb_info *t,
                              struct dcap_tcb_result *r, const char **check,
                              char *why, size_t whylen);

void dcap_tcb_result_free(struct dcap_tcb_result *r);

#endif
