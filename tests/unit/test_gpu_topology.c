/*
 * The GPU <-> NVSwitch topology check of a protected-PCIe HGX machine
 * (verify/nvidia/gpu_topology.h, issue 18) on NVIDIA's public PPCIe
 * sample: the 8 H100 and 4 LS10 evidences of tests/data/nvidia/
 * nvtrust_ppcie_hgx_590 (PROVENANCE.md), which NVIDIA's PPCIe verifier
 * test (test_successful_*_ppcie_attestation_with_file_evidence) expects
 * to attest successfully, topology check included. Both lists are
 * verified here first (signatures, chains); the check runs on the claims
 * teepass extracts. Every refusal is made from that real data by leaving
 * out, repeating or swapping real devices, or by changing one claim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_gpu_util.h"
#include "tests/unit/test_verdict.h"
#include "verify/nvidia/gpu_topology.h"

#define PP NV "nvtrust_ppcie_hgx_590/"
/* Inside the device chains' validity; the reports carry no time. */
#define AT 1769904000 /* 2026-02-01T00:00:00Z */

static json_t *gpu_claims[GPU_TOPOLOGY_GPUS];
static json_t *sw_claims[GPU_TOPOLOGY_SWITCHES];
static json_t *other_gpu; /* an H100 of another machine, not PPCIe */
static json_t *same_gpu0; /* GPU 0, from another NVIDIA sample */

/* Verifies the SDK evidence list at PATH; copies each device's claims
 * into OUT (want N of them). */
static void
load_list(const char *path, json_t **out, size_t n)
{
	struct gpu_case c = {0};
	struct verdict v;
	size_t len;
	uint8_t *ev = tu_read_file(path, &len);
	json_t *gpus;

	assert_non_null(ev);
	c.ev = ev;
	c.len = len;
	c.now = AT;
	gpu_run(&c, &v);
	if (!verdict_valid(&v))
		dump_errors(&v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	gpus = json_object_get(v.claims, "gpus");
	assert_int_equal(json_object_size(gpus), n);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "GPU-%zu", i);
		out[i] = json_deep_copy(json_object_get(gpus, name));
		assert_non_null(out[i]);
	}
	verdict_free(&v);
	free(ev);
}

/* Verifies the raw SPDM report of DIR with its chain as collateral; its
 * claims. */
static json_t *
load_single(const char *dir)
{
	struct gpu_case c = {0};
	struct verdict v;
	char path[256];
	size_t len, plen;
	uint8_t *ev, *pem;
	json_t *claims;

	snprintf(path, sizeof(path), "%sspdm_report.bin", dir);
	ev = tu_read_file(path, &len);
	snprintf(path, sizeof(path), "%scert_chain.pem", dir);
	pem = tu_read_file(path, &plen);
	assert_non_null(ev);
	assert_non_null(pem);
	c.collateral = json_pack("{s:s%}", "cert_chain", (char *)pem, plen);
	c.ev = ev;
	c.len = len;
	c.now = AT;
	gpu_run(&c, &v);
	if (!verdict_valid(&v))
		dump_errors(&v);
	assert_true(verdict_valid(&v));
	claims = json_deep_copy(v.claims);
	verdict_free(&v);
	json_decref(c.collateral);
	free(ev);
	free(pem);
	return claims;
}

static int
setup(void **state)
{
	json_t *one[4];

	(void)state;
	load_list(PP "gpu_evidence.json", gpu_claims, GPU_TOPOLOGY_GPUS);
	load_list(PP "switch_evidence.json", sw_claims, GPU_TOPOLOGY_SWITCHES);
	/* NVIDIA's other Hopper samples are GPUs of this same machine
	 * (their BROM serials are among the eight): GPU 0 again. */
	load_list(NV "nvsdk_multi_gpu_hopper/multi_gpu_hopper.json", one, 4);
	same_gpu0 = one[0];
	for (int i = 1; i < 4; i++)
		json_decref(one[i]);
	other_gpu = load_single(NV "nvtrust_sample_h100/");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < GPU_TOPOLOGY_GPUS; i++)
		json_decref(gpu_claims[i]);
	for (size_t i = 0; i < GPU_TOPOLOGY_SWITCHES; i++)
		json_decref(sw_claims[i]);
	json_decref(other_gpu);
	json_decref(same_gpu0);
	return 0;
}

static enum tp_err
check(json_t **g, size_t ng, json_t **s, size_t ns, char *why)
{
	return gpu_topology_check((const json_t *const *)g, ng,
	                          (const json_t *const *)s, ns, why, 256);
}

/* NVIDIA's expected result for its sample: the topology holds. */
static void
test_real_hgx_topology(void **state)
{
	char why[256] = "";

	(void)state;
	for (size_t i = 0; i < GPU_TOPOLOGY_SWITCHES; i++)
		assert_string_equal(json_string_value(json_object_get(
		                            sw_claims[i], "device_kind")),
		                    "nvswitch");
	/* Each GPU reports its switch on every NVLink (18 on H100). */
	for (size_t i = 0; i < GPU_TOPOLOGY_GPUS; i++)
		assert_int_equal(json_array_size(json_object_get(
		                         gpu_claims[i], "switch_pdis")),
		                 18);
	assert_int_equal(check(gpu_claims, GPU_TOPOLOGY_GPUS, sw_claims,
	                       GPU_TOPOLOGY_SWITCHES, why),
	                 TP_ERR_none);
	/* Any order of the devices. */
	{
		json_t *g[GPU_TOPOLOGY_GPUS], *s[GPU_TOPOLOGY_SWITCHES];
		for (size_t i = 0; i < GPU_TOPOLOGY_GPUS; i++)
			g[i] = gpu_claims[GPU_TOPOLOGY_GPUS - 1 - i];
		for (size_t i = 0; i < GPU_TOPOLOGY_SWITCHES; i++)
			s[i] = sw_claims[(i + 1) % GPU_TOPOLOGY_SWITCHES];
		assert_int_equal(check(g, GPU_TOPOLOGY_GPUS, s,
		                       GPU_TOPOLOGY_SWITCHES, why),
		                 TP_ERR_none);
	}
}

static void
test_counts(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(check(gpu_claims, 7, sw_claims, 4, why),
	                 TP_ERR_gpu_topology_mismatch);
	assert_non_null(strstr(why, "have 7 and 4"));
	assert_int_equal(check(gpu_claims, 8, sw_claims, 3, why),
	                 TP_ERR_gpu_topology_mismatch);
	assert_int_equal(check(gpu_claims, 0, sw_claims, 0, why),
	                 TP_ERR_gpu_topology_mismatch);
}

/* A GPU of another machine (not in PPCIe mode: no switch PDIs), and one
 * switch twice in place of another. */
static void
test_foreign_or_repeated_devices(void **state)
{
	json_t *g[GPU_TOPOLOGY_GPUS], *s[GPU_TOPOLOGY_SWITCHES];
	char why[256];

	(void)state;
	memcpy(g, gpu_claims, sizeof(g));
	memcpy(s, sw_claims, sizeof(s));
	assert_null(json_object_get(other_gpu, "switch_pdis"));
	g[5] = other_gpu;
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_gpu_topology_mismatch);
	assert_non_null(strstr(why, "GPU 5"));
	/* GPU 0's own report in GPU 5's place: the right switches, but
	 * seven GPUs. */
	assert_string_equal(
	        json_string_value(json_object_get(same_gpu0, "device_id")),
	        json_string_value(json_object_get(gpu_claims[0], "device_id")));
	g[5] = same_gpu0;
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_gpu_topology_mismatch);
	assert_non_null(strstr(why, "GPU 5 is GPU 0 again"));
	memcpy(g, gpu_claims, sizeof(g));
	s[3] = sw_claims[0];
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_gpu_topology_mismatch);
	assert_non_null(strstr(why, "twice"));
}

/* One claim changed at a time: a GPU that links another switch, a
 * switch the GPUs do not link, a switch that links another GPU. */
static void
test_one_claim_changed(void **state)
{
	json_t *g[GPU_TOPOLOGY_GPUS], *s[GPU_TOPOLOGY_SWITCHES], *x;
	char why[256], pdi[17];

	(void)state;
	memcpy(g, gpu_claims, sizeof(g));
	memcpy(s, sw_claims, sizeof(s));
	x = json_deep_copy(gpu_claims[2]);
	json_array_set_new(json_object_get(x, "switch_pdis"), 0,
	                   json_string("0123456789abcdef"));
	g[2] = x;
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_gpu_topology_mismatch);
	assert_non_null(strstr(why, "GPU 2"));
	json_decref(x);
	g[2] = gpu_claims[2];

	/* A disabled link (zero PDI) is left out, as NVIDIA does. */
	x = json_deep_copy(gpu_claims[2]);
	json_array_set_new(json_object_get(x, "switch_pdis"), 0,
	                   json_string("0000000000000000"));
	g[2] = x;
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_none);
	json_decref(x);
	g[2] = gpu_claims[2];

	x = json_deep_copy(sw_claims[1]);
	snprintf(pdi, sizeof(pdi), "%s",
	         json_string_value(json_object_get(x, "device_pdi")));
	pdi[15] = pdi[15] == '0' ? '1' : '0';
	json_object_set_new(x, "device_pdi", json_string(pdi));
	s[1] = x;
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_gpu_topology_mismatch);
	assert_non_null(strstr(why, "NVSwitch 1"));
	json_decref(x);
	s[1] = sw_claims[1];

	x = json_deep_copy(sw_claims[3]);
	json_array_set_new(json_object_get(x, "switch_gpu_pdis"), 4,
	                   json_string("0123456789abcdef"));
	s[3] = x;
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_gpu_topology_mismatch);
	assert_non_null(strstr(why, "NVSwitch 3 links other GPUs"));
	/* The same GPU twice in a switch's list: 7 distinct. */
	json_array_set(
	        json_object_get(x, "switch_gpu_pdis"), 4,
	        json_array_get(json_object_get(x, "switch_gpu_pdis"), 5));
	assert_int_equal(check(g, 8, s, 4, why), TP_ERR_gpu_topology_mismatch);
	json_decref(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_real_hgx_topology),
	        cmocka_unit_test(test_counts),
	        cmocka_unit_test(test_foreign_or_repeated_devices),
	        cmocka_unit_test(test_one_claim_changed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
