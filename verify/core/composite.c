#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "verify/core/composite.h"

/* True when HEX (a JSON string) spells the bytes of B, any case. */
static bool
hex_is(const char *hex, const struct verdict_binding *b)
{
	char want[2 * 64 + 1];

	if (hex == NULL || strlen(hex) != 2 * b->len)
		return false;
	codec_hex_encode_to(b->buf, b->len, want);
	for (size_t i = 0; i < 2 * b->len; i++)
		if (tolower((unsigned char)hex[i]) != want[i])
			return false;
	return true;
}

/*
 * A device belongs to this VM when one of its binding fields (a GPU's
 * SPDM nonce, ...) either carries the hash of the CPU's runtime data, or
 * is listed in the CPU's bound runtime data as "gpu_nonces": the measured
 * CPU TEE committed to the challenge the device answered.
 */
static void
bind_device(const struct verify_request *cpu_req, const struct verdict *cpu,
            struct verdict *dv)
{
	json_t *listed = json_object_get(cpu->bound, "gpu_nonces"), *item;
	size_t i, k;

	if (cpu_req->runtime_data == NULL) {
		dv->binding_valid = TP_FALSE;
		verdict_fail(
		        dv, "cpu_binding", TP_ERR_device_not_bound,
		        "no runtime_data: a device cannot be bound to the CPU "
		        "evidence without it");
		return;
	}
	for (i = 0; i < dv->n_bindings; i++) {
		if (verify_binding_matches(&dv->bindings[i],
		                           cpu_req->runtime_data,
		                           cpu_req->runtime_data_len))
			goto bound;
		json_array_foreach(listed, k, item)
		{
			if (hex_is(json_string_value(item), &dv->bindings[i]))
				goto bound;
		}
	}
	dv->binding_valid = TP_FALSE;
	verdict_fail(
	        dv, "cpu_binding", TP_ERR_device_not_bound,
	        "%s: neither the hash of the CPU's runtime_data nor listed in "
	        "its bound runtime_data.gpu_nonces",
	        dv->n_bindings > 0 ? dv->bindings[0].name : "binding field");
	return;
bound:
	dv->binding_valid = TP_TRUE;
	verdict_pass(dv, "cpu_binding");
}

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
		req.artifacts = devs[i].artifacts;
		/* Reference values, nonce and runtime data belong to the CPU
		 * evidence; the device is bound to it below. */
		req.expected = NULL;
		req.event_log = NULL; /* the CPU evidence's */
		req.event_log_len = 0;
		req.event_log_table = NULL;
		req.event_log_table_len = 0;
		req.nonce = NULL;
		req.nonce_len = 0;
		req.runtime_data = NULL;
		req.runtime_data_len = 0;
		verify_run(&req, &dv);
		if (dv.signature_valid == TP_TRUE)
			bind_device(cpu_req, v, &dv);
		j = verdict_to_json(&dv);
		codec_hex_encode_to(dv.evidence_sha256, 32, sha);
		json_object_set_new(j, "evidence_sha256", json_string(sha));
		json_object_set_new(v->submods, name, j);
		snprintf(check, sizeof(check), "device_%s", name);
		if (verdict_valid(&dv))
			verdict_pass(v, check);
		else
			verdict_fail(
			        v, check, TP_ERR_device_invalid,
			        "%s (%s) evidence is not valid or not bound; "
			        "see submods.%s",
			        name, provider_name(dv.provider), name);
		/* The composite passport lives no longer than any device's
		 * collateral. */
		verdict_expires_no_later_than(v, dv.expires_at);
		verdict_free(&dv);
	}
}
