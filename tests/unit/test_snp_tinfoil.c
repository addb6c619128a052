/*
 * Tinfoil attestation bundles as SEV-SNP evidence (issue 18): the real
 * bundle of tests/data/snp/tinfoil_js_genoa_v3 (see PROVENANCE.md) detected
 * from its bytes and verified as of its stated time with the VCEK it
 * carries; hostile bundles (truncated, corrupt, trailing bytes, a
 * decompression bomb, re-signed look-alikes) each refused with its code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <zlib.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "load/load.h"
#include "verify/amd/snp_report.h"
#include "verify/amd/snp_tinfoil.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define BUNDLE "tests/data/snp/tinfoil_js_genoa_v3/attestation-bundle.json"
#define REPORT "tests/data/snp/tinfoil_js_genoa_v3/report.bin"
#define VCEK   "tests/data/snp/tinfoil_js_genoa_v3/vcek.der"
/* tests/data/snp/PROVENANCE.md: the fixture's commit date, inside the
 * VCEK's validity (2026-01-11..2033-01-11). */
#define AT "2026-04-28T00:00:00Z"

static int64_t
at(const char *s)
{
	int64_t t;

	assert_true(tptime_parse(s, &t));
	return t;
}

static void
run(const uint8_t *ev, size_t len, const json_t *coll, const char *when,
    struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;

	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	if (coll != NULL)
		load_json(TP_PROVIDER_AMD_SEV_SNP, coll, &set);
	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_NONE;
	req.artifacts = &set;
	req.now = at(when);
	req.cfg = &cfg;
	verify_run(&req, v);
	artifact_set_clear(&set);
	verify_config_free(&cfg);
}

static void
run_text(const char *text, const json_t *coll, struct verdict *v)
{
	run((const uint8_t *)text, strlen(text), coll, AT, v);
}

/* gzip (RFC 1952) of BUF at level 9, made by zlib. */
static uint8_t *
gzip_of(const uint8_t *buf, size_t len, size_t *outlen)
{
	z_stream zs;
	size_t cap = len + len / 100 + 64;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
	                              Z_DEFAULT_STRATEGY),
	                 Z_OK);
	zs.next_in = (Bytef *)buf;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* The real bundle with its body replaced by base64(GZ) (NULL: kept) and
 * FORMAT (NULL: kept), as JSON text. */
static char *
bundle_with(const uint8_t *gz, size_t gzlen, const char *format)
{
	json_error_t jerr;
	json_t *j = json_load_file(BUNDLE, 0, &jerr);
	json_t *r = json_object_get(j, "enclaveAttestationReport");
	char *text;

	assert_non_null(r);
	if (gz != NULL) {
		char *b64 = codec_base64_encode(gz, gzlen);
		json_object_set_new(r, "body", json_string(b64));
		free(b64);
	}
	if (format != NULL)
		json_object_set_new(r, "format", json_string(format));
	text = json_dumps(j, 0);
	json_decref(j);
	return text;
}

/* The real bundle's gzip body, decoded. */
static uint8_t *
real_gzip(size_t *len)
{
	json_error_t jerr;
	json_t *j = json_load_file(BUNDLE, 0, &jerr);
	const char *b = json_string_value(json_object_get(
	        json_object_get(j, "enclaveAttestationReport"), "body"));
	uint8_t *gz;

	assert_non_null(b);
	assert_true(codec_base64_decode(b, strlen(b), &gz, len));
	json_decref(j);
	return gz;
}

static void
sha256_hex(const uint8_t *p, size_t n, char hex[65])
{
	uint8_t md[32];

	SHA256(p, n, md);
	codec_hex_encode_to(md, 32, hex);
}

static void
test_real_bundle(void **state)
{
	size_t len, rlen, vlen, ulen;
	uint8_t *b = tu_read_file(BUNDLE, &len),
	        *rep = tu_read_file(REPORT, &rlen),
	        *vcek = tu_read_file(VCEK, &vlen), *u;
	char want[65];
	struct verdict v;
	enum tp_err code;
	char why[200];

	/* Detected from the bytes; its report is the one derived at copy
	 * time by Python's gzip (tests/data/snp/PROVENANCE.md), its
	 * certificate table holds the bundle's VCEK. */
	assert_true(snp_tinfoil_detect(b, len));
	assert_true(
	        snp_tinfoil_unpack(b, len, &u, &ulen, &code, why, sizeof(why)));
	assert_int_equal(rlen, SNP_REPORT_LEN);
	assert_int_equal(ulen, SNP_REPORT_LEN + 48 + vlen);
	assert_memory_equal(u, rep, rlen);
	assert_memory_equal(u + SNP_REPORT_LEN + 48, vcek, vlen);
	free(u);

	run(b, len, NULL, AT, &v);
	assert_int_equal(v.provider, TP_PROVIDER_AMD_SEV_SNP);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	/* ../shared/peer-samples/tinfoil-js/MANIFEST.md: the measurement,
	 * and report_data = TLS key fingerprint || HPKE public key. */
	assert_string_equal(claim(&v, "measurement"),
	                    "09ef32acf90fcfeb6206d1a46c13145cef736ebbb83f18eaf"
	                    "f680b686232031546ff5fd39c44599699ee8734cbbeb519");
	assert_string_equal(claim(&v, "report_data"),
	                    "71c31f35d2b06077bbae7c1ddf0cc4020408c8f39c68b04cf"
	                    "3d029d40bdd45e73565781f4ee796cfb144df2a31a3ae5e87"
	                    "747bb5ba91aafc6b80e2e268b8603d");
	sha256_hex(vcek, vlen, want);
	assert_string_equal(
	        json_string_value(json_object_get(v.collateral, "vcek")), want);
	verdict_free(&v);

	/* Before the VCEK's validity: not verified. */
	run(b, len, NULL, "2025-06-01T00:00:00Z", &v);
	assert_false(verdict_valid(&v));
	assert_int_equal(v.certificate_chain_valid, TP_FALSE);
	verdict_free(&v);
	free(b);
	free(rep);
	free(vcek);
}

/* Without its "vcek" the bundle needs the VCEK as collateral, as a bare
 * report does. */
static void
test_bundle_without_vcek(void **state)
{
	json_error_t jerr;
	json_t *j = json_load_file(BUNDLE, 0, &jerr), *coll;
	char *text;
	struct verdict v;

	json_object_del(j, "vcek");
	text = json_dumps(j, 0);
	run_text(text, NULL, &v);
	assert_int_equal(v.provider, TP_PROVIDER_AMD_SEV_SNP);
	assert_only_error(&v, "snp_vcek_missing");
	verdict_free(&v);
	{
		size_t vl;
		uint8_t *der = tu_read_file(VCEK, &vl);
		char *b64 = codec_base64_encode(der, vl);
		coll = json_pack("{s:s}", "vcek", b64);
		run_text(text, coll, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
		json_decref(coll);
		free(b64);
		free(der);
	}
	free(text);
	json_decref(j);
}

static void
test_hostile_bundles(void **state)
{
	size_t gzlen, rlen, n;
	uint8_t *gz = real_gzip(&gzlen), *rep = tu_read_file(REPORT, &rlen), *g,
	        *big;
	struct verdict v;
	char *t;

	/* Truncated gzip: every cut of the last 16 bytes, and half. */
	for (size_t cut = 1; cut <= 16; cut++) {
		t = bundle_with(gz, gzlen - cut, NULL);
		run_text(t, NULL, &v);
		assert_int_equal(v.provider, TP_PROVIDER_AMD_SEV_SNP);
		assert_only_error(&v, "snp_bundle_invalid");
		verdict_free(&v);
		free(t);
	}
	t = bundle_with(gz, gzlen / 2, NULL);
	run_text(t, NULL, &v);
	assert_only_error(&v, "snp_bundle_invalid");
	verdict_free(&v);
	free(t);
	/* Bytes after the gzip stream. */
	g = malloc(gzlen + 1);
	memcpy(g, gz, gzlen);
	g[gzlen] = 0;
	t = bundle_with(g, gzlen + 1, NULL);
	run_text(t, NULL, &v);
	assert_only_error(&v, "snp_bundle_invalid");
	verdict_free(&v);
	free(t);
	/* The CRC-32 trailer altered: zlib refuses the stream. */
	memcpy(g, gz, gzlen);
	g[gzlen - 8] ^= 0x01;
	t = bundle_with(g, gzlen, NULL);
	run_text(t, NULL, &v);
	assert_only_error(&v, "snp_bundle_invalid");
	verdict_free(&v);
	free(t);
	free(g);
	/* A decompression bomb: 64 MiB of zeros (~64 KiB compressed). */
	n = 64u * 1024u * 1024u;
	big = calloc(n, 1);
	assert_non_null(big);
	g = gzip_of(big, n, &gzlen);
	free(big);
	t = bundle_with(g, gzlen, NULL);
	run_text(t, NULL, &v);
	assert_only_error(&v, "snp_bundle_too_large");
	verdict_free(&v);
	free(t);
	free(g);
	/* Just over the bound, and a stream of the wrong size (the report
	 * and one byte). */
	big = calloc(SNP_TINFOIL_MAX_INFLATED + 1, 1);
	g = gzip_of(big, SNP_TINFOIL_MAX_INFLATED + 1, &gzlen);
	t = bundle_with(g, gzlen, NULL);
	run_text(t, NULL, &v);
	assert_only_error(&v, "snp_bundle_too_large");
	verdict_free(&v);
	free(t);
	free(g);
	memcpy(big, rep, rlen);
	g = gzip_of(big, rlen + 1, &gzlen);
	t = bundle_with(g, gzlen, NULL);
	run_text(t, NULL, &v);
	assert_only_error(&v, "snp_bundle_invalid");
	verdict_free(&v);
	free(t);
	free(g);
	/* The real report recompressed by zlib: still valid (the gzip
	 * bytes are not what is signed). */
	g = gzip_of(rep, rlen, &gzlen);
	t = bundle_with(g, gzlen, NULL);
	run_text(t, NULL, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	free(t);
	free(g);
	/* One bit of the report's MEASUREMENT changed, recompressed: the
	 * AMD signature fails. */
	memcpy(big, rep, rlen);
	big[0x90] ^= 0x01;
	g = gzip_of(big, rlen, &gzlen);
	t = bundle_with(g, gzlen, NULL);
	run_text(t, NULL, &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_snp_signature_invalid));
	verdict_free(&v);
	free(t);
	free(g);
	free(big);
	/* An unknown format version; not base64; a vcek of another type. */
	t = bundle_with(NULL, 0, SNP_TINFOIL_FORMAT "v9");
	run_text(t, NULL, &v);
	assert_int_equal(v.provider, TP_PROVIDER_AMD_SEV_SNP);
	assert_only_error(&v, "snp_bundle_invalid");
	verdict_free(&v);
	free(t);
	{
		json_error_t jerr;
		json_t *j = json_load_file(BUNDLE, 0, &jerr);
		json_object_set_new(
		        json_object_get(j, "enclaveAttestationReport"), "body",
		        json_string("!!not base64!!"));
		t = json_dumps(j, 0);
		run_text(t, NULL, &v);
		assert_only_error(&v, "snp_bundle_invalid");
		verdict_free(&v);
		free(t);
		json_object_set_new(
		        json_object_get(j, "enclaveAttestationReport"), "body",
		        json_string(""));
		t = json_dumps(j, 0);
		run_text(t, NULL, &v);
		assert_only_error(&v, "snp_bundle_invalid");
		verdict_free(&v);
		free(t);
		json_decref(j);
		j = json_load_file(BUNDLE, 0, &jerr);
		json_object_set_new(j, "vcek", json_integer(1));
		t = json_dumps(j, 0);
		run_text(t, NULL, &v);
		assert_only_error(&v, "snp_bundle_invalid");
		verdict_free(&v);
		free(t);
		json_decref(j);
	}
	/* Not a bundle at all: another JSON object is not SNP evidence. */
	assert_false(snp_tinfoil_detect((const uint8_t *)"{\"a\": 1}", 8));
	assert_false(snp_tinfoil_detect((const uint8_t *)"{", 1));
	free(gz);
	free(rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_real_bundle),
	        cmocka_unit_test(test_bundle_without_vcek),
	        cmocka_unit_test(test_hostile_bundles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
