#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "verify/core/composite.h"
#include "verify/nvidia/gpu_topology.h"

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

/* The GPU device ids of a request, by the device NAME they came from;
 * one seen before fails V with gpu_duplicate_device. */
struct seen_ids {
	char id[COMPOSITE_MAX_DEVICES * 8][72];
	char dev[COMPOSITE_MAX_DEVICES * 8][16];
	size_t n;
};

static void
note_id(struct seen_ids *s, const char *id, const char *name, struct verdict *v)
{
	if (id == NULL || strlen(id) >= sizeof(s->id[0]))
		return;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0) {
			verdict_fail(v, "gpu_unique",
			             TP_ERR_gpu_duplicate_device,
			             "%s and %s are the same GPU (device "
			             "certificate serial %s)",
			             s->dev[i], name, id);
			return;
		}
	if (s->n < sizeof(s->id) / sizeof(s->id[0])) {
		snprintf(s->id[s->n], sizeof(s->id[0]), "%s", id);
		snprintf(s->dev[s->n], sizeof(s->dev[0]), "%s", name);
		s->n++;
	}
}

/* Appends ID (a JSON string) to OUT unless it is among OUT[FROM..]: one
 * evidence may name a GPU twice (an NRAS token's ueid at the top and in
 * gpus.GPU-0). */
static void
append_id(json_t *out, size_t from, const json_t *id)
{
	if (!json_is_string(id))
		return;
	for (size_t i = from; i < json_array_size(out); i++)
		if (json_equal(json_array_get(out, i), (json_t *)id))
			return;
	json_array_append(out, (json_t *)id);
}

void
composite_gpu_ids(const json_t *claims, json_t *out)
{
	const json_t *gpus = json_object_get(claims, "gpus"), *g, *id;
	size_t from = json_array_size(out);
	const char *k;

	/* The device certificate's identity (device_id, gpu_local.c); an
	 * NRAS token's "ueid" when the evidence is a token. */
	if ((id = json_object_get(claims, "device_id")) != NULL ||
	    (id = json_object_get(claims, "ueid")) != NULL)
		append_id(out, from, id);
	json_object_foreach((json_t *)gpus, k, g)
	{
		if ((id = json_object_get(g, "device_id")) != NULL ||
		    (id = json_object_get(g, "ueid")) != NULL)
			append_id(out, from, id);
	}
}

static void
note_gpu_ids(struct seen_ids *s, const struct verdict *dv, const char *name,
             struct verdict *v)
{
	json_t *ids = json_array(), *id;
	size_t i;

	if (ids == NULL)
		abort();
	composite_gpu_ids(dv->claims, ids);
	json_array_foreach(ids, i, id)
	{
		note_id(s, json_string_value(id), name, v);
	}
	json_decref(ids);
}

json_t *
composite_verdict_gpu_ids(const struct verdict *v)
{
	json_t *out = json_object(), *ids = json_array(), *sm, *id;
	const char *name;
	size_t i;

	if (out == NULL || ids == NULL)
		abort();
	if (v->provider == TP_PROVIDER_NVIDIA_GPU) {
		composite_gpu_ids(v->claims, ids);
		json_array_foreach(ids, i, id)
		{
			json_object_set_new(out, json_string_value(id),
			                    json_string("gpu0"));
		}
	}
	json_object_foreach(v->submods, name, sm)
	{
		if (strncmp(name, "gpu", 3) != 0)
			continue;
		json_array_clear(ids);
		composite_gpu_ids(json_object_get(sm, "claims"), ids);
		json_array_foreach(ids, i, id)
		{
			json_object_set_new(out, json_string_value(id),
			                    json_string(name));
		}
	}
	json_decref(ids);
	return out;
}

void
verify_devices(const struct verify_request *cpu_req,
               const struct verify_device *devs, size_t n, struct verdict *v)
{
	unsigned gpus = 0, others = 0;
	struct seen_ids seen;

	if (n == 0)
		return;
	seen.n = 0;
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
		if (dv.provider == TP_PROVIDER_NVIDIA_GPU &&
		    dv.signature_valid == TP_TRUE)
			note_gpu_ids(&seen, &dv, name, v);
		/* The composite passport lives no longer than any device's
		 * collateral. */
		verdict_expires_no_later_than(v, dv.expires_at);
		verdict_free(&dv);
	}
	/* NVSwitches among the devices: a PPCIe machine, whose GPUs and
	 * switches must link each other (issue 18). */
	gpu_topology_appraise(v);
}
