/* GPU <-> NVSwitch topology of a PPCIe HGX machine (gpu_topology.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "verify/core/verdict.h"
#include "verify/nvidia/gpu_topology.h"

/* A PDI as the claims carry it: 16 lower-case hex digits. */
#define PDI_HEX 16
static const char zero_pdi[] = "0000000000000000";

struct pdi_set {
	char v[GPU_TOPOLOGY_GPUS * 3][PDI_HEX + 1];
	size_t n;
};

static bool
is_pdi(const char *s)
{
	if (s == NULL || strlen(s) != PDI_HEX)
		return false;
	for (size_t i = 0; i < PDI_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
set_has(const struct pdi_set *s, const char *p)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], p) == 0)
			return true;
	return false;
}

static bool
set_add(struct pdi_set *s, const char *p)
{
	if (set_has(s, p))
		return true;
	if (s->n >= sizeof(s->v) / sizeof(s->v[0]))
		return false;
	memcpy(s->v[s->n++], p, PDI_HEX + 1);
	return true;
}

static bool
set_equal(const struct pdi_set *a, const struct pdi_set *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!set_has(b, a->v[i]))
			return false;
	return true;
}

/* The distinct PDIs of claim array ARR, zeros left out when SKIP_ZERO;
 * false on a malformed member or too many. */
static bool
pdis_of(const json_t *arr, bool skip_zero, struct pdi_set *out)
{
	const json_t *x;
	size_t i;

	out->n = 0;
	if (!json_is_array(arr))
		return false;
	json_array_foreach(arr, i, x)
	{
		const char *s = json_string_value(x);

		if (!is_pdi(s))
			return false;
		if (skip_zero && strcmp(s, zero_pdi) == 0)
			continue;
		if (!set_add(out, s))
			return false;
	}
	return true;
}

enum tp_err
gpu_topology_check(const json_t *const *gpus, size_t n_gpus,
                   const json_t *const *switches, size_t n_sw, char *why,
                   size_t whylen)
{
	struct pdi_set sw_of_gpus = {.n = 0}, s, gpus_of_sw = {.n = 0},
	               seen_sw = {.n = 0};

	if (n_gpus != GPU_TOPOLOGY_GPUS || n_sw != GPU_TOPOLOGY_SWITCHES) {
		snprintf(why, whylen,
		         "want %d GPUs and %d NVSwitches, have %zu and %zu",
		         GPU_TOPOLOGY_GPUS, GPU_TOPOLOGY_SWITCHES, n_gpus,
		         n_sw);
		return TP_ERR_gpu_topology_mismatch;
	}
	for (size_t i = 0; i < n_gpus; i++) {
		const char *id = json_string_value(
		        json_object_get(gpus[i], "device_id"));

		/* Eight GPUs, not one GPU's report twice. */
		for (size_t k = 0; id != NULL && k < i; k++) {
			const char *o = json_string_value(
			        json_object_get(gpus[k], "device_id"));
			if (o != NULL && strcmp(o, id) == 0) {
				snprintf(why, whylen,
				         "GPU %zu is GPU %zu again (device %s)",
				         i, k, id);
				return TP_ERR_gpu_topology_mismatch;
			}
		}
		if (!pdis_of(json_object_get(gpus[i], "switch_pdis"), true,
		             &s)) {
			snprintf(why, whylen,
			         "GPU %zu: switch_pdis: want 8-byte PDIs", i);
			return TP_ERR_gpu_topology_mismatch;
		}
		if (s.n != GPU_TOPOLOGY_SWITCHES) {
			snprintf(why, whylen,
			         "GPU %zu links %zu distinct NVSwitches, want "
			         "%d",
			         i, s.n, GPU_TOPOLOGY_SWITCHES);
			return TP_ERR_gpu_topology_mismatch;
		}
		if (i == 0)
			sw_of_gpus = s;
		else if (!set_equal(&sw_of_gpus, &s)) {
			snprintf(why, whylen,
			         "GPU %zu links other NVSwitches than GPU 0",
			         i);
			return TP_ERR_gpu_topology_mismatch;
		}
	}
	for (size_t i = 0; i < n_sw; i++) {
		const char *pdi = json_string_value(
		        json_object_get(switches[i], "device_pdi"));

		if (!is_pdi(pdi) || !set_has(&sw_of_gpus, pdi)) {
			snprintf(why, whylen,
			         "NVSwitch %zu: device_pdi %s is none of the "
			         "switches the GPUs link",
			         i, is_pdi(pdi) ? pdi : "(malformed)");
			return TP_ERR_gpu_topology_mismatch;
		}
		if (set_has(&seen_sw, pdi)) {
			snprintf(why, whylen,
			         "NVSwitch %zu: device_pdi %s twice", i, pdi);
			return TP_ERR_gpu_topology_mismatch;
		}
		(void)set_add(&seen_sw, pdi);
		if (!pdis_of(json_object_get(switches[i], "switch_gpu_pdis"),
		             false, &s) ||
		    s.n != GPU_TOPOLOGY_GPUS) {
			snprintf(why, whylen,
			         "NVSwitch %zu: switch_gpu_pdis: want %d "
			         "distinct GPU PDIs",
			         i, GPU_TOPOLOGY_GPUS);
			return TP_ERR_gpu_topology_mismatch;
		}
		if (i == 0)
			gpus_of_sw = s;
		else if (!set_equal(&gpus_of_sw, &s)) {
			snprintf(
			        why, whylen,
			        "NVSwitch %zu links other GPUs than NVSwitch 0",
			        i);
			return TP_ERR_gpu_topology_mismatch;
		}
	}
	return TP_ERR_none;
}

/* Adds device claims C to the GPU or the switch list; false when a list
 * is full (more devices than a PPCIe machine has). */
static bool
collect(const json_t *c, const json_t **g, size_t *ng, const json_t **sw,
        size_t *nsw)
{
	const char *kind = json_string_value(json_object_get(c, "device_kind"));

	if (kind != NULL && strcmp(kind, "nvswitch") == 0) {
		if (*nsw >= GPU_TOPOLOGY_SWITCHES)
			return false;
		sw[(*nsw)++] = c;
	} else {
		if (*ng >= GPU_TOPOLOGY_GPUS)
			return false;
		g[(*ng)++] = c;
	}
	return true;
}

void
gpu_topology_appraise(struct verdict *v)
{
	const json_t *g[GPU_TOPOLOGY_GPUS], *sw[GPU_TOPOLOGY_SWITCHES];
	size_t ng = 0, nsw = 0, over = 0;
	const char *name, *k;
	json_t *sm, *c, *x;
	char why[160];
	enum tp_err e;

	json_object_foreach(v->submods, name, sm)
	{
		if (strncmp(name, "gpu", 3) != 0)
			continue;
		c = json_object_get(sm, "claims");
		if (json_is_object(json_object_get(c, "gpus"))) {
			json_object_foreach(json_object_get(c, "gpus"), k, x)
			{
				if (!collect(x, g, &ng, sw, &nsw))
					over++;
			}
		} else if (c != NULL && !collect(c, g, &ng, sw, &nsw)) {
			over++;
		}
	}
	if (nsw == 0)
		return;
	if (over > 0) {
		verdict_fail(v, "gpu_topology", TP_ERR_gpu_topology_mismatch,
		             "more than %d GPUs and %d NVSwitches",
		             GPU_TOPOLOGY_GPUS, GPU_TOPOLOGY_SWITCHES);
		return;
	}
	e = gpu_topology_check(g, ng, sw, nsw, why, sizeof(why));
	if (e == TP_ERR_none)
		verdict_pass(v, "gpu_topology");
	else
		verdict_fail(v, "gpu_topology", e, "%s", why);
}
