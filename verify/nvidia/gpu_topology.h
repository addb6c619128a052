#ifndef TP_GPU_TOPOLOGY_H
#define TP_GPU_TOPOLOGY_H
#include <stddef.h>

#include <jansson.h>

#include "common/errors.h"

/*
 * The GPU <-> NVSwitch topology of an HGX machine in protected-PCIe
 * (PPCIe) mode, checked as NVIDIA's PPCIe verifier does (nvtrust
 * guest_tools/ppcie-verifier, "topology check"; docs/providers.md):
 *
 *  - exactly GPU_TOPOLOGY_GPUS GPUs (no "device_id" twice) and
 *    GPU_TOPOLOGY_SWITCHES switches;
 *  - each GPU's "switch_pdis" claim (its per-NVLink switch PDIs, opaque
 *    field 22 of a GPU report), zero PDIs (disabled links) left out,
 *    names exactly GPU_TOPOLOGY_SWITCHES distinct switches, the same set
 *    for every GPU;
 *  - each switch's "device_pdi" is in that set, no switch twice;
 *  - each switch's "switch_gpu_pdis" has GPU_TOPOLOGY_GPUS distinct PDIs,
 *    the same set for every switch.
 *
 * GPUS and SWITCHES are the claim objects of verified GPU and NVSwitch
 * evidence (borrowed). Returns TP_ERR_none, or TP_ERR_gpu_topology_mismatch
 * with the rule broken in WHY.
 */
#define GPU_TOPOLOGY_GPUS     8
#define GPU_TOPOLOGY_SWITCHES 4

enum tp_err gpu_topology_check(const json_t *const *gpus, size_t n_gpus,
                               const json_t *const *switches, size_t n_sw,
                               char *why, size_t whylen);

/*
 * A composite verdict's NVIDIA devices (submods gpuN: one device's
 * claims, or an SDK list's claims.gpus): when any is an NVSwitch, the
 * request attests a PPCIe machine, and the check above runs over all of
 * them — check "gpu_topology", passed or failed with
 * gpu_topology_mismatch. Without an NVSwitch, nothing is recorded.
 */
struct verdict;
void gpu_topology_appraise(struct verdict *v);

#endif
