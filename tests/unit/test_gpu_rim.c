/* NVIDIA RIMs against the MANIFEST and the origin tests it cites:
 * chains to the pinned RIM root, the enveloped XML signature (Canonical
 * XML 1.1 + ECDSA-SHA384), version checks, measurement comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_gpu_util.h"
#include "verify/nvidia/rim_swid.h"
#include "verify/nvidia/rim_xml.h"

#define RIMS "tests/data/nvidia/rims/"

static int64_t
at(const char *s)
{
	int64_t t;

	assert_true(tptime_parse(s, &t));
	return t;
}

/* Verifies sample DIR with the RIM texts in collateral "rims". */
static void
run_with_rims(const char *dir, const char **rims, size_t n, int64_t now,
              struct verdict *v)
{
	char path[256];
	size_t len, plen;
	uint8_t *ev, *pem;
	json_t *coll, *arr = json_array();

	snprintf(path, sizeof(path), NV "%s/spdm_report.bin", dir);
	ev = tu_read_file(path, &len);
	snprintf(path, sizeof(path), NV "%s/cert_chain.pem", dir);
	pem = tu_read_file(path, &plen);
	for (size_t i = 0; i < n; i++) {
		size_t rl;
		char *x = (char *)tu_read_file(rims[i], &rl);
		json_array_append_new(arr, json_string(x));
		free(x);
	}
	coll = json_pack("{s:s, s:o}", "cert_chain", (char *)pem, "rims", arr);
	struct gpu_case c = {
	        .ev = ev, .len = len, .collateral = coll, .now = now};
	gpu_run(&c, v);
	json_decref(coll);
	free(pem);
	free(ev);
}

static bool
check_ok(const struct verdict *v, const char *name, bool *ran)
{
	size_t i;
	json_t *c;

	*ran = false;
	json_array_foreach(v->checks, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "check")),
		           name) == 0) {
			*ran = true;
			return json_is_true(json_object_get(c, "ok"));
		}
	}
	return false;
}

static const char *
rim_info(const struct verdict *v, size_t i, const char *k)
{
	json_t *info = json_array_get(json_object_get(v->claims, "rims"), i);
	const char *s = json_string_value(json_object_get(info, k));

	return s ? s : "(none)";
}

/* MANIFEST: the 550.144.03 driver RIM chains to the RIM root (signer
 * valid 2024-12-30 .. 2026-12-30) but is not for the nvtrust sample's
 * driver 550.90.07: a clear version error. */
static void
test_driver_rim_other_version(void **state)
{
	const char *r[] = {RIMS "NV_GPU_DRIVER_GH100_550.144.03.xml"};
	struct verdict v;
	bool ran;

	run_with_rims("nvtrust_sample_h100", r, 1, at("2026-01-15T00:00:00Z"),
	              &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_rim_version_mismatch));
	assert_true(check_ok(&v, "rim0_chain", &ran));
	assert_true(ran);
	assert_int_equal(v.measurements_valid, TP_FALSE);
	/* attestation-sdk rim_test.cpp: this RIM's signature is valid */
	assert_true(check_ok(&v, "rim0_signature", &ran));
	assert_string_equal(rim_info(&v, 0, "signature"), "valid");
	/* the device side still verified */
	assert_int_equal(v.signature_valid, TP_TRUE);
	verdict_free(&v);
}

/* The RIM whose XML signature is broken (attestation-sdk negative test)
 * is refused for its signature; its chain and version checks still run. */
static void
test_incorrect_signature_rim(void **state)
{
	const char *r[] = {RIMS "incorrect_signature_driver_rim.xml"};
	struct verdict v;
	bool ran;

	run_with_rims("nvtrust_sample_h100", r, 1, at("2026-01-15T00:00:00Z"),
	              &v);
	assert_false(verdict_valid(&v));
	assert_false(check_ok(&v, "rim0_signature", &ran));
	assert_true(ran);
	assert_true(verdict_has_error(&v, TP_ERR_rim_signature_invalid));
	assert_string_equal(rim_info(&v, 0, "signature"), "invalid");
	assert_true(check_ok(&v, "rim0_chain", &ran));
	check_ok(&v, "rim0_version", &ran);
	assert_true(ran);
	assert_string_equal(rim_info(&v, 0, "version"), "550.144.03");
	verdict_free(&v);
}

/* MANIFEST: the VBIOS RIM 96.00.74.00.1A is for the trustee CoCo sample;
 * 11 of its 12 active measurements equal the report, index 9 (SPDM block
 * 10) differs. Signer valid 2023-09-06 .. 2025-09-05. */
static void
test_vbios_rim_block_10(void **state)
{
	const char *r[] = {RIMS "1010_0200_882_960074001A_PROD.swidtag"};
	struct verdict v;
	json_t *info, *bad;
	bool ran;

	run_with_rims("trustee_coco_h100_trailing_byte", r, 1,
	              at("2025-01-01T00:00:00Z"), &v);
	assert_false(verdict_valid(&v));
	assert_true(check_ok(&v, "rim0_chain", &ran));
	/* No MANIFEST statement on this signature; NVIDIA's own DigestValue
	 * and SignatureValue in the file are the oracle. */
	assert_true(check_ok(&v, "rim0_signature", &ran));
	assert_true(check_ok(&v, "rim0_version", &ran));
	assert_false(check_ok(&v, "rim0_measurements", &ran));
	assert_true(ran);
	assert_true(verdict_has_error(&v, TP_ERR_measurement_mismatch));
	info = json_array_get(json_object_get(v.claims, "rims"), 0);
	assert_string_equal(json_string_value(json_object_get(info, "kind")),
	                    "vbios");
	assert_int_equal(json_integer_value(
	                         json_object_get(info, "active_measurements")),
	                 12);
	bad = json_object_get(info, "mismatched_blocks");
	assert_int_equal(json_array_size(bad), 1);
	assert_int_equal(json_integer_value(json_array_get(bad, 0)), 10);
	assert_int_equal(v.measurements_valid, TP_FALSE);
	/* a VBIOS RIM alone leaves the driver's blocks unappraised */
	assert_string_equal(claim_s(&v, "rim_coverage"), "vbios");
	verdict_free(&v);
}

/* Every strict prefix of a RIM is refused by the XML reader. */
static void
test_rim_truncation(void **state)
{
	size_t len;
	char *x = (char *)tu_read_file(
	        RIMS "NV_GPU_DRIVER_GH100_550.144.03.xml", &len);
	char why[200];
	struct rim *r;

	for (size_t n = 0; n < len; n++) {
		char *t = malloc(n + 1);
		memcpy(t, x, n);
		r = rim_parse(t, n, why, sizeof(why));
		/* trailing whitespace after the root may go */
		if (r != NULL) {
			assert_true(strspn(x + n, " \n\r\t") == len - n);
			rim_free(r);
		}
		free(t);
	}
	r = rim_parse(x, len, why, sizeof(why));
	assert_non_null(r);
	assert_string_equal(r->version, "550.144.03");
	assert_int_equal(r->n_certs, 4);
	assert_int_equal(rim_signature_verify(r, why, sizeof(why)), 1);
	rim_free(r);
	free(x);
}

/* Resource limits of the XML reader. */
static void
test_xml_limits(void **state)
{
	char why[200];
	struct sbuf {
		char *p;
		size_t n;
	} b = {malloc(400000), 0};
	struct xml_doc *d;

	/* 65 levels of nesting */
	for (int i = 0; i < 65; i++)
		b.n += (size_t)sprintf(b.p + b.n, "<a>");
	for (int i = 0; i < 65; i++)
		b.n += (size_t)sprintf(b.p + b.n, "</a>");
	assert_null(xml_parse(b.p, b.n, why, sizeof(why)));
	/* 64 levels are fine */
	d = xml_parse(b.p + 3, b.n - 7, why, sizeof(why));
	assert_non_null(d);
	xml_doc_free(d);
	/* 20000 tokens at most */
	b.n = (size_t)sprintf(b.p, "<r>");
	for (int i = 0; i < 10001; i++)
		b.n += (size_t)sprintf(b.p + b.n, "<e/>");
	b.n += (size_t)sprintf(b.p + b.n, "</r>");
	assert_null(xml_parse(b.p, b.n, why, sizeof(why)));
	/* 65 attributes, a repeated one, an xml: one, an entity */
	b.n = (size_t)sprintf(b.p, "<r");
	for (int i = 0; i < 65; i++)
		b.n += (size_t)sprintf(b.p + b.n, " a%d=\"1\"", i);
	b.n += (size_t)sprintf(b.p + b.n, "/>");
	assert_null(xml_parse(b.p, b.n, why, sizeof(why)));
	assert_null(xml_parse("<r a=\"1\" a=\"2\"/>", 17, why, sizeof(why)));
	assert_null(xml_parse("<r xml:id=\"1\"/>", 15, why, sizeof(why)));
	assert_null(xml_parse("<r>&ent;</r>", 12, why, sizeof(why)));
	assert_null(xml_parse("<r><![CDATA[x]]></r>", 20, why, sizeof(why)));
	assert_null(xml_parse("<r><?pi x?></r>", 15, why, sizeof(why)));
	assert_null(xml_parse("<r/><r/>", 8, why, sizeof(why)));
	assert_null(xml_parse("<r></s>", 7, why, sizeof(why)));
	{
		static const char ok[] = "<?xml version=\"1.0\"?>\n"
		                         "<r a='&#x41;&lt;'>t&amp;</r>\n";
		d = xml_parse(ok, strlen(ok), why, sizeof(why));
	}
	assert_non_null(d);
	assert_string_equal(xml_attr_get(&d->t[0], "a"), "A<");
	assert_string_equal(d->t[1].text, "t&");
	xml_doc_free(d);
	free(b.p);
}

static void
test_vbios_rim_expired_signer(void **state)
{
	const char *r[] = {RIMS "1010_0200_882_960074001A_PROD.swidtag"};
	struct verdict v;
	bool ran;

	run_with_rims("trustee_coco_h100_trailing_byte", r, 1,
	              at("2026-01-01T00:00:00Z"), &v);
	assert_false(check_ok(&v, "rim0_chain", &ran));
	assert_true(ran);
	assert_true(verdict_has_error(&v, TP_ERR_certificate_expired));
	verdict_free(&v);
}

/* Writes X (LEN bytes) to a temporary file; returns its path. */
static char *
tmp_file(const char *x, size_t len)
{
	char *tmp = strdup("/tmp/teepass_rim_XXXXXX");
	int fd = mkstemp(tmp);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, x, len), (ssize_t)len);
	close(fd);
	return tmp;
}

/* Runs the CoCo report with the VBIOS RIM after EDIT changed it. */
static void
run_edited(void (*edit)(char *x, size_t *len), struct verdict *v)
{
	size_t len;
	char *x = (char *)tu_read_file(
	        RIMS "1010_0200_882_960074001A_PROD.swidtag", &len);
	char *buf = malloc(len * 2 + 64), *path;
	const char *r[1];

	memcpy(buf, x, len + 1);
	edit(buf, &len);
	path = tmp_file(buf, len);
	r[0] = path;
	run_with_rims("trustee_coco_h100_trailing_byte", r, 1,
	              at("2025-01-01T00:00:00Z"), v);
	unlink(path);
	free(path);
	free(buf);
	free(x);
}

/* The golden value of RIM index 9 replaced by the report's block 10
 * (MANIFEST): the measurements would now match, the signature does not. */
static void
edit_golden(char *x, size_t *len)
{
	const char *want = "059b32e712a153f490dbfb7976a9e275d789e28bd4803c357de"
	                   "f2b6123327c430526bfaecc200f496d4e149fc5eade03";
	char *p = strstr(strstr(x, "index=\"9\""), "Hash0=\"");

	memcpy(p + 7, want, 96);
}

static void
test_edited_rim_refused(void **state)
{
	struct verdict v;
	bool ran;

	run_edited(edit_golden, &v);
	assert_false(verdict_valid(&v));
	assert_true(check_ok(&v, "rim0_measurements", &ran));
	assert_false(check_ok(&v, "rim0_signature", &ran));
	assert_true(ran);
	assert_true(verdict_has_error(&v, TP_ERR_rim_signature_invalid));
	verdict_free(&v);
}

/* One space more in the document's content changes the canonical form. */
static void
edit_space(char *x, size_t *len)
{
	char *p = strstr(x, "<ns0:Payload");

	memmove(p + 1, p, *len - (size_t)(p - x) + 1);
	*p = ' ';
	(*len)++;
}

/* Changes Canonical XML removes: attribute order, quote style, an empty
 * element written as start+end tag. The signature must still verify. */
static void
edit_c14n_invariant(char *x, size_t *len)
{
	char *p = strstr(x, "type=\"Measurement\" index=\"0\"");
	char *e = strstr(x, "role=\"softwareCreator tagCreator\"/>");
	const char *swapped = "index=\"0\" type=\"Measurement\"";
	const char *entity_end = "role='softwareCreator tagCreator'>"
	                         "</ns0:Entity>";
	size_t tail, add;

	memcpy(p, swapped, strlen(swapped));
	tail = *len - (size_t)(e - x) - 35;
	add = strlen(entity_end) - 35;
	memmove(e + strlen(entity_end), e + 35, tail + 1);
	memcpy(e, entity_end, strlen(entity_end));
	*len += add;
}

/* A second ds:Signature (a wrapping attempt) makes the RIM unverifiable. */
static void
edit_two_signatures(char *x, size_t *len)
{
	char *sig = strstr(x, "<ds:Signature");
	char *end = strstr(x, "</SoftwareIdentity>");
	size_t n = (size_t)(end - sig);

	/* duplicate the whole signature element before the root's end */
	memmove(end + n, end, strlen(end) + 1);
	memcpy(end, sig, n);
	*len += n;
}

static void
test_two_signatures(void **state)
{
	struct verdict v;
	bool ran;

	run_edited(edit_two_signatures, &v);
	assert_false(check_ok(&v, "rim0_signature", &ran));
	assert_true(ran);
	assert_true(verdict_has_error(&v, TP_ERR_rim_invalid));
	verdict_free(&v);
}

/* CR LF line ends: XML parsing turns them into LF, so the canonical form
 * and the signature are unchanged. */
static void
edit_crlf(char *x, size_t *len)
{
	char *out = malloc(*len * 2 + 1);
	size_t n = 0;

	for (size_t i = 0; i < *len; i++) {
		if (x[i] == '\n')
			out[n++] = '\r';
		out[n++] = x[i];
	}
	memcpy(x, out, n);
	x[n] = '\0';
	*len = n;
	free(out);
}

/* A character reference for a plain character in an attribute value:
 * decoded before canonicalisation, so the signature still verifies. */
static void
edit_charref(char *x, size_t *len)
{
	char *p = strstr(x, "name=\"NVIDIA Corporation\"");
	const char *ref = "name=\"&#x4E;VIDIA Corporation\"";
	size_t add = strlen(ref) - 25;

	memmove(p + strlen(ref), p + 25, *len - (size_t)(p - x) - 25 + 1);
	memcpy(p, ref, strlen(ref));
	*len += add;
}

static void
test_signature_canonical_form(void **state)
{
	struct verdict v;
	bool ran;

	run_edited(edit_space, &v);
	assert_false(check_ok(&v, "rim0_signature", &ran));
	assert_true(ran);
	verdict_free(&v);
	run_edited(edit_c14n_invariant, &v);
	if (!check_ok(&v, "rim0_signature", &ran))
		dump_errors(&v);
	assert_true(check_ok(&v, "rim0_signature", &ran));
	verdict_free(&v);
	run_edited(edit_crlf, &v);
	assert_true(check_ok(&v, "rim0_signature", &ran));
	verdict_free(&v);
	run_edited(edit_charref, &v);
	assert_true(check_ok(&v, "rim0_signature", &ran));
	verdict_free(&v);
}

/* RIMs read from a collateral directory: the rims/ folder holds two
 * driver RIMs for 550.144.03, which the CoCo report (580.95.05) refuses. */
static void
test_rim_directory(void **state)
{
	size_t len, plen;
	uint8_t *ev = tu_read_file(
	        NV "trustee_coco_h100_trailing_byte/spdm_report.bin", &len);
	uint8_t *pem = tu_read_file(
	        NV "trustee_coco_h100_trailing_byte/cert_chain.pem", &plen);
	json_t *coll = json_pack("{s:s}", "cert_chain", (char *)pem);
	struct gpu_case c = {.ev = ev,
	                     .len = len,
	                     .collateral = coll,
	                     .path = RIMS,
	                     .now = at("2025-01-01T00:00:00Z")};
	struct verdict v;

	gpu_run(&c, &v);
	assert_false(verdict_valid(&v));
	assert_int_equal(json_array_size(json_object_get(v.claims, "rims")), 3);
	assert_true(verdict_has_error(&v, TP_ERR_rim_version_mismatch));
	verdict_free(&v);
	json_decref(coll);
	free(pem);
	free(ev);
}

/* Malformed RIMs: truncated anywhere, DOCTYPE, garbage. Never valid,
 * never a crash. */
static void
test_rim_hostile(void **state)
{
	size_t len;
	char *x = (char *)tu_read_file(
	        RIMS "1010_0200_882_960074001A_PROD.swidtag", &len);
	char *rp = NULL;
	size_t rpl;
	uint8_t *ev = tu_read_file(
	        NV "trustee_coco_h100_trailing_byte/spdm_report.bin", &rpl);
	uint8_t *pem = tu_read_file(
	        NV "trustee_coco_h100_trailing_byte/cert_chain.pem", &rpl);
	size_t evl;
	free(ev);
	ev = tu_read_file(NV "trustee_coco_h100_trailing_byte/spdm_report.bin",
	                  &evl);

	for (size_t n = 0; n < len; n += 37) {
		struct verdict v;
		json_t *coll;
		rp = strndup(x, n);
		coll = json_pack("{s:s, s:[s]}", "cert_chain", (char *)pem,
		                 "rims", rp);
		struct gpu_case c = {.ev = ev,
		                     .len = evl,
		                     .collateral = coll,
		                     .now = at("2025-01-01T00:00:00Z")};
		gpu_run(&c, &v);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		json_decref(coll);
		free(rp);
	}
	{
		const char *bad[] = {
		        "<!DOCTYPE x [<!ENTITY a \"b\">]><SoftwareIdentity/>",
		        ("<SoftwareIdentity><Meta colloquialVersion=\"96.00.74."
		         "00.1A\" product=\"GH100\"/></SoftwareIdentity>"),
		        "not xml at all", "<a b=\"<\"/>", ""};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct verdict v;
			json_t *coll = json_pack("{s:s, s:[s]}", "cert_chain",
			                         (char *)pem, "rims", bad[i]);
			struct gpu_case c = {.ev = ev,
			                     .len = evl,
			                     .collateral = coll,
			                     .now = at("2025-01-01T00:00:00Z")};
			gpu_run(&c, &v);
			assert_false(verdict_valid(&v));
			assert_true(verdict_has_error(&v, TP_ERR_rim_invalid));
			verdict_free(&v);
			json_decref(coll);
		}
	}
	free(pem);
	free(ev);
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_driver_rim_other_version),
	        cmocka_unit_test(test_incorrect_signature_rim),
	        cmocka_unit_test(test_vbios_rim_block_10),
	        cmocka_unit_test(test_vbios_rim_expired_signer),
	        cmocka_unit_test(test_xml_limits),
	        cmocka_unit_test(test_rim_truncation),
	        cmocka_unit_test(test_edited_rim_refused),
	        cmocka_unit_test(test_signature_canonical_form),
	        cmocka_unit_test(test_two_signatures),
	        cmocka_unit_test(test_rim_directory),
	        cmocka_unit_test(test_rim_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
