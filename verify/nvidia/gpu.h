#ifndef TP_GPU_H
#define TP_GPU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "verify/core/artifact.h"
#include "verify/verify.h"

/*
 * NVIDIA GPU confidential-computing evidence (provider NvidiaGpu).
 *
 * Accepted evidence (req->evidence):
 *  - raw SPDM GET_MEASUREMENTS request || MEASUREMENTS response;
 *  - the NVIDIA SDK JSON: [{"arch", "nonce", "evidence": b64 SPDM,
 *    "certificate": b64 PEM chain}, ...] or the NRAS request body
 *    {"arch", "nonce", "evidence_list": [{"arch", "evidence",
 *    "certificate"}, ...]};
 *  - an NRAS detached EAT [["JWT", overall], {"GPU-0": jwt, ...}].
 * Collateral: only req->artifacts, which the loaders fill (load/nvidia.c
 * reads the request's "cert_chain", "rim"/"rims", "nras_jwks", "ocsp" and
 * "rim_ocsp" and a collateral file or directory; collateral/ocsp.c adds
 * online OCSP responses): ARTIFACT_NVIDIA_DEVICE_CHAIN (PEM, used when
 * the JSON evidence carries no "certificate"), ARTIFACT_NVIDIA_RIM (one
 * per RIM), ARTIFACT_NVIDIA_NRAS_JWKS, ARTIFACT_NVIDIA_OCSP and
 * ARTIFACT_NVIDIA_RIM_OCSP (DER, keyed by serial hex). An item the loader
 * could not read fails the check that would have used it: gpu_cert_chain
 * (gpu_cert_chain_malformed), rim_collateral (rim_invalid), gpu_ocsp and
 * rimN_ocsp (gpu_ocsp_invalid), nras_jwks (nras_jwks_missing).
 *
 * Local verification (checks, in order, "gpuN." prefixed when the JSON
 * holds several GPUs): gpu_evidence_format (JSON only), spdm_format,
 * gpu_cert_chain (X509_STRICT to the pinned NVIDIA Device Identity CA,
 * cached by PEM hash), spdm_signature (ECDSA P-384, SHA-384 over request
 * || response up to the signature), gpu_fwid (leaf TcbInfo FWID ==
 * opaque FWID), gpu_stated_nonce / gpu_stated_arch (JSON only), then per
 * RIM rimK_format, rimK_chain (pinned NVIDIA RIM root), rimK_signature
 * (XML-DSig, C14N 1.1, ECDSA-SHA384), rimK_version, rimK_measurements,
 * rimK_index_conflict.
 * NVSwitch (LS10) reports verify the same way, with no gpu_fwid check
 * (their reports carry no FWID; docs/providers.md) and a BIOS RIM as
 * their only RIM; their claims add device_kind "nvswitch", device_pdi,
 * switch_position_id, switch_lock_status, disabled_ports,
 * switch_gpu_pdis, switch_ports.
 * Claims: gpu_arch ("Hopper"), gpu_model ("GH100"), spdm_version, nonce
 * (requester, the binding field "nonce"), responder_nonce, measurements
 * {"<index>": hex}, measurement_<index> (flat, for expected.runtime),
 * measurement_block_count, driver_version, vbios_version
 * ("96.00.9F.00.01"), project, project_sku, project_sku_mod, chip_sku,
 * chip_sku_mod, board_id, cpr_info, gpu_info, nvdec0_status,
 * protected_pcie_status, fwid, measurement_count {"<index>": n},
 * spdm_trailing_bytes (when unsigned bytes follow the signature),
 * ocsp_status ("unchecked"; "passed" only when the OCSP responses
 * (ARTIFACT_NVIDIA_OCSP) held an authentic, current
 * "good" response for every certificate below the pinned root, check
 * gpu_ocsp; a revoked one fails it with certificate_revoked, one that
 * does not verify with gpu_ocsp_invalid); with RIMs: rims [{version, kind, signature,
 * ocsp_status, active_measurements, mismatched_blocks}], rim_coverage,
 * rim_ocsp_status (the same rules for each RIM's signing chain with
 * ARTIFACT_NVIDIA_RIM_OCSP, check rimN_ocsp: "passed" only when every RIM
 * chain is, "revoked", else "unchecked"; see rim_appraise).
 * Several GPUs: gpu_count and gpus {"GPU-0": claims, ...} (as NRAS).
 * Status: "warning" unless RIMs of both kinds (driver and VBIOS) or
 * expected.runtime reference values were appraised; measurements_valid
 * stays null when neither was given.
 *
 * NRAS tokens: checks nras_format, nras_jwks, nras_signature.<token>,
 * nras_claims.<token>, nras_validity.<token>, nras_overall_result,
 * nras_digest.<gpu>, nras_nonce.<gpu>, nras_measres.<gpu>,
 * debug_policy.<gpu>; claims nonce (eat_nonce, the binding field),
 * nras_overall_result, nras_overall (the overall claims), gpus {"GPU-0":
 * its claims}, gpu_count, and for one GPU gpu_arch, gpu_model,
 * driver_version, vbios_version, measres, ueid. hardware_verified is
 * false and the status at most "warning": the token is NVIDIA's
 * service's word, signed by a JWKS key whose chain cannot be rooted (the
 * NRAS CA is not published).
 */

/* SHA-256 of the DER of config/trust/nvidia_device_identity_ca.pem. */
#define GPU_DEVICE_CA_PIN                                                      \
	"102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48"
/* SHA-256 of the DER of config/trust/nvidia_rim_root.pem. */
#define GPU_RIM_ROOT_PIN                                                       \
	"12977b5115acb0381179279fffeb5a8c4d264971ebb32298023a465fa41df5d1"

/* True when BUF looks like any of the accepted evidence forms. */
bool gpu_detect(const uint8_t *buf, size_t len);

/* True when BUF starts as an NRAS detached EAT ([["JWT", ...): the form
 * whose signatures need the NRAS JWKS (bytes only, cheap). */
bool gpu_is_nras_eat(const uint8_t *buf, size_t len);

/*
 * The NvidiaGpu provider's verify: parses, checks chains and signatures
 * at req->now, compares with RIMs from the collateral, fills V (already
 * initialised) with checks, claims and the "nonce" binding. Does not run
 * the common appraisal (verify_appraise). For composite CPU+GPU
 * requests, call it once per device with a request whose evidence and
 * collateral are that device's; the GPU's requester nonce is then
 * v->bindings[] named "nonce" (32 bytes).
 */
void gpu_verify(const struct verify_request *req, struct verdict *v);

/*
 * Verifies one SPDM evidence (SPDM, SPDMLEN) with its PEM device chain
 * (PEM, PEMLEN; NULL when none was supplied) at req->now. Checks are
 * recorded in V with names prefixed by PREFIX ("" or "gpu1."); claims go
 * into CLAIMS (an object, borrowed). The RIMs and OCSP responses are
 * those of req->artifacts. Once the evidence itself verified (chain,
 * signature, FWID) *NONCE points at its 32-byte requester nonce inside
 * SPDM, even when a RIM then refuses the measurements; NULL otherwise.
 * Returns true when every check passed.
 */
bool gpu_verify_spdm(const uint8_t *spdm, size_t spdmlen, const uint8_t *pem,
                     size_t pemlen, const struct verify_request *req,
                     struct verdict *v, const char *prefix, json_t *claims,
                     const uint8_t **nonce);

/*
 * The SHA-384 FWID of LEAF's TCG DICE TcbInfo extension, into OUT:
 * Hopper's 2.23.133.5.4.1 (the SEQUENCE { OID sha384, OCTET STRING (48) }
 * inside it), or Blackwell's 2.23.133.5.4.1.1 (a DiceTcbInfo: the first
 * entry of its [6] fwids). Returns 1 found, 0 no such extension or FWID,
 * -1 malformed, repeated, both present, or ambiguous.
 */
int gpu_leaf_fwid(X509 *leaf, uint8_t out[48]);

/*
 * What the loaders said of an item of KIND they could not read (SET's
 * "why"), or NULL when SET (may be NULL) recorded no such item.
 */
const char *gpu_malformed(const struct artifact_set *set,
                          enum artifact_kind kind);

#endif
