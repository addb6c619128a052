/*
 * NVIDIA NVSwitch (LS10) evidence (issue 18, "NVSwitch ... where the
 * formats are public"): the real sample of tests/data/nvidia/
 * nvsdk_nvswitch_ls10 (NVIDIA attestation SDK test data, see
 * PROVENANCE.md). An NVSwitch is attested as a GPU is — SPDM
 * GET_MEASUREMENTS signed by its FSP FMC leaf, the chain to the pinned
 * NVIDIA Device Identity CA — but its report carries no FWID and its
 * opaque data describes its ports and the GPUs on its links; its golden
 * values are one BIOS RIM. Expected values come from NVIDIA's own parse
 * of the same report and NVIDIA's claims for it (expected_*.json), never
 * from teepass output.
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

#include "common/codec.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/test_verdict.h"

#define SW  NV "nvsdk_nvswitch_ls10/"
#define RIM SW "rims/NV_SWITCH_BIOS_5612_0002_890_9610550001.xml"
/* Inside the RIM signer's validity (L4 LS10 signer from 2026-05-20);
 * the report itself carries no time (it is bound by its nonce). */
#define AT_RIM 1780272000 /* 2026-06-01T00:00:00Z */

static uint8_t *
read_text(const char *path, size_t *n)
{
	return tu_read_file(path, n);
}

/* "0x…" of NVIDIA's parse, lower-case without the prefix. */
static const char *
hex0x(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	assert_non_null(s);
	assert_true(strncmp(s, "0x", 2) == 0);
	return s + 2;
}

static void
run_sw(const char *evidence, const char *rim, int64_t at, struct verdict *v)
{
	struct gpu_case c = {0};
	size_t len;
	uint8_t *ev = read_text(evidence, &len);

	c.ev = ev;
	c.len = len;
	c.path = rim;
	c.now = at;
	gpu_run(&c, v);
	free(ev);
}

static void
test_real_switch_with_rim(void **state)
{
	json_t *parsed =
	        json_load_file(SW "expected_spdm_parsed.json", 0, NULL);
	json_t *nvdoc =
	        json_load_file(SW "expected_claims_nvsdk.json", 0, NULL);
	json_t *nv = json_object_get(nvdoc, "SWITCH-0");
	json_t *blocks, *od, *meas, *b, *pdis;
	const char *k;
	struct verdict v;
	size_t i;

	(void)state;
	assert_non_null(parsed);
	assert_non_null(nv);
	run_sw(SW "evidence.json", RIM, AT_RIM, &v);
	if (!verdict_valid(&v))
		dump_errors(&v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	/* One BIOS RIM is all of a switch's golden values: affirming. */
	assert_false(v.warning);
	assert_int_equal(v.measurements_valid, TP_TRUE);
	assert_string_equal(claim_s(&v, "device_kind"), "nvswitch");
	assert_string_equal(claim_s(&v, "gpu_arch"), "LS10");
	assert_string_equal(claim_s(&v, "rim_coverage"), "bios");
	/* NVIDIA's claims: nonce, BIOS version. */
	assert_string_equal(
	        claim_s(&v, "nonce"),
	        json_string_value(json_object_get(nv, "eat_nonce")));
	assert_string_equal(claim_s(&v, "vbios_version"),
	                    json_string_value(json_object_get(
	                            nv, "x-nvidia-switch-bios-version")));
	/* NVIDIA's parse: every measurement block, the opaque fields. */
	blocks = json_object_get(json_object_get(parsed, "MeasurementRecord"),
	                         "MeasurementBlocks");
	meas = json_object_get(v.claims, "measurements");
	assert_int_equal(json_object_size(meas), json_object_size(blocks));
	assert_int_equal(json_object_size(blocks), 31);
	json_object_foreach(blocks, k, b)
	{
		assert_string_equal(json_string_value(json_object_get(meas, k)),
		                    hex0x(b, "DMTFSpecMeasurementValue"));
	}
	assert_string_equal(claim_s(&v, "responder_nonce"),
	                    hex0x(parsed, "Nonce"));
	od = json_object_get(json_object_get(parsed, "OpaqueData"),
	                     "OpaqueDataField");
	assert_string_equal(claim_s(&v, "device_pdi"),
	                    hex0x(od, "OPAQUE_FIELD_ID_DEVICE_PDI"));
	assert_string_equal(claim_s(&v, "switch_position_id"),
	                    hex0x(od, "OPAQUE_FIELD_ID_SWITCH_POSITION_ID"));
	assert_string_equal(claim_s(&v, "switch_lock_status"),
	                    hex0x(od, "OPAQUE_FIELD_ID_SWITCH_LOCK_STATUS"));
	pdis = json_object_get(v.claims, "switch_gpu_pdis");
	assert_int_equal(json_array_size(pdis), 8);
	for (i = 0; i < 8; i++) {
		json_t *want = json_array_get(
		        json_object_get(od, "OPAQUE_FIELD_ID_SWITCH_GPU_PDIS"),
		        i);
		assert_string_equal(json_string_value(json_array_get(pdis, i)),
		                    json_string_value(want) + 2);
	}
	{
		json_t *ports =
		        json_object_get(od, "OPAQUE_FIELD_ID_SWITCH_PORT");
		char want[256] = "";
		assert_int_equal(json_array_size(ports), 64);
		for (i = 0; i < 64; i++)
			strcat(want,
			       json_string_value(json_array_get(ports, i)) + 2);
		assert_string_equal(claim_s(&v, "switch_ports"), want);
	}
	/* No FWID in a switch report: no FWID check and no FWID claim. */
	assert_null(json_object_get(v.claims, "fwid"));
	for (i = 0; i < json_array_size(v.checks); i++)
		assert_string_not_equal(
		        json_string_value(json_object_get(
		                json_array_get(v.checks, i), "check")),
		        "gpu_fwid");
	verdict_free(&v);
	json_decref(parsed);
	json_decref(nvdoc);
}

static void
test_switch_without_rim_is_warning(void **state)
{
	struct verdict v;

	(void)state;
	run_sw(SW "evidence.json", NULL, AT_RIM, &v);
	assert_true(verdict_valid(&v));
	/* Signature and chain alone: nothing said what it should measure. */
	assert_true(v.warning);
	verdict_free(&v);
}

/* NVIDIA's altered samples: each refused for its own reason. */
static void
test_switch_refusals(void **state)
{
	struct verdict v;
	size_t n, bn;
	uint8_t *doc = read_text(SW "evidence.json", &n);
	uint8_t *bad = read_text(SW "spdm_invalid_signature.bin", &bn);
	json_t *j = json_loadb((const char *)doc, n, 0, NULL);
	char *b64 = codec_base64_encode(bad, bn), *text;
	struct gpu_case c = {0};

	(void)state;
	/* The report with NVIDIA's invalid signature, in the same JSON. */
	json_object_set_new(json_array_get(j, 0), "evidence", json_string(b64));
	text = json_dumps(j, 0);
	c.ev = (const uint8_t *)text;
	c.len = strlen(text);
	c.path = RIM;
	c.now = AT_RIM;
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "spdm_signature_invalid");
	verdict_free(&v);

	run_sw(SW "evidence.json", SW "rims/measurement_mismatch.xml", AT_RIM,
	       &v);
	assert_false(verdict_valid(&v));
	assert_int_equal(v.measurements_valid, TP_FALSE);
	verdict_free(&v);

	/* (Its signer is the earlier L4 certificate, 2024-05-20..2026-05-20:
	 * checked while that was valid. NVIDIA altered its golden values, so
	 * the digest over them fails first.) */
	run_sw(SW "evidence.json", SW "rims/invalid_signature.xml",
	       AT_RIM - 30 * 86400, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "rim_signature_invalid");
	verdict_free(&v);

	/* Before its signer's certificate was valid, the RIM vouches for
	 * nothing. */
	run_sw(SW "evidence.json", RIM, AT_RIM - 30 * 86400, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "certificate_expired");
	verdict_free(&v);

	/* NVIDIA's "multi switch" sample is one switch four times. */
	run_sw(SW "multi_switch_ls10.json", RIM, AT_RIM, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "gpu_duplicate_device");
	verdict_free(&v);

	free(text);
	free(b64);
	json_decref(j);
	free(bad);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_real_switch_with_rim),
	        cmocka_unit_test(test_switch_without_rim_is_warning),
	        cmocka_unit_test(test_switch_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
