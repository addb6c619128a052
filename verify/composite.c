#include <stdio.h>
#include <stdlib.h>

#include "common/codec.h"
#include "verify/composite.h"

void
verify_devices(const struct verify_request *cpu_req,
               const struct verify_device *devs, size_t n, struct verdict *v)
{
	unsigned gpus = 0, others = 0;

	if (n == 0)
		return;
	if (v->submods == NULL && (v->submods = json_object()) == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct verify_request req = *cpu_req;
		struct verdict dv;
		char name[16], check[32], sha[65];
		json_t *j;

		if (devs[i].provider == TP_PROVIDER_NVIDIA_GPU)
			snprintf(name, sizeof(name), "gpu%u", gpus++);
		else
			snprintf(name, sizeof(name), "dev%u", others++);
		req.evidence = devs[i].evidence;
		req.evidence_len = devs[i].evidence_len;
		req.provider = devs[i].provider;
		req.collateral = devs[i].collateral;
		/* The challenge is the CPU's runtime data; reference values
		 * and nonces belong to the CPU evidence. */
		req.expected = NULL;
		req.nonce = NULL;
		req.nonce_len = 0;
		verify_run(&req, &dv);
		j = verdict_to_json(&dv);
		codec_hex_encode_to(dv.evidence_sha256, 32, sha);
		json_object_set_new(j, "evidence_sha256", json_string(sha));
		json_object_set_new(v->submods, name, j);
		snprintf(check, sizeof(check), "device_%s", name);
		if (!verdict_valid(&dv))
			verdict_fail(v, check, TP_ERR_device_invalid,
			             "%s (%s) evidence is not valid; see "
			             "submods.%s",
			             name, provider_name(dv.provider), name);
		else if (cpu_req->runtime_data == NULL ||
		         dv.binding_valid != TP_TRUE)
			verdict_fail(v, check, TP_ERR_device_not_bound,
			             "%s is not bound to the CPU evidence: its "
			             "binding field must carry the hash of "
			             "runtime_data",
			             name);
		else
			verdict_pass(v, check);
		/* The composite passport lives no longer than any device's
		 * collateral. */
		verdict_expires_no_later_than(v, dv.expires_at);
		verdict_free(&dv);
	}
}
