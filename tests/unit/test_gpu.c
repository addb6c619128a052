/* NVIDIA GPU local SPDM verification: every sample of
 * tests/data/nvidia against its MANIFEST, the trustee claims file, and
 * hostile variants made at test time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "verify/core/ecdsa.h"
#include "test_gpu_manifest.h"
#include "test_gpu_util.h"

/* Layout of the nvtrust sample per MANIFEST + DSP0274 1.1: request 37
 * bytes, response header 8, 64 blocks of 55, nonce 32, opaque length 2,
 * opaque 422, signature 96 = 4117 bytes. */
#define REQ_LEN     37
#define RSP_AT      REQ_LEN
#define REC_AT      (RSP_AT + 8)
#define RNONCE_AT   (REC_AT + 64 * 55)
#define OPAQUE_L_AT (RNONCE_AT + 32)
#define OPAQUE_AT   (OPAQUE_L_AT + 2)
#define SIG_AT      (OPAQUE_AT + 422)

static const struct manifest_gpu *
manifest(const char *dir)
{
	for (size_t i = 0; i < sizeof(manifest_gpus) / sizeof(manifest_gpus[0]);
	     i++)
		if (strcmp(manifest_gpus[i].dir, dir) == 0)
			return &manifest_gpus[i];
	abort();
}

/* Every MANIFEST value of one GPU against the flat claims C. */
static void
check_manifest_claims(const struct manifest_gpu *m, json_t *c)
{
	json_t *meas = json_object_get(c, "measurements");
	const char *k;
	json_t *val;
	int nonzero = 0;

	assert_string_equal(json_string_value(json_object_get(c, "nonce")),
	                    m->req_nonce);
	assert_string_equal(
	        json_string_value(json_object_get(c, "responder_nonce")),
	        m->rsp_nonce);
	assert_string_equal(
	        json_string_value(json_object_get(c, "driver_version")),
	        m->driver);
	assert_string_equal(
	        json_string_value(json_object_get(c, "vbios_version")),
	        m->vbios);
	assert_string_equal(json_string_value(json_object_get(c, "project")),
	                    m->project);
	assert_string_equal(
	        json_string_value(json_object_get(c, "project_sku")),
	        m->project_sku);
	assert_string_equal(json_string_value(json_object_get(c, "chip_sku")),
	                    m->chip_sku);
	assert_string_equal(json_string_value(json_object_get(c, "fwid")),
	                    m->fwid);
	assert_string_equal(json_string_value(json_object_get(c, "gpu_arch")),
	                    "Hopper");
	/* MANIFEST: SPDM version 0x11 */
	assert_string_equal(
	        json_string_value(json_object_get(c, "spdm_version")), "1.1");
	assert_int_equal(json_integer_value(
	                         json_object_get(c, "measurement_block_count")),
	                 64);
	assert_int_equal(json_object_size(meas), 64);
	for (int i = 0; i < m->n_nonzero; i++) {
		char key[8];
		snprintf(key, sizeof(key), "%d", m->nonzero[i].index);
		assert_string_equal(
		        json_string_value(json_object_get(meas, key)),
		        m->nonzero[i].sha384);
	}
	/* "all other blocks are 48 zero bytes" */
	json_object_foreach(meas, k, val)
	{
		const char *h = json_string_value(val);
		assert_int_equal(strlen(h), 96);
		if (strspn(h, "0") != 96)
			nonzero++;
	}
	assert_int_equal(nonzero, m->n_nonzero);
}

static void
verify_dir(const char *dir, struct verdict *v)
{
	char path[256], cpath[256];
	size_t len;
	uint8_t *ev;
	struct gpu_case c = {0};

	snprintf(path, sizeof(path), NV "%s/spdm_report.bin", dir);
	snprintf(cpath, sizeof(cpath), NV "%s", dir);
	ev = tu_read_file(path, &len);
	c.ev = ev;
	c.len = len;
	c.path = cpath;
	gpu_run(&c, v);
	free(ev);
}

static void
assert_valid(struct verdict *v)
{
	if (!verdict_valid(v))
		dump_errors(v);
	assert_true(verdict_valid(v));
}

static void
test_samples_raw(void **state)
{
	static const char *dirs[] = {"nvtrust_sample_h100",
	                             "teep_tinfoil_h100_nras_20260629",
	                             "trustee_coco_h100_trailing_byte"};

	for (size_t i = 0; i < 3; i++) {
		struct verdict v;
		verify_dir(dirs[i], &v);
		assert_valid(&v);
		assert_int_equal(v.signature_valid, TP_TRUE);
		assert_int_equal(v.certificate_chain_valid, TP_TRUE);
		/* No RIM, no reference values: valid, "warning", null. */
		assert_int_equal(v.measurements_valid, TP_NULL);
		assert_string_equal(verdict_status(&v), "warning");
		assert_true(v.hardware_verified);
		check_manifest_claims(manifest(dirs[i]), v.claims);
		assert_string_equal(claim_s(&v, "ocsp_status"), "unchecked");
		assert_int_equal(v.n_bindings, 1);
		assert_string_equal(v.bindings[0].name, "nonce");
		assert_int_equal(v.bindings[0].len, 32);
		verdict_free(&v);
	}
}

/* The trailing-byte sample: the signature sits after the opaque data and
 * one unsigned byte follows it (MANIFEST); flipping that byte changes
 * nothing signed, so the verdict stays valid. */
static void
test_trailing_byte(void **state)
{
	struct verdict v;
	size_t len;
	uint8_t *ev = tu_read_file(
	        NV "trustee_coco_h100_trailing_byte/spdm_report.bin", &len);
	struct gpu_case c = {.ev = ev,
	                     .len = len,
	                     .path = NV "trustee_coco_h100_trailing_byte"};

	assert_int_equal(len, 4130);
	gpu_run(&c, &v);
	assert_valid(&v);
	assert_int_equal(json_integer_value(json_object_get(
	                         v.claims, "spdm_trailing_bytes")),
	                 1);
	verdict_free(&v);
	/* Origin test's expected report data: nonce = its first 32 bytes. */
	uint8_t rd[48];
	assert_true(codec_hex_decode_fixed(
	        "87d8e24ab336adafe228d49e83d745f6dba4ae505372b6a5704820856b343f"
	        "ece279b616efefc2aae21da80cf5581250",
	        rd, 48));
	c.nonce = rd;
	c.nonce_len = 32;
	ev[len - 1] ^= 0xFF;
	gpu_run(&c, &v);
	assert_valid(&v);
	verdict_free(&v);
	/* Dropping the trailing byte is fine too; dropping one more is a
	 * truncated signature. */
	c.len = len - 1;
	gpu_run(&c, &v);
	assert_valid(&v);
	verdict_free(&v);
	c.len = len - 2;
	gpu_run(&c, &v);
	assert_string_equal(first_code(&v), "spdm_parse_error");
	verdict_free(&v);
	free(ev);
}

static void
test_trustee_claims(void **state)
{
	json_t *want = json_load_file(
	        NV "nvtrust_sample_h100/expected_claims_trustee.json", 0, NULL);
	json_t *cfg = json_object_get(want, "config"), *wm, *val;
	struct verdict v;
	const char *k;

	assert_non_null(want);
	verify_dir("nvtrust_sample_h100", &v);
	assert_valid(&v);
	assert_string_equal(json_string_value(json_object_get(want, "arch")),
	                    claim_s(&v, "gpu_arch"));
	/* config: every field by name. vbios_version: trustee lower-cases
	 * it, NVIDIA (and teepass, like the RIMs' colloquialVersion) writes
	 * upper-case hex; compared case-insensitively. */
	json_object_foreach(cfg, k, val)
	{
		json_t *have = json_object_get(v.claims, k);
		if (have == NULL)
			fail_msg("trustee config.%s missing from claims", k);
		if (strcmp(k, "vbios_version") == 0)
			assert_int_equal(strcasecmp(json_string_value(val),
			                            json_string_value(have)),
			                 0);
		else if (!json_equal(val, have))
			fail_msg("trustee config.%s differs", k);
	}
	wm = json_object_get(want, "measurements");
	assert_int_equal(json_object_size(wm), 64);
	assert_true(json_equal(wm, json_object_get(v.claims, "measurements")));
	/* trustee's "uuid" is a placeholder its test passes in
	 * ("1111-2222-33333-444444-555555"); the evidence has no uuid. */
	assert_int_equal(json_object_size(want), 4);
	verdict_free(&v);
	json_decref(want);
}

static void
test_sdk_json(void **state)
{
	size_t len;
	uint8_t *ev = tu_read_file(
	        NV "nvsdk_hopper_evidence_590/hopper_evidence.json", &len);
	struct gpu_case c = {.ev = ev, .len = len};
	struct verdict v;

	assert_true(gpu_detect(ev, len));
	gpu_run(&c, &v);
	assert_valid(&v);
	check_manifest_claims(manifest("nvsdk_hopper_evidence_590"), v.claims);
	verdict_free(&v);
	/* Without the embedded chain, from the collateral file instead:
	 * the SDK sample's own chain, written out at test time. */
	{
		json_t *doc = json_loadb((char *)ev, len, 0, NULL);
		json_t *o = json_array_get(doc, 0);
		const char *b64 =
		        json_string_value(json_object_get(o, "certificate"));
		uint8_t *pem;
		size_t pl;
		char tmp[] = "/tmp/teepass_gpu_chain_XXXXXX", *text;
		int fd = mkstemp(tmp);
		assert_true(codec_base64_decode(b64, strlen(b64), &pem, &pl));
		assert_int_equal(write(fd, pem, pl), (ssize_t)pl);
		close(fd);
		json_object_del(o, "certificate");
		text = json_dumps(doc, 0);
		assert_true(gpu_detect((uint8_t *)text, strlen(text)));
		struct gpu_case c2 = {.ev = (uint8_t *)text,
		                      .len = strlen(text),
		                      .path = tmp};
		gpu_run(&c2, &v);
		assert_valid(&v);
		verdict_free(&v);
		c2.path = NULL;
		gpu_run(&c2, &v);
		assert_string_equal(first_code(&v), "gpu_cert_chain_missing");
		verdict_free(&v);
		unlink(tmp);
		free(text);
		free(pem);
		json_decref(doc);
	}
	/* A stated nonce that is not the signed one. */
	char *p = strstr((char *)ev, "e97b23a1718095a0");
	assert_non_null(p);
	p[0] = 'f';
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_gpu_nonce_mismatch));
	verdict_free(&v);
	free(ev);
}

static void
test_nras_request_json(void **state)
{
	size_t len;
	uint8_t *ev = tu_read_file(
	        NV "teep_tinfoil_h100_nras_20260629/nras_request.json", &len);
	struct gpu_case c = {.ev = ev, .len = len};
	struct verdict v;

	assert_true(gpu_detect(ev, len));
	gpu_run(&c, &v);
	assert_valid(&v);
	check_manifest_claims(manifest("teep_tinfoil_h100_nras_20260629"),
	                      v.claims);
	verdict_free(&v);
	free(ev);
}

/* Two GPUs in one SDK JSON array: the H200-class SDK sample and the
 * Tinfoil H100, each with its own chain and nonce. */
static void
test_two_gpus(void **state)
{
	json_t *a = json_load_file(NV "nvsdk_hopper_evidence_590/"
	                              "hopper_evidence.json",
	                           0, NULL);
	json_t *b = json_load_file(NV "teep_tinfoil_h100_nras_20260629/"
	                              "nras_request.json",
	                           0, NULL);
	json_t *second = json_deep_copy(
	        json_array_get(json_object_get(b, "evidence_list"), 0));
	json_t *gpus;
	struct verdict v;
	char *text;

	json_object_set(second, "nonce", json_object_get(b, "nonce"));
	json_array_append_new(a, second);
	text = json_dumps(a, 0);
	struct gpu_case c = {.ev = (uint8_t *)text, .len = strlen(text)};
	gpu_run(&c, &v);
	assert_valid(&v);
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "gpu_count")), 2);
	gpus = json_object_get(v.claims, "gpus");
	check_manifest_claims(manifest("nvsdk_hopper_evidence_590"),
	                      json_object_get(gpus, "GPU-0"));
	check_manifest_claims(manifest("teep_tinfoil_h100_nras_20260629"),
	                      json_object_get(gpus, "GPU-1"));
	assert_int_equal(v.n_bindings, 2);
	verdict_free(&v);
	free(text);
	/* GPU 1 carrying GPU 0's evidence under its own chain. */
	json_object_set(second, "evidence",
	                json_object_get(json_array_get(a, 0), "evidence"));
	text = json_dumps(a, 0);
	c.ev = (uint8_t *)text;
	c.len = strlen(text);
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "spdm_signature_invalid");
	{
		char *checks = json_dumps(v.checks, 0);
		assert_non_null(strstr(checks, "gpu1.spdm_signature"));
		free(checks);
	}
	verdict_free(&v);
	free(text);
	json_decref(a);
	json_decref(b);
}

static void
test_chain_missing(void **state)
{
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	struct gpu_case c = {.ev = ev, .len = len};
	struct verdict v;

	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "gpu_cert_chain_missing");
	assert_int_equal(v.certificate_chain_valid, TP_FALSE);
	assert_int_not_equal(v.signature_valid, TP_TRUE);
	verdict_free(&v);
	free(ev);
}

/* The chain from the layout `teepass collateral export` writes
 * (DIR/nvidia_device_chain/<name>.pem), through load_path. */
static void
test_chain_from_export_layout(void **state)
{
	size_t len, plen;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	uint8_t *pem =
	        tu_read_file(NV "nvtrust_sample_h100/cert_chain.pem", &plen);
	char dir[] = "/tmp/teepass_gpu_export_XXXXXX", sub[128], file[160];
	struct gpu_case c = {.ev = ev, .len = len};
	struct verdict v;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/nvidia_device_chain", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/chain.pem", sub);
	assert_non_null(f = fopen(file, "wb"));
	assert_int_equal(fwrite(pem, 1, plen, f), plen);
	fclose(f);
	c.path = dir;
	gpu_run(&c, &v);
	assert_valid(&v);
	verdict_free(&v);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
	free(pem);
	free(ev);
}

static void
test_chain_from_collateral_json(void **state)
{
	size_t len, plen;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	uint8_t *pem =
	        tu_read_file(NV "nvtrust_sample_h100/cert_chain.pem", &plen);
	json_t *coll = json_pack("{s:s}", "cert_chain", (char *)pem);
	struct gpu_case c = {.ev = ev, .len = len, .collateral = coll};
	struct verdict v;

	gpu_run(&c, &v);
	assert_valid(&v);
	verdict_free(&v);
	/* Another GPU's chain: the FMC leaf key does not verify. */
	free(pem);
	pem = tu_read_file(NV "trustee_coco_h100_trailing_byte/cert_chain.pem",
	                   &plen);
	json_object_set_new(coll, "cert_chain", json_string((char *)pem));
	gpu_run(&c, &v);
	assert_string_equal(first_code(&v), "spdm_signature_invalid");
	verdict_free(&v);
	/* A chain member that is no string: named as malformed, not as
	 * missing. */
	json_object_set_new(coll, "cert_chain", json_integer(5));
	gpu_run(&c, &v);
	assert_string_equal(first_code(&v), "gpu_cert_chain_malformed");
	verdict_free(&v);
	json_decref(coll);
	free(pem);
	/* A RIM member that is no string: rim_invalid. */
	pem = tu_read_file(NV "nvtrust_sample_h100/cert_chain.pem", &plen);
	coll = json_pack("{s:s, s:[i]}", "cert_chain", (char *)pem, "rims", 5);
	c.collateral = coll;
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_rim_invalid));
	verdict_free(&v);
	json_decref(coll);
	free(pem);
	free(ev);
}

static void
test_reference_values(void **state)
{
	const struct manifest_gpu *m = manifest("nvtrust_sample_h100");
	json_t *exp =
	        json_pack("{s:{s:s, s:s}}", "runtime", "measurement_2",
	                  m->nonzero[0].sha384, "driver_version", "550.90.07");
	struct verdict v;
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	struct gpu_case c = {.ev = ev,
	                     .len = len,
	                     .path = NV "nvtrust_sample_h100",
	                     .expected = exp};

	assert_int_equal(m->nonzero[0].index, 2);
	gpu_run(&c, &v);
	assert_valid(&v);
	assert_int_equal(v.measurements_valid, TP_TRUE);
	assert_string_equal(verdict_status(&v), "affirming");
	verdict_free(&v);
	/* Block 3's value expected for block 2. */
	json_object_set_new(json_object_get(exp, "runtime"), "measurement_2",
	                    json_string(m->nonzero[1].sha384));
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_measurement_mismatch));
	assert_int_equal(v.measurements_valid, TP_FALSE);
	verdict_free(&v);
	json_decref(exp);
	free(ev);
}

static void
test_nonce_binding(void **state)
{
	const struct manifest_gpu *m = manifest("nvtrust_sample_h100");
	uint8_t nonce[32];
	struct verdict v;
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	struct gpu_case c = {
	        .ev = ev, .len = len, .path = NV "nvtrust_sample_h100"};

	assert_true(codec_hex_decode_fixed(m->req_nonce, nonce, 32));
	c.nonce = nonce;
	c.nonce_len = 32;
	gpu_run(&c, &v);
	assert_valid(&v);
	verdict_free(&v);
	nonce[31] ^= 1;
	gpu_run(&c, &v);
	assert_true(verdict_has_error(&v, TP_ERR_nonce_not_bound));
	verdict_free(&v);
	free(ev);
}

static void
test_detect(void **state)
{
	size_t len;
	uint8_t *b;

	b = tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	assert_true(gpu_detect(b, len));
	free(b);
	b = tu_read_file(NV "teep_tinfoil_h100_nras_20260629/nras_eat.json",
	                 &len);
	assert_true(gpu_detect(b, len));
	free(b);
	assert_false(gpu_detect((const uint8_t *)"TEEPMOCK", 8));
	assert_false(gpu_detect((const uint8_t *)"\x04\x00\x02\x00", 4));
	assert_false(gpu_detect((const uint8_t *)"{\"a\":1}", 7));
	assert_false(gpu_detect((const uint8_t *)"[1,2]", 5));
	assert_false(gpu_detect((const uint8_t *)"\x11\x60", 2));
	assert_false(gpu_detect((const uint8_t *)"\x11", 1));
}

struct flip {
	size_t off;
	uint8_t x;
	const char *code;
	const char *what;
};

/* One byte of each SPDM field, with the code it must produce. */
static void
test_flip_fields(void **state)
{
	static const struct flip flips[] = {
	        {0, 0xFF, "spdm_unsupported", "request SPDMVersion"},
	        {1, 0xFF, "spdm_unsupported", "request code"},
	        {2, 0x01, "spdm_unsupported", "Param1 signature bit"},
	        {2, 0x02, "spdm_parse_error", "Param1 reserved bit"},
	        {3, 0xFF, "spdm_unsupported", "Param2 count only"},
	        {3, 0x01, "spdm_parse_error", "Param2 one index"},
	        {4, 0x01, "spdm_signature_invalid", "requester nonce[0]"},
	        {35, 0x80, "spdm_signature_invalid", "requester nonce[31]"},
	        {36, 0x08, "spdm_parse_error", "SlotIDParam"},
	        {RSP_AT + 0, 0x03, "spdm_parse_error", "response version"},
	        {RSP_AT + 1, 0x01, "spdm_parse_error", "response code"},
	        {RSP_AT + 2, 0x01, "spdm_signature_invalid", "response Param1"},
	        {RSP_AT + 3, 0x01, "spdm_parse_error", "response Param2 slot"},
	        {RSP_AT + 4, 0x01, "spdm_parse_error", "NumberOfBlocks"},
	        {RSP_AT + 5, 0x01, "spdm_parse_error", "RecordLength lo"},
	        {RSP_AT + 7, 0x01, "spdm_parse_error", "RecordLength hi"},
	        {REC_AT + 0, 0x80, "spdm_signature_invalid", "block Index"},
	        {REC_AT + 0, 0x03, "spdm_parse_error", "block Index repeated"},
	        {REC_AT + 1, 0x03, "spdm_parse_error", "MeasurementSpec"},
	        {REC_AT + 2, 0x01, "spdm_parse_error", "MeasurementSize"},
	        {REC_AT + 4, 0x02, "spdm_signature_invalid", "DMTF value type"},
	        {REC_AT + 5, 0x01, "spdm_parse_error", "DMTF value size"},
	        {REC_AT + 7, 0x01, "spdm_signature_invalid", "block 1 value"},
	        {REC_AT + 55 + 20, 0x10, "spdm_signature_invalid",
	         "block 2 value"},
	        {RNONCE_AT, 0x01, "spdm_signature_invalid", "responder nonce"},
	        {OPAQUE_L_AT + 1, 0xFE, "spdm_parse_error",
	         "OpaqueDataLength > 1024"},
	        {OPAQUE_L_AT + 1, 0x02, "spdm_parse_error",
	         "OpaqueDataLength past the end"},
	        {OPAQUE_AT, 0x01, "spdm_signature_invalid", "opaque TLV type"},
	        {OPAQUE_AT + 2, 0x10, "spdm_parse_error", "opaque TLV length"},
	        {OPAQUE_AT + 4, 0x01, "spdm_signature_invalid",
	         "opaque VBIOS value"},
	        {SIG_AT, 0x01, "spdm_signature_invalid", "signature r[0]"},
	        {SIG_AT + 47, 0x01, "spdm_signature_invalid",
	         "signature r[47]"},
	        {SIG_AT + 48, 0x01, "spdm_signature_invalid", "signature s[0]"},
	        {SIG_AT + 95, 0x01, "spdm_signature_invalid",
	         "signature s[47]"},
	};
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	struct gpu_case c = {
	        .ev = ev, .len = len, .path = NV "nvtrust_sample_h100"};

	assert_int_equal(len, SIG_AT + 96);
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		struct verdict v;
		ev[flips[i].off] ^= flips[i].x;
		gpu_run(&c, &v);
		if (strcmp(first_code(&v), flips[i].code) != 0) {
			dump_errors(&v);
			fail_msg("flip %s (offset %zu): want %s, have %s",
			         flips[i].what, flips[i].off, flips[i].code,
			         first_code(&v));
		}
		assert_false(verdict_valid(&v));
		assert_int_not_equal(v.signature_valid, TP_TRUE);
		verdict_free(&v);
		ev[flips[i].off] ^= flips[i].x;
	}
	free(ev);
}

/* Request and response with another supported version: the parser must
 * refuse 1.0 (no SlotIDParam) and a response version that differs. */
static void
test_versions(void **state)
{
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	struct gpu_case c = {
	        .ev = ev, .len = len, .path = NV "nvtrust_sample_h100"};
	struct verdict v;

	ev[0] = 0x10;
	gpu_run(&c, &v);
	assert_string_equal(first_code(&v), "spdm_unsupported");
	verdict_free(&v);
	ev[0] = 0x12;
	gpu_run(&c, &v);
	assert_string_equal(first_code(&v), "spdm_parse_error");
	verdict_free(&v);
	ev[RSP_AT] = 0x12; /* both 1.2: parses, but the signature breaks */
	gpu_run(&c, &v);
	assert_string_equal(first_code(&v), "spdm_signature_invalid");
	verdict_free(&v);
	free(ev);
}

static void
test_truncation(void **state)
{
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	struct gpu_case c = {.ev = ev, .path = NV "nvtrust_sample_h100"};

	for (size_t n = 1; n < len; n++) {
		struct verdict v;
		/* A fresh copy of exactly N bytes so ASan sees any overread. */
		uint8_t *t = malloc(n);
		memcpy(t, ev, n);
		c.ev = t;
		c.len = n;
		gpu_run(&c, &v);
		if (strcmp(first_code(&v), "spdm_parse_error") != 0)
			fail_msg(
			        "truncated at %zu: want spdm_parse_error, have "
			        "%s",
			        n, first_code(&v));
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		free(t);
	}
	free(ev);
}

/* Chain PEM with certificate IDX's DER byte at OFF_FROM_END flipped. */
static char *
chain_with_flip(const char *path, int idx, size_t off_from_end)
{
	size_t plen;
	uint8_t *pem = tu_read_file(path, &plen);
	BIO *in = BIO_new_mem_buf(pem, (int)plen), *out = BIO_new(BIO_s_mem());
	X509 *x;
	char *res;
	long n;
	int i = 0;

	while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
		uint8_t *der = NULL;
		int dl = i2d_X509(x, &der);
		if (i == idx)
			der[dl - 1 - off_from_end] ^= 0x01;
		/* Raw PEM of the (possibly broken) DER. */
		PEM_write_bio(out, "CERTIFICATE", "", der, dl);
		OPENSSL_free(der);
		X509_free(x);
		i++;
	}
	n = BIO_get_mem_data(out, &res);
	res = strndup(res, (size_t)n);
	BIO_free(in);
	BIO_free(out);
	free(pem);
	return res;
}

static void
test_flip_certificates(void **state)
{
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	json_t *coll = json_object();
	struct gpu_case c = {.ev = ev, .len = len, .collateral = coll};

	for (int idx = 0; idx < 5; idx++) {
		/* 1: inside the signature value; 150: inside the TBS. */
		static const size_t offs[] = {1, 150};
		for (int k = 0; k < 2; k++) {
			struct verdict v;
			char *pem = chain_with_flip(
			        NV "nvtrust_sample_h100/cert_chain.pem", idx,
			        offs[k]);
			json_object_set_new(coll, "cert_chain",
			                    json_string(pem));
			gpu_run(&c, &v);
			assert_false(verdict_valid(&v));
			if (strcmp(first_code(&v),
			           "certificate_chain_invalid") != 0 &&
			    strcmp(first_code(&v),
			           "gpu_cert_chain_malformed") != 0) {
				dump_errors(&v);
				fail_msg("cert %d flip %zu: have %s", idx,
				         offs[k], first_code(&v));
			}
			assert_int_equal(v.certificate_chain_valid, TP_FALSE);
			verdict_free(&v);
			free(pem);
		}
	}
	json_decref(coll);
	free(ev);
}

static EVP_PKEY *
p384_key(void)
{
	return EVP_EC_gen("P-384");
}

static X509 *
make_cert(const char *cn, const char *o, EVP_PKEY *key, X509 *issuer,
          EVP_PKEY *issuer_key, bool ca, X509_EXTENSION *extra)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 7 : 8);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400L * 365 * 10);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365 * 30);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	                           (const unsigned char *)o, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	                          ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage,
	                          ca ? "critical,keyCertSign,cRLSign"
	                             : "critical,digitalSignature");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier,
	                          "hash");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (issuer != NULL) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx,
		                          NID_authority_key_identifier,
		                          "keyid:always");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (extra != NULL)
		X509_add_ext(x, extra, -1);
	X509_sign(x, issuer_key, EVP_sha384());
	X509_NAME_free(name);
	return x;
}

static void
append_pem(BIO *b, X509 *x)
{
	PEM_write_bio_X509(b, x);
}

/* A chain that ends at a look-alike "NVIDIA Device Identity CA" (same
 * name, our key), with a leaf carrying the real FWID extension and
 * evidence re-signed with the leaf key: refused at the chain. */
static void
test_lookalike_root(void **state)
{
	size_t len, plen;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	uint8_t *realpem =
	        tu_read_file(NV "nvtrust_sample_h100/cert_chain.pem", &plen);
	BIO *rb = BIO_new_mem_buf(realpem, (int)plen), *out;
	X509 *real_leaf = PEM_read_bio_X509(rb, NULL, NULL, NULL);
	ASN1_OBJECT *oid = OBJ_txt2obj("2.23.133.5.4.1", 1);
	X509_EXTENSION *fwid_ext = X509_get_ext(
	        real_leaf, X509_get_ext_by_OBJ(real_leaf, oid, -1));
	EVP_PKEY *rk = p384_key(), *lk = p384_key();
	X509 *root = make_cert("NVIDIA Device Identity CA", "NVIDIA", rk, NULL,
	                       rk, true, NULL);
	X509 *leaf = make_cert("GH100 A01 GSP FMC LF", "NVIDIA Corporation", lk,
	                       root, rk, false, fwid_ext);
	json_t *coll = json_object();
	struct gpu_case c = {.ev = ev, .len = len, .collateral = coll};
	struct verdict v;
	char *pem;
	long n;

	/* Re-sign request||response with the forged leaf. */
	assert_true(
	        ecdsa_sign_raw(lk, EVP_sha384(), ev, SIG_AT, ev + SIG_AT, 48));
	assert_true(ecdsa_verify_raw(lk, EVP_sha384(), ev, SIG_AT, ev + SIG_AT,
	                             ev + SIG_AT + 48, 48));
	/* leaf + look-alike root */
	out = BIO_new(BIO_s_mem());
	append_pem(out, leaf);
	append_pem(out, root);
	n = BIO_get_mem_data(out, &pem);
	json_object_set_new(coll, "cert_chain", json_stringn(pem, (size_t)n));
	BIO_free(out);
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "certificate_chain_invalid");
	verdict_free(&v);
	/* leaf alone: its issuer name finds the real CA, whose key did not
	 * sign it. */
	out = BIO_new(BIO_s_mem());
	append_pem(out, leaf);
	n = BIO_get_mem_data(out, &pem);
	json_object_set_new(coll, "cert_chain", json_stringn(pem, (size_t)n));
	BIO_free(out);
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "certificate_chain_invalid");
	verdict_free(&v);

	json_decref(coll);
	X509_free(leaf);
	X509_free(root);
	X509_free(real_leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(lk);
	ASN1_OBJECT_free(oid);
	BIO_free(rb);
	free(realpem);
	free(ev);
}

/* The leaf FWID extension: trustee's cert_chain.rs expects f5c384ae…
 * for the nvtrust leaf (MANIFEST, equal to the opaque FWID); a leaf
 * without the extension, with another FWID, or with a broken one. */
static void
test_leaf_fwid(void **state)
{
	size_t plen;
	uint8_t *pem =
	        tu_read_file(NV "nvtrust_sample_h100/cert_chain.pem", &plen);
	BIO *b = BIO_new_mem_buf(pem, (int)plen);
	X509 *leaf = PEM_read_bio_X509(b, NULL, NULL, NULL), *x;
	EVP_PKEY *k = EVP_EC_gen("P-384");
	uint8_t fwid[48], want[48];
	X509_EXTENSION *ext;
	ASN1_OCTET_STRING *os;
	ASN1_OBJECT *oid = OBJ_txt2obj("2.23.133.5.4.1", 1);
	/* SEQUENCE { SEQUENCE { OID sha384, OCTET STRING (48 x 0x11) } } */
	uint8_t other[2 + 2 + 11 + 2 + 48] = {
	        0x30, 63,   0x30, 61,   0x06, 0x09, 0x60, 0x86, 0x48,
	        0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x04, 48};

	assert_true(codec_hex_decode_fixed(
	        manifest("nvtrust_sample_h100")->fwid, want, 48));
	assert_int_equal(gpu_leaf_fwid(leaf, fwid), 1);
	assert_memory_equal(fwid, want, 48);

	x = make_cert("GH100 A01 GSP FMC LF", "NVIDIA", k, NULL, k, false,
	              NULL);
	assert_int_equal(gpu_leaf_fwid(x, fwid), 0);
	X509_free(x);

	memset(other + 17, 0x11, 48);
	os = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(os, other, sizeof(other));
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
	x = make_cert("GH100 A01 GSP FMC LF", "NVIDIA", k, NULL, k, false, ext);
	assert_int_equal(gpu_leaf_fwid(x, fwid), 1);
	assert_int_not_equal(memcmp(fwid, want, 48), 0);
	X509_free(x);
	X509_EXTENSION_free(ext);

	other[1] = 99; /* length past the end */
	ASN1_OCTET_STRING_set(os, other, sizeof(other));
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
	x = make_cert("GH100 A01 GSP FMC LF", "NVIDIA", k, NULL, k, false, ext);
	assert_int_equal(gpu_leaf_fwid(x, fwid), -1);
	X509_free(x);
	X509_EXTENSION_free(ext);

	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	EVP_PKEY_free(k);
	X509_free(leaf);
	BIO_free(b);
	free(pem);
}

/* Every prefix of the SDK JSON evidence: refused, never a crash. */
static void
test_json_truncation(void **state)
{
	size_t len;
	uint8_t *ev = tu_read_file(
	        NV "nvsdk_hopper_evidence_590/hopper_evidence.json", &len);

	for (size_t n = 1; n < len; n += 3) {
		struct verdict v;
		uint8_t *t = malloc(n);
		memcpy(t, ev, n);
		struct gpu_case c = {.ev = t, .len = n};
		gpu_run(&c, &v);
		/* only dropping trailing whitespace keeps it whole */
		if (verdict_valid(&v))
			assert_int_equal(strspn((char *)ev + n, " \r\n\t"),
			                 len - n);
		verdict_free(&v);
		free(t);
	}
	free(ev);
}

/* Time before the device certificates' notBefore (2020-10-17 for the
 * leaf, 2021-11-05 for the CA). */
static void
test_not_yet_valid(void **state)
{
	size_t len;
	uint8_t *ev =
	        tu_read_file(NV "nvtrust_sample_h100/spdm_report.bin", &len);
	struct gpu_case c = {
	        .ev = ev, .len = len, .path = NV "nvtrust_sample_h100"};
	struct verdict v;

	assert_true(tptime_parse("2020-01-01T00:00:00Z", &c.now));
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "certificate_expired");
	verdict_free(&v);
	free(ev);
}

/* A FWID in the opaque data that is not the leaf's, correctly signed
 * (by a forged leaf whose chain fails first, so instead: the real chain
 * of another GPU whose FWID differs, checked through the claim). */
static void
test_fwid_is_checked(void **state)
{
	struct verdict v;

	verify_dir("nvtrust_sample_h100", &v);
	/* The check ran and passed, and the FWID claim is the leaf's
	 * extension value trustee's cert_chain.rs expects. */
	size_t i;
	json_t *ch;
	bool seen = false;
	json_array_foreach(v.checks, i, ch)
	{
		if (strcmp(json_string_value(json_object_get(ch, "check")),
		           "gpu_fwid") == 0)
			seen = json_is_true(json_object_get(ch, "ok"));
	}
	assert_true(seen);
	verdict_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_samples_raw),
	        cmocka_unit_test(test_trailing_byte),
	        cmocka_unit_test(test_trustee_claims),
	        cmocka_unit_test(test_sdk_json),
	        cmocka_unit_test(test_nras_request_json),
	        cmocka_unit_test(test_two_gpus),
	        cmocka_unit_test(test_chain_missing),
	        cmocka_unit_test(test_chain_from_collateral_json),
	        cmocka_unit_test(test_chain_from_export_layout),
	        cmocka_unit_test(test_reference_values),
	        cmocka_unit_test(test_nonce_binding),
	        cmocka_unit_test(test_detect),
	        cmocka_unit_test(test_flip_fields),
	        cmocka_unit_test(test_versions),
	        cmocka_unit_test(test_truncation),
	        cmocka_unit_test(test_flip_certificates),
	        cmocka_unit_test(test_lookalike_root),
	        cmocka_unit_test(test_not_yet_valid),
	        cmocka_unit_test(test_leaf_fwid),
	        cmocka_unit_test(test_json_truncation),
	        cmocka_unit_test(test_fwid_is_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
