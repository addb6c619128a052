/*
 * NVIDIA Blackwell (GB100) SPDM evidence (issue 18): the real sample of
 * tests/data/nvidia/nvsdk_blackwell_575 (NVIDIA attestation SDK test data,
 * see PROVENANCE.md) verified as fully as Hopper's: chain to the pinned
 * Device Identity CA, SPDM signature, and the leaf's FWID, which GB100
 * carries in a DICE TcbInfo under 2.23.133.5.4.1.1 (first of its [6]
 * fwids), against the FWID the firmware reports. Hostile TcbInfo values
 * are built here on a test key. Multi-GPU: 8 distinct real GPUs in one
 * evidence list verify; the same GPU twice is refused.
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
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/test_verdict.h"

#define BW NV "nvsdk_blackwell_575/"
/* The leaf's first FWID, as NVIDIA's SDK documents it for this very
 * certificate (nv-attestation-sdk-cpp/src/nv_x509.cpp, the comment of
 * get_fwid_2_23_133_5_4_1_1 showing its openssl asn1parse). */
#define BW_FWID                                                                \
	"d090cab1b6e6ffddca83d1781e25b3f040fa1f3c7608230cb5f41b1c1b99f5f7483"  \
	"49e59d0ef8eb830c9bc79ccf77502"

static void
test_real_blackwell(void **state)
{
	struct gpu_case c = {0};
	struct verdict v;
	size_t len;
	uint8_t *ev = tu_read_file(BW "spdm_report.bin", &len), *bad;

	(void)state;
	c.ev = ev;
	c.len = len;
	c.path = BW;
	gpu_run(&c, &v);
	if (!verdict_valid(&v))
		dump_errors(&v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	/* The facts: GB100, driver 575.32, VBIOS 97.00.88.00.0F. */
	assert_string_equal(claim_s(&v, "gpu_arch"), "Blackwell");
	assert_string_equal(claim_s(&v, "gpu_model"), "GB100");
	assert_string_equal(claim_s(&v, "driver_version"), "575.32");
	assert_string_equal(claim_s(&v, "vbios_version"), "97.00.88.00.0F");
	assert_string_equal(claim_s(&v, "fwid"), BW_FWID);
	verdict_free(&v);

	/* The last signature byte flipped: refused, only that. */
	bad = malloc(len);
	memcpy(bad, ev, len);
	bad[len - 1] ^= 0x01;
	c.ev = bad;
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "spdm_signature_invalid");
	verdict_free(&v);
	/* The requester nonce (signed) changed. */
	memcpy(bad, ev, len);
	bad[4] ^= 0x01;
	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "spdm_signature_invalid");
	verdict_free(&v);
	free(bad);
	free(ev);
}

static X509 *
leaf_of(const char *pem_path)
{
	size_t n;
	uint8_t *pem = tu_read_file(pem_path, &n);
	BIO *b = BIO_new_mem_buf(pem, (int)n);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	assert_non_null(x);
	BIO_free(b);
	free(pem);
	return x;
}

/* A self-signed leaf carrying extension OID with value VAL (and, when
 * OID2 is not NULL, a second extension OID2 with the same value). */
static X509 *
leaf_with(const char *oid, const char *oid2, const uint8_t *val, size_t n)
{
	EVP_PKEY *k = EVP_EC_gen("P-384");
	X509 *x = X509_new();
	const char *oids[2] = {oid, oid2};

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 9);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	for (int i = 0; i < 2 && oids[i] != NULL; i++) {
		ASN1_OBJECT *o = OBJ_txt2obj(oids[i], 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		X509_EXTENSION *e;

		ASN1_OCTET_STRING_set(os, val, (int)n);
		e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(o);
	}
	X509_sign(x, k, EVP_sha384());
	EVP_PKEY_free(k);
	return x;
}

static int
fwid_of(const char *oid, const char *oid2, const uint8_t *val, size_t n,
        uint8_t out[48])
{
	X509 *x = leaf_with(oid, oid2, val, n);
	int rc = gpu_leaf_fwid(x, out);

	X509_free(x);
	return rc;
}

static void
test_tcbinfo_parser(void **state)
{
	X509 *leaf = leaf_of(BW "cert_chain.pem");
	ASN1_OBJECT *o = OBJ_txt2obj("2.23.133.5.4.1.1", 1);
	const ASN1_OCTET_STRING *d;
	uint8_t fwid[48], want[48], *val;
	size_t n;
	int idx;

	(void)state;
	assert_true(codec_hex_decode_fixed(BW_FWID, want, 48));
	assert_int_equal(gpu_leaf_fwid(leaf, fwid), 1);
	assert_memory_equal(fwid, want, 48);
	/* The real value, reused on made-up leaves. */
	idx = X509_get_ext_by_OBJ(leaf, o, -1);
	assert_true(idx >= 0);
	d = X509_EXTENSION_get_data(X509_get_ext(leaf, idx));
	n = (size_t)ASN1_STRING_length(d);
	val = malloc(n);
	memcpy(val, ASN1_STRING_get0_data(d), n);
	assert_int_equal(val[0], 0x30);
	assert_int_equal(fwid_of("2.23.133.5.4.1.1", NULL, val, n, fwid), 1);
	assert_memory_equal(fwid, want, 48);
	/* Every truncation is malformed, never a FWID. */
	for (size_t cut = 1; cut < n; cut++)
		assert_int_equal(
		        fwid_of("2.23.133.5.4.1.1", NULL, val, n - cut, fwid),
		        -1);
	/* Trailing bytes after the SEQUENCE. */
	{
		uint8_t *t = malloc(n + 1);
		memcpy(t, val, n);
		t[n] = 0;
		assert_int_equal(
		        fwid_of("2.23.133.5.4.1.1", NULL, t, n + 1, fwid), -1);
		free(t);
	}
	/* Both the Hopper and the Blackwell extension, or one twice. */
	assert_int_equal(
	        fwid_of("2.23.133.5.4.1", "2.23.133.5.4.1.1", val, n, fwid),
	        -1);
	assert_int_equal(
	        fwid_of("2.23.133.5.4.1.1", "2.23.133.5.4.1.1", val, n, fwid),
	        -1);
	/* The first FWID's hash OID made sha256 (…04 02 01): refused. */
	{
		static const uint8_t sha384_tail[] = {0x04, 0x02, 0x02, 0x04,
		                                      0x30};
		uint8_t *t = malloc(n), *p;
		memcpy(t, val, n);
		p = memmem(t, n, sha384_tail, sizeof(sha384_tail));
		assert_non_null(p);
		p[2] = 0x01;
		assert_int_equal(fwid_of("2.23.133.5.4.1.1", NULL, t, n, fwid),
		                 -1);
		free(t);
	}
	/* The [6] tag changed to [11]: no fwids, so no FWID. */
	{
		uint8_t *t = malloc(n), *p;
		memcpy(t, val, n);
		p = memchr(t, 0xa6, n);
		assert_non_null(p);
		*p = 0xab;
		assert_int_equal(fwid_of("2.23.133.5.4.1.1", NULL, t, n, fwid),
		                 0);
		free(t);
	}
	free(val);
	ASN1_OBJECT_free(o);
	X509_free(leaf);
}

/* One SDK-style list item {"certificate": b64(PEM), "evidence": b64}. */
static json_t *
item(const char *spdm_path, const char *pem_path)
{
	size_t a, b;
	uint8_t *ev = tu_read_file(spdm_path, &a),
	        *pem = tu_read_file(pem_path, &b);
	char *e = codec_base64_encode(ev, a), *c = codec_base64_encode(pem, b);
	json_t *o = json_pack("{s:s, s:s}", "evidence", e, "certificate", c);

	free(ev);
	free(pem);
	free(e);
	free(c);
	return o;
}

/* The 4 GPUs of NVIDIA's multi-GPU sample, then 4 others: 8 devices. */
static json_t *
eight_gpus(void)
{
	json_error_t jerr;
	json_t *list = json_load_file(
	        NV "nvsdk_multi_gpu_hopper/multi_gpu_hopper.json", 0, &jerr);

	assert_int_equal(json_array_size(list), 4);
	json_array_append_new(list,
	                      item(NV "nvtrust_sample_h100/spdm_report.bin",
	                           NV "nvtrust_sample_h100/cert_chain.pem"));
	json_array_append_new(
	        list,
	        item(NV "teep_tinfoil_h100_nras_20260629/spdm_report.bin",
	             NV "teep_tinfoil_h100_nras_20260629/cert_chain.pem"));
	json_array_append_new(
	        list,
	        item(NV "trustee_coco_h100_trailing_byte/spdm_report.bin",
	             NV "trustee_coco_h100_trailing_byte/cert_chain.pem"));
	json_array_append_new(list,
	                      item(BW "spdm_report.bin", BW "cert_chain.pem"));
	return list;
}

static void
run_list(json_t *list, struct verdict *v)
{
	struct gpu_case c = {0};
	char *text = json_dumps(list, 0);

	c.ev = (const uint8_t *)text;
	c.len = strlen(text);
	gpu_run(&c, v);
	free(text);
}

static void
test_eight_gpus_and_duplicates(void **state)
{
	/* The issuer (GSP BROM) serialNumber of each leaf, read with
	 * `openssl x509 -noout -issuer` from each sample's chain. */
	static const char *const ids[8] = {
	        "412921CE551E4EEDA3", "419BDFFE09391C64D4",
	        "418D8735CA47D6FC15", "41A6CBA1E9D9C7924E",
	        "41431D480FE5E87274", "419F54D02AAEEED1CA",
	        "41D1A9A24F202CB2B5", "41E6DE55C3BDC14277"};
	json_t *list = eight_gpus(), *gpus, *dup;
	struct verdict v;
	char name[16];

	(void)state;
	run_list(list, &v);
	if (!verdict_valid(&v))
		dump_errors(&v);
	assert_true(verdict_valid(&v));
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "gpu_count")), 8);
	gpus = json_object_get(v.claims, "gpus");
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "GPU-%d", i);
		assert_string_equal(
		        json_string_value(json_object_get(
		                json_object_get(gpus, name), "device_id")),
		        ids[i]);
	}
	assert_string_equal(
	        json_string_value(json_object_get(
	                json_object_get(gpus, "GPU-7"), "gpu_arch")),
	        "Blackwell");
	verdict_free(&v);

	/* A ninth: over the limit. */
	json_array_append(list, json_array_get(list, 0));
	run_list(list, &v);
	assert_only_error(&v, "gpu_evidence_invalid");
	verdict_free(&v);

	/* GPU 0 again at the end (in place of GPU 7): refused as such. */
	json_array_remove(list, 8);
	json_array_set(list, 7, json_array_get(list, 0));
	run_list(list, &v);
	assert_only_error(&v, "gpu_duplicate_device");
	verdict_free(&v);

	/* The same device from another file: NVIDIA's single-GPU sample
	 * (hopper_evidence.json) is GPU 0 of its multi-GPU sample. */
	{
		json_error_t jerr;
		json_t *one = json_load_file(
		        NV "nvsdk_hopper_evidence_590/hopper_evidence.json", 0,
		        &jerr);
		assert_int_equal(json_array_size(one), 1);
		dup = json_pack("[O, O]", json_array_get(list, 1),
		                json_array_get(one, 0));
		run_list(dup, &v);
		assert_true(verdict_valid(&v)); /* two different GPUs */
		verdict_free(&v);
		json_decref(dup);
		dup = json_pack("[O, O]", json_array_get(list, 0),
		                json_array_get(one, 0));
		run_list(dup, &v);
		assert_only_error(&v, "gpu_duplicate_device");
		verdict_free(&v);
		json_decref(dup);
		json_decref(one);
	}
	json_decref(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_real_blackwell),
	        cmocka_unit_test(test_tcbinfo_parser),
	        cmocka_unit_test(test_eight_gpus_and_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
