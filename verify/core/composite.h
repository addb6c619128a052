#ifndef TP_COMPOSITE_H
#define TP_COMPOSITE_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/core/artifact.h"
#include "verify/verify.h"

#define COMPOSITE_MAX_DEVICES 8

/* One device (GPU, ...) of a composite request. Borrowed. */
struct verify_device {
	enum tp_provider provider;
	const uint8_t *evidence;
	size_t evidence_len;
	const struct artifact_set *artifacts; /* its collateral, or NULL */
};

/*
  * Composite evidence (a confidential VM with its GPUs): verifies each
 * device as of CPU_REQ's time and configuration; each device's binding
 * field (a GPU's SPDM nonce, ...) must either carry the hash of the CPU's
 * runtime_data (SHA-256 in a 32-byte field, SHA-512 or SHA-256 || 0^32 in
 * a 64-byte one) or be listed in the CPU's bound runtime data as
 * "gpu_nonces" (hex). Either proves the devices answered a challenge the
 * CPU evidence commits to.
 *
 * Records v->submods (name -> device verdict JSON with its
 * evidence_sha256; names "gpuN" for NvidiaGpu, "devN" otherwise) and, on
 * V, a check per device: a device that is invalid or not bound makes the
 * whole verdict invalid.
 */
void verify_devices(const struct verify_request *cpu_req,
                    const struct verify_device *devs, size_t n,
                    struct verdict *v);

/*
 * The GPU identities in a GPU verdict's CLAIMS: "device_id" (the device
 * certificate's serial, verify/nvidia/gpu_local.c) or an NRAS token's
 * "ueid", and those of "gpus".* of multi-GPU evidence; appended (as
 * strings) to the array OUT. The same identity twice in one request is
 * gpu_duplicate_device (verify_devices); on two live endpoints,
 * device_in_use (docs/registry.md).
 */
void composite_gpu_ids(const json_t *claims, json_t *out);

/*
 * Every GPU identity of verdict V (its own claims when V is NvidiaGpu
 * evidence, and those of its "gpuN" submods) as a new object:
 * identity -> submod name. Aborts on OOM.
 */
json_t *composite_verdict_gpu_ids(const struct verdict *v);

#endif
