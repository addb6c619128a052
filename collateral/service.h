#ifndef TP_COLLATERAL_SERVICE_H
#define TP_COLLATERAL_SERVICE_H
#include <stdbool.h>
#include <stdint.h>

#include "collateral/collateral.h"

/* Internal to collateral/: the fetch-and-cache step of one artifact. */

enum coll_vendor {
	COLL_VENDOR_INTEL = 0,
	COLL_VENDOR_AMD,
	COLL_VENDOR_NVIDIA,
	COLL_VENDOR__COUNT
};

enum coll_outcome {
	COLL_OUTCOME_OK = 0,
	COLL_OUTCOME_NOT_FOUND,
	COLL_OUTCOME_RATE_LIMITED,
	COLL_OUTCOME_SERVER_ERROR,
	COLL_OUTCOME_NETWORK_ERROR,
	COLL_OUTCOME_INVALID,
	COLL_OUTCOME_STALE,
	COLL_OUTCOME__COUNT
};

/* One artifact to obtain. */
struct coll_request {
	enum artifact_kind kind_id;
	const char *kind; /* artifact_kind_name(kind_id) */
	char key[160];
	char url[1024];
	const char *chain_header; /* response header with the issuer chain */
	enum coll_vendor vendor;
};

/* Base URLs as configured (defaults: the vendors' public services). */
const char *coll_intel_url(void);
const char *coll_intel_root_crl_url(void); /* NULL: the PCCS path */
const char *coll_amd_url(void);
const char *coll_nvidia_nras_jwks_url(void);
/* The OCSP responder to use instead of each certificate's AIA URL, or
 * NULL. */
const char *coll_nvidia_ocsp_url(void);

/*
 * POSTs the DER OCSP request REQ to URL; on a 200 with a body, *RESP
 * (malloc'd) is what came back, unchecked. False when offline, in a
 * back-off, or on any failure (then nothing was obtained).
 */
bool coll_ocsp_post(const char *url, const uint8_t *req, size_t len,
                    uint8_t **resp, size_t *resplen);

/*
 * RQ's artifact valid at NOW: from the cache, else (online) fetched,
 * verified and cached. On COLL_OK fills OUT (clear it with
 * db_collateral_row_clear); otherwise *RETRY is a Retry-After in seconds.
 */
enum coll_status coll_obtain(const struct coll_request *rq, int64_t now,
                             struct db_collateral_row *out, int64_t *retry);

struct dcap_quote;
struct dcap_pck_ext;
struct dcap_tcb_level;

/*
 * The components of quote Q's platform (PCK extensions EXT, TDX
 * TEE_TCB_SVN) below level LV: [{"component", "have", "need"}] (new
 * reference; collateral/forecast.c, exposed for tests).
 */
json_t *coll_forecast_shortfall(const struct dcap_quote *q,
                                const struct dcap_pck_ext *ext,
                                const struct dcap_tcb_level *lv);

#endif
