#ifndef TP_COLLATERAL_H
#define TP_COLLATERAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/collateral.h"
#include "verify/core/artifact.h"
#include "verify/provider.h"

/*
 * The collateral service (issue 7): finds the vendor collateral a piece
 * of evidence needs, from the PostgreSQL cache or from Intel PCS/PCCS and
 * AMD KDS, verifies each artifact before it is cached, and builds the
 * collateral JSON handed to verify_run(). Outside verify/: this module
 * does network and SQL; verify/ stays pure.
 */

/* The kinds the collateral cache holds (the "kind" column: the names of
 * verify/core/artifact.h): the first COLL_KIND__COUNT artifact kinds. */
#define COLL_KIND__COUNT (ARTIFACT_AMD_CRL + 1)

/* ---- artifact.c: pure checks ---- */

/*
 * Verifies the artifact R (kind, body, issuer_chain set) as of NOW:
 * Intel documents' ECDSA signature over the exact signed bytes with the
 * issuer chain verified to the pinned Intel SGX Root CA; CRLs signed by
 * their issuer (PCK CRL: the chain from the header; Root CA CRL: the
 * pinned root); VCEKs signed by the pinned AMD ASK of their product;
 * AMD cert_chains whose ARK is byte-identical to the pinned ARK of their
 * product and whose ASK verifies under it; AMD CRLs signed by that ARK
 * and carrying a nextUpdate. The
 * content must match R->key (FMSPC, TEE, CA type, product, hwid, TCB);
 * an empty R->key is filled from the content (imports). Fills sha256,
 * issue_date and next_update. Returns false with WHY when anything
 * fails; *STALE is then true when only the window [issue_date,
 * next_update) misses NOW (an authentic but unusable artifact), and
 * sha256, issue_date and next_update are filled as on success.
 */
bool coll_artifact_check(struct db_collateral_row *r, int64_t now, bool *stale,
                         char *why, size_t whylen);

/* ---- service.c: configuration, cache, fetches ---- */

struct coll_config {
	const char *intel_url;          /* PCS or PCCS base URL */
	const char *intel_root_crl_url; /* Root CA CRL (DER) */
	const char *intel_api_key;      /* Ocp-Apim-Subscription-Key, or NULL */
	const char *amd_url;            /* KDS base URL */
	const char *nvidia_nras_jwks_url; /* NRAS JWKS document URL */
	const char *nvidia_ocsp_url;      /* OCSP responder instead of the AIA
	                              * URLs of the device chain, or NULL */
	const char *proxy;                /* libcurl proxy, or NULL */
	long timeout_ms;                  /* whole transfer */
	bool offline;                     /* never open a connection */
	unsigned max_waiting; /* threads that may fetch from vendors at
	                       * once (0: unlimited); beyond, 503 at once,
	                       * so a hanging vendor never holds every
	                       * worker (threads waiting for a fetch under
	                       * way give up after 2 s) */
};

/* Copies CFG (strings too); call once before serving. */
void coll_configure(const struct coll_config *cfg);

enum coll_status {
	COLL_OK = 0,
	COLL_OFFLINE_MISSING, /* offline and not cached */
	COLL_UNAVAILABLE,     /* vendor down, timeout, back-off, stale */
	COLL_NOT_FOUND,       /* the vendor has none for this platform */
	COLL_VENDOR_INVALID,  /* the vendor served an artifact that did not
	                       * verify; nothing cached */
	COLL_DB_UNAVAILABLE,
	COLL_NOT_APPLICABLE, /* evidence is not one the service serves */
	COLL_BAD_EVIDENCE,   /* cannot be parsed far enough to know */
};

/*
 * The collateral service as a loader: the artifacts evidence EV of
 * provider PROV (as phase 1 chose it) needs at NOW, from the cache or,
 * online, fetched, verified and cached, added to SET. Intel's are the
 * NEEDS of phase 1 (none when the quote's PCK chain did not verify to
 * the pinned root: then nothing is asked of any vendor); SEV-SNP's VCEK
 * is named by the report's chip id and TCB. Each artifact used is
 * appended to ARTIFACTS as {kind, key, sha256, source, next_update}.
 * COLL_NOT_APPLICABLE when the evidence needs nothing the service
 * serves; on failure ARTIFACT names the artifact
 * ("intel_pck_crl/processor") and *retry_after the seconds to wait.
 */
enum coll_status coll_resolve(const uint8_t *ev, size_t len,
                              enum tp_provider prov,
                              const struct artifact_needs *needs, int64_t now,
                              struct artifact_set *set, json_t *artifacts,
                              char *artifact, size_t artifactlen,
                              int64_t *retry_after);

/*
 * TCB forecast of the Intel quote EV at NOW: evaluated against the
 * standard and the early TCB Info of its FMSPC (cache or vendor; keys
 * "<tee>/<fmspc>" and "<tee>/<fmspc>/early"). *out = {"tee", "fmspc",
 * "standard": {...}, "early": {...}}, each with tcb_status (null and
 * "error" when no level matches), advisory_ids, tcb_evaluation_data_number,
 * issue_date, next_update and short_of_up_to_date: [{"component", "have",
 * "need"}] against the first UpToDate level (null when there is none).
 * COLL_BAD_EVIDENCE when EV is not a quote whose PCK chain verifies to
 * the pinned Intel root at NOW (nothing is fetched for it); other
 * failures as coll_resolve.
 */
enum coll_status coll_tcb_forecast(const uint8_t *ev, size_t len, int64_t now,
                                   json_t **out, char *artifact,
                                   size_t artifactlen, int64_t *retry_after);

/*
 * Online OCSP for NVIDIA GPU evidence EV (provider PROV, or NONE to
 * detect), a loader after the others: for each certificate below the
 * pinned NVIDIA Device Identity CA of the device chain in SET
 * (ARTIFACT_NVIDIA_DEVICE_CHAIN, else the JSON evidence's
 * "certificate"s), an OCSP request to its AIA OCSP URL (or
 * nvidia_ocsp_url); likewise for the signing chain of each RIM in SET
 * below the pinned NVIDIA RIM root. Each DER response obtained is added
 * to SET as ARTIFACT_NVIDIA_OCSP / ARTIFACT_NVIDIA_RIM_OCSP keyed by the
 * certificate's serial (hex), source "nvidia_ocsp"; a kind SET already
 * holds (from the request or a directory) is not asked for. The
 * responses are not judged here: verify/ checks each against the chain
 * at the verification time. Returns how many were added.
 */
size_t coll_gpu_ocsp(const uint8_t *ev, size_t len, enum tp_provider prov,
                     struct artifact_set *set);

/* Appends the collateral metrics (Prometheus text) to F. */
void coll_metrics_render(void *f);

#endif
