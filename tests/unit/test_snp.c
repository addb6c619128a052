/*
 * SEV-SNP verification against the real samples of tests/data/snp (expected
 * values from ../shared/vectors/snp/MANIFEST.md and
 * the peer-samples MANIFESTs, see tests/data/snp/PROVENANCE.md)
 * and hostile variants of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/core/ecdsa.h"
#include "verify/amd/snp_cert.h"
#include "verify/core/lru.h"
#include "verify/amd/snp_report.h"
#include "load/load.h"
#include "verify/verify.h"
#include "verify/core/x509.h"
#include "tests/unit/test_util.h"

#define DATA "tests/data/snp/"

static int64_t
at(const char *rfc3339)
{
	int64_t t;

	assert_true(tptime_parse(rfc3339, &t));
	return t;
}

/*
 * The collateral of a request (COLL), then a path, then the operator's
 * snp.crl_file of CFG, as teepassd and the CLI load them.
 */
static void
load_set(struct artifact_set *set, const char *path, const json_t *coll,
         const struct verify_config *cfg)
{
	artifact_set_init(set);
	if (coll != NULL)
		load_json(TP_PROVIDER_AMD_SEV_SNP, coll, set);
	if (path != NULL)
		load_path(TP_PROVIDER_AMD_SEV_SNP, path, set);
	if (cfg->snp.crl_file[0] != '\0')
		load_amd_crl_file(cfg->snp.crl_file, set);
}

/* One verification through the loaders and verify_run (detect,
 * provider, appraisal). */
static void
run(struct verdict *v, const uint8_t *ev, size_t len, const char *path,
    const json_t *coll, int64_t now, const struct verify_config *cfg)
{
	struct verify_request req;
	struct artifact_set set;

	load_set(&set, path, coll, cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_NONE;
	req.artifacts = &set;
	req.now = now;
	req.cfg = cfg;
	verify_run(&req, v);
	artifact_set_clear(&set);
}

static const char *
claim_str(const struct verdict *v, const char *name)
{
	return json_string_value(json_object_get(v->claims, name));
}

static void
dump(const struct verdict *v)
{
	json_t *j = verdict_to_json(v);
	char *s = json_dumps(j, JSON_INDENT(1));

	print_message("%s\n", s);
	free(s);
	json_decref(j);
}

/* Expected values from the MANIFESTs. */
struct sample {
	const char *dir;
	const char *time;
	bool debug;
	const char *measurement;
	const char *chip_id;
	const char *reported_raw;
	int bl, tee, snp, microcode;
	int version;
	const char *policy_raw;
	const char *report_data;
	const char *product;
};

static const struct sample samples[] = {
        {"gosev_milan_v2", "2022-09-24T01:00:00Z", true,
         "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bd"
         "f8a9ece31a5a608eb0cf2e4872b01",
         "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca"
         "39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d",
         "4405000000000002", 2, 0, 5, 68, 2, "00000000000b0000",
         "0102030405000000000000000000000000000000000000000000000000000000000"
         "0000000000000000000000000000000000000000000000000000000000000",
         "Milan"},
        {"virtee_milan_v2", "2023-04-04T00:00:00Z", false,
         "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1"
         "a0dc39b2c60bd95b9c480cd81841f",
         "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d"
         "7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6",
         "7308000000000003", 3, 0, 8, 115, 2, "0000000000030000",
         "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0"
         "f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
         "Milan"},
        {"teep_tinfoil_genoa_v3_20260629", "2026-06-29T02:12:49Z", false,
         "7adcb574b1e22ab579f3c883da3e5b6e632ef06775dd13fdb16850640135a5f63c7"
         "eb8741fe340c672edaf241bd1ed7c",
         "1af1aa6c1f56037a05849a59b8815cf909583f9ba9ef2f053218c437f33ba183e4e"
         "415b039b37f8205250ad15f8b88a0a3add9f4c081c0779a48ed2214378e44",
         "541700000000000a", 10, 0, 23, 84, 3, "0000000000030000",
         "2133557c6bf8b68d0d542bb771fba885ee097b5930ec0880168d56a18e1d7b7d000"
         "0000000000000000000000000000000000000000000000000000000000000",
         "Genoa"},
        /* tinfoil-js MANIFEST: measurement only (TCB from its VCEK's
         * KDS extensions is not listed there); VCEK valid 2026-01-11..
         * 2033-01-11, verified as of the fixture's commit date. */
        {"tinfoil_js_genoa_v3", "2026-04-28T00:00:00Z", false,
         "09ef32acf90fcfeb6206d1a46c13145cef736ebbb83f18eaff680b686232031546f"
         "f5fd39c44599699ee8734cbbeb519",
         NULL, NULL, -1, -1, -1, -1, 3, NULL, NULL, "Genoa"},
};

static struct verify_config cfg;

static void
check_sample(const struct sample *s, bool allow_debug)
{
	char path[256];
	struct verify_config c = cfg;
	struct verdict v;
	uint8_t *ev;
	size_t len;
	json_t *t;

	snprintf(path, sizeof(path), DATA "%s/report.bin", s->dir);
	ev = tu_read_file(path, &len);
	snprintf(path, sizeof(path), DATA "%s", s->dir);
	c.allow_debug = allow_debug;
	run(&v, ev, len, path, NULL, at(s->time), &c);
	if (verdict_valid(&v) != (!s->debug || allow_debug))
		dump(&v);
	if (s->debug && !allow_debug) {
		assert_false(verdict_valid(&v));
		assert_true(verdict_has_error(&v, TP_ERR_debug_not_allowed));
		assert_int_equal(json_array_size(v.errors), 1);
	} else {
		assert_true(verdict_valid(&v));
	}
	assert_int_equal(v.provider, TP_PROVIDER_AMD_SEV_SNP);
	assert_true(v.hardware_verified);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	assert_string_equal(v.tcb_status, "UpToDate");
	assert_string_equal(claim_str(&v, "measurement"), s->measurement);
	assert_string_equal(claim_str(&v, "signing_key"), "vcek");
	assert_string_equal(claim_str(&v, "product"), s->product);
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "version")),
	        s->version);
	assert_true(json_is_boolean(json_object_get(v.claims, "debug")));
	assert_int_equal(json_is_true(json_object_get(v.claims, "debug")),
	                 s->debug);
	assert_int_equal(json_integer_value(json_object_get(v.claims, "vmpl")),
	                 0);
	assert_string_equal(claim_str(&v, "host_data"),
	                    "00000000000000000000000000000000000000000000000000"
	                    "00000000000000");
	if (s->chip_id != NULL)
		assert_string_equal(claim_str(&v, "chip_id"), s->chip_id);
	if (s->report_data != NULL)
		assert_string_equal(claim_str(&v, "report_data"),
		                    s->report_data);
	if (s->policy_raw != NULL) {
		t = json_object_get(v.claims, "policy");
		assert_string_equal(
		        json_string_value(json_object_get(t, "raw")),
		        s->policy_raw);
		assert_int_equal(json_is_true(json_object_get(t, "debug")),
		                 s->debug);
	}
	if (s->reported_raw != NULL) {
		static const char *const names[] = {
		        "reported_tcb", "current_tcb", "committed_tcb",
		        "launch_tcb"};
		for (size_t i = 0; i < 4; i++) {
			t = json_object_get(v.claims, names[i]);
			assert_non_null(t);
			assert_string_equal(
			        json_string_value(json_object_get(t, "raw")),
			        s->reported_raw);
			assert_int_equal(
			        json_integer_value(json_object_get(t, "bl")),
			        s->bl);
			assert_int_equal(
			        json_integer_value(json_object_get(t, "tee")),
			        s->tee);
			assert_int_equal(
			        json_integer_value(json_object_get(t, "snp")),
			        s->snp);
			assert_int_equal(json_integer_value(json_object_get(
			                         t, "microcode")),
			                 s->microcode);
		}
	}
	assert_non_null(json_object_get(v.collateral, "vcek"));
	assert_non_null(json_object_get(v.collateral, "ask"));
	assert_non_null(json_object_get(v.collateral, "ark"));
	assert_int_equal(v.n_bindings, 1);
	assert_string_equal(v.bindings[0].name, "report_data");
	assert_true(v.expires_at < INT64_MAX);
	verdict_free(&v);
	free(ev);
}

static void
test_samples(void **state)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		check_sample(&samples[i], false);
}

static void
test_debug_allowed(void **state)
{
	check_sample(&samples[0], true);
}

/* The VCEK's notAfter bounds the verdict (MANIFEST validity dates). */
static void
test_expiry_claims(void **state)
{
	struct verdict v;
	uint8_t *ev;
	size_t len;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.expires_at, at("2030-04-03T19:23:43Z"));
	verdict_free(&v);
	free(ev);
}

static void
expect_error(const uint8_t *ev, size_t len, const char *path,
             const json_t *coll, int64_t now, const struct verify_config *c,
             enum tp_err code)
{
	struct verdict v;

	run(&v, ev, len, path, coll, now, c);
	if (verdict_valid(&v) || !verdict_has_error(&v, code) ||
	    getenv("SNP_TEST_DUMP") != NULL) {
		print_message("want %s\n", tp_err_code(code));
		dump(&v);
	}
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, code));
	verdict_free(&v);
}

/* Verification times outside the certificates' windows. */
static void
test_validity_window(void **state)
{
	uint8_t *ev;
	size_t len;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	/* Caches the chain first: the cache must not outlive the window. */
	struct verdict v;
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2026-11-23T00:00:00Z"), &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2030-04-03T19:23:44Z"), &cfg,
	             TP_ERR_certificate_expired);
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-03T19:23:42Z"), &cfg,
	             TP_ERR_certificate_expired);
	free(ev);
	/* The teep Genoa VCEK was issued the day before capture. */
	ev = tu_read_file(DATA "teep_tinfoil_genoa_v3_20260629/report.bin",
	                  &len);
	expect_error(ev, len, DATA "teep_tinfoil_genoa_v3_20260629", NULL,
	             at("2026-06-28T02:12:46Z"), &cfg,
	             TP_ERR_certificate_expired);
	free(ev);
}

/* The per-chip cache: bounded (a second chip evicts the first when it
 * holds one), exact (another chip is never a hit), and nothing cached
 * at 0 with the same verdicts. */
static void
test_chip_cache(void **state)
{
	static const char *const dirs[] = {DATA "virtee_milan_v2", DATA
	                                   "teep_tinfoil_genoa_v3_20260629"};
	uint8_t *ev[2];
	size_t len[2];
	struct lru_stats s0, s1;
	struct verdict v;
	const int64_t when = at("2026-07-01T00:00:00Z");

	(void)state;
	for (int i = 0; i < 2; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/report.bin", dirs[i]);
		ev[i] = tu_read_file(path, &len[i]);
	}
	snp_cache_clear();
	snp_cache_configure(1);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 2; i++) {
			snp_cache_stats(&s0);
			run(&v, ev[i], len[i], dirs[i], NULL, when, &cfg);
			assert_true(verdict_valid(&v));
			verdict_free(&v);
			snp_cache_stats(&s1);
			/* Each chip evicted the other: never a hit. */
			assert_int_equal(s1.hits, s0.hits);
			assert_int_equal(s1.entries, 1);
		}
	}
	/* The same chip again: a hit. */
	snp_cache_stats(&s0);
	run(&v, ev[1], len[1], dirs[1], NULL, when, &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	snp_cache_stats(&s1);
	assert_int_equal(s1.hits, s0.hits + 1);
	snp_cache_configure(0);
	assert_int_equal((snp_cache_stats(&s1), s1.entries), 0);
	for (int i = 0; i < 2; i++) {
		run(&v, ev[i], len[i], dirs[i], NULL, when, &cfg);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
	}
	snp_cache_stats(&s1);
	assert_int_equal(s1.entries, 0);
	snp_cache_configure(SNP_CACHE_CHIPS_DEFAULT);
	snp_cache_clear();
	free(ev[0]);
	free(ev[1]);
}

static void
test_flipped_bytes(void **state)
{
	static const struct {
		size_t off;
		uint8_t mask;
		enum tp_err code;
	} flips[] = {
	        {21, 0x80, TP_ERR_snp_signature_invalid},    /* virtee test */
	        {0x90, 0x01, TP_ERR_snp_signature_invalid},  /* MEASUREMENT */
	        {0x50, 0x01, TP_ERR_snp_signature_invalid},  /* REPORT_DATA */
	        {0x29F, 0x01, TP_ERR_snp_signature_invalid}, /* last signed */
	        {0x2A0, 0x01, TP_ERR_snp_signature_invalid}, /* r, LSB */
	        {0x2A0 + 47, 0x01, TP_ERR_snp_signature_invalid}, /* r MSB */
	        {0x2A0 + 60, 0x01, TP_ERR_snp_signature_invalid}, /* r pad */
	        {0x2E8, 0x01, TP_ERR_snp_signature_invalid},      /* s, LSB */
	        {0x2E8 + 47, 0x80, TP_ERR_snp_signature_invalid}, /* s MSB */
	        {0x400, 0x01, TP_ERR_snp_report_parse_error},     /* reserved */
	        {0x1A0, 0x01, TP_ERR_vcek_chip_mismatch},         /* CHIP_ID */
	        {0x180, 0x01, TP_ERR_vcek_tcb_mismatch}, /* REPORTED_TCB */
	        {0x00, 0x06, TP_ERR_snp_report_version_unsupported},
	        {0x34, 0x02, TP_ERR_snp_report_parse_error}, /* SIG_ALGO */
	        {0x48, 0x02, TP_ERR_snp_report_unsigned},    /* MASK_CHIP_KEY */
	};
	uint8_t *ev;
	size_t len;
	struct artifact_set set;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	load_set(&set, DATA "virtee_milan_v2", NULL, &cfg);
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		struct verify_request req;
		struct verdict v;

		ev[flips[i].off] ^= flips[i].mask;
		/* Through the provider directly (detection may refuse a
		 * flipped SIGNATURE_ALGO before it is reached). */
		memset(&req, 0, sizeof(req));
		req.evidence = ev;
		req.evidence_len = len;
		req.artifacts = &set;
		req.now = at("2023-04-04T00:00:00Z");
		req.cfg = &cfg;
		verdict_init(&v, TP_PROVIDER_AMD_SEV_SNP, req.now);
		provider_amd_sev_snp.verify(&req, &v);
		if (verdict_valid(&v) ||
		    !verdict_has_error(&v, flips[i].code)) {
			print_message("flip at 0x%zx\n", flips[i].off);
			dump(&v);
		}
		assert_false(verdict_valid(&v));
		assert_true(verdict_has_error(&v, flips[i].code));
		verdict_free(&v);
		ev[flips[i].off] ^= flips[i].mask;
	}
	free(ev);
	artifact_set_clear(&set);
}

static void
test_truncation(void **state)
{
	uint8_t *ev, *cut;
	size_t len;
	struct artifact_set set;

	ev = tu_read_file(DATA "teep_tinfoil_genoa_v3_20260629/report.bin",
	                  &len);
	load_set(&set, DATA "teep_tinfoil_genoa_v3_20260629", NULL, &cfg);
	assert_int_equal(len, SNP_REPORT_LEN);
	for (size_t n = 0; n < len; n++) {
		struct verify_request req;
		struct snp_report rep;
		struct verdict v;
		char why[256];

		/* An exact-size copy so ASan sees any over-read. */
		cut = malloc(n == 0 ? 1 : n);
		assert_non_null(cut);
		memcpy(cut, ev, n);
		assert_false(snp_report_parse(cut, n, &rep, why, sizeof(why)));
		memset(&req, 0, sizeof(req));
		req.evidence = cut;
		req.evidence_len = n;
		req.artifacts = &set;
		req.now = at("2026-06-29T02:12:49Z");
		req.cfg = &cfg;
		verdict_init(&v, TP_PROVIDER_AMD_SEV_SNP, req.now);
		provider_amd_sev_snp.verify(&req, &v);
		assert_false(verdict_valid(&v));
		assert_true(
		        verdict_has_error(&v, TP_ERR_snp_report_parse_error));
		verdict_free(&v);
		/* And through detection: never valid, never a crash. */
		run(&v, cut, n, DATA "teep_tinfoil_genoa_v3_20260629", NULL,
		    at("2026-06-29T02:12:49Z"), &cfg);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		free(cut);
	}
	free(ev);
	artifact_set_clear(&set);
}

static void
test_trailing_bytes(void **state)
{
	uint8_t *ev, *big;
	size_t len;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	big = calloc(1, len + 7);
	memcpy(big, ev, len);
	expect_error(big, len + 7, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_snp_report_parse_error);
	free(big);
	free(ev);
}

/* An extended report: the report, then the certificate table holding
 * the VCEK (GUID 63da758d-e664-4564-adc5-f4b93be8accd). */
static void
test_extended_report(void **state)
{
	static const uint8_t guid[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64,
	                                 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9,
	                                 0x3b, 0xe8, 0xac, 0xcd};
	uint8_t *ev, *vcek, *ext;
	size_t len, vlen, tlen;
	struct verdict v;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	vcek = tu_read_file(DATA "virtee_milan_v2/vcek.der", &vlen);
	tlen = 48 + vlen;
	ext = calloc(1, len + tlen);
	memcpy(ext, ev, len);
	memcpy(ext + len, guid, 16);
	ext[len + 16] = 48; /* offset */
	ext[len + 20] = (uint8_t)vlen;
	ext[len + 21] = (uint8_t)(vlen >> 8);
	memcpy(ext + len + 48, vcek, vlen);
	run(&v, ext, len + tlen, NULL, NULL, at("2023-04-04T00:00:00Z"), &cfg);
	if (!verdict_valid(&v))
		dump(&v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	/* An entry pointing past the table. */
	ext[len + 21] = 0x7f;
	expect_error(ext, len + tlen, NULL, NULL, at("2023-04-04T00:00:00Z"),
	             &cfg, TP_ERR_snp_report_parse_error);
	/* A table without its terminating entry. */
	ext[len + 21] = (uint8_t)(vlen >> 8);
	expect_error(ext, len + 30, NULL, NULL, at("2023-04-04T00:00:00Z"),
	             &cfg, TP_ERR_snp_report_parse_error);
	free(ext);
	free(vcek);
	free(ev);
}

static json_t *
coll_vcek(const char *vcek_path, const char *chain_pem)
{
	uint8_t *der;
	size_t n;
	char *b64;
	json_t *o = json_object();

	der = tu_read_file(vcek_path, &n);
	b64 = codec_base64_encode(der, n);
	json_object_set_new(o, "vcek", json_string(b64));
	if (chain_pem != NULL)
		json_object_set_new(o, "cert_chain", json_string(chain_pem));
	free(b64);
	free(der);
	return o;
}

static char *
file_text(const char *path)
{
	size_t n;
	uint8_t *b = tu_read_file(path, &n);
	char *s = malloc(n + 1);

	memcpy(s, b, n);
	s[n] = '\0';
	free(b);
	return s;
}

static void
test_collateral_json(void **state)
{
	uint8_t *ev;
	size_t len;
	struct verdict v;
	json_t *c;
	char *pem;

	ev = tu_read_file(DATA "teep_tinfoil_genoa_v3_20260629/report.bin",
	                  &len);
	/* base64 DER, with AMD's own Genoa chain as cert_chain. */
	pem = file_text("config/trust/ask_ark_genoa.pem");
	c = coll_vcek(DATA "teep_tinfoil_genoa_v3_20260629/vcek.der", pem);
	run(&v, ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg);
	if (!verdict_valid(&v))
		dump(&v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	json_decref(c);
	/* The same chip and TCB: KDS re-issued the VCEK (tinfoil-js
	 * fixture) with the same key; it verifies this report too. */
	c = coll_vcek(DATA "tinfoil_js_genoa_v3/vcek.der", NULL);
	run(&v, ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	json_decref(c);
	/* The VCEK as PEM text. */
	{
		uint8_t *der;
		size_t n;
		const unsigned char *p;
		X509 *x;
		BIO *b = BIO_new(BIO_s_mem());
		BUF_MEM *mem;

		der = tu_read_file(
		        DATA "teep_tinfoil_genoa_v3_20260629/vcek.der", &n);
		p = der;
		x = d2i_X509(NULL, &p, (long)n);
		assert_non_null(x);
		assert_int_equal(PEM_write_bio_X509(b, x), 1);
		BIO_write(b, "", 1);
		BIO_get_mem_ptr(b, &mem);
		c = json_pack("{s:s}", "vcek", mem->data);
		run(&v, ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
		json_decref(c);
		BIO_free(b);
		X509_free(x);
		free(der);
	}
	/* Collateral that is not an object. */
	c = json_string("vcek");
	expect_error(ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg,
	             TP_ERR_collateral_invalid);
	json_decref(c);
	/* Undecodable VCEK. */
	c = json_pack("{s:s}", "vcek", "not base64!");
	expect_error(ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg,
	             TP_ERR_collateral_invalid);
	json_decref(c);
	/* No VCEK anywhere. */
	expect_error(ev, len, NULL, NULL, at("2026-06-29T02:12:49Z"), &cfg,
	             TP_ERR_snp_vcek_missing);
	c = json_object();
	expect_error(ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg,
	             TP_ERR_snp_vcek_missing);
	json_decref(c);
	/* A collateral file (the VCEK itself) instead of a directory. */
	run(&v, ev, len, DATA "teep_tinfoil_genoa_v3_20260629/vcek.der", NULL,
	    at("2026-06-29T02:12:49Z"), &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	free(pem);
	free(ev);
}

/* A VCEK of another chip (and another TCB): refused by name. A genuine
 * VCEK of another TCB also has another key (the VCEK is derived from the
 * TCB), so the signature fails as well; both are reported. */
static void
test_other_chip_vcek(void **state)
{
	uint8_t *ev;
	size_t len;
	struct verdict v;

	ev = tu_read_file(DATA "gosev_milan_v2/report.bin", &len);
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &cfg);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_vcek_chip_mismatch));
	assert_true(verdict_has_error(&v, TP_ERR_vcek_tcb_mismatch));
	assert_true(verdict_has_error(&v, TP_ERR_snp_signature_invalid));
	assert_null(json_object_get(v.claims, "measurement"));
	verdict_free(&v);
	free(ev);
}

static void
test_product_mismatch(void **state)
{
	uint8_t *ev;
	size_t len;
	json_t *c;
	char *pem;

	ev = tu_read_file(DATA "teep_tinfoil_genoa_v3_20260629/report.bin",
	                  &len);
	/* Genoa report with the Milan chain. */
	pem = file_text("config/trust/ask_ark_milan.pem");
	c = coll_vcek(DATA "teep_tinfoil_genoa_v3_20260629/vcek.der", pem);
	expect_error(ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg,
	             TP_ERR_snp_product_mismatch);
	json_decref(c);
	free(pem);
	/* Genoa report (CPUID family 19h model 11h) with a Milan VCEK. */
	c = coll_vcek(DATA "gosev_milan_v2/vcek.der", NULL);
	expect_error(ev, len, NULL, c, at("2026-06-29T02:12:49Z"), &cfg,
	             TP_ERR_snp_product_mismatch);
	json_decref(c);
	free(ev);
}

/* --- A self-made ARK look-alike (made here, at test time). --- */

static EVP_PKEY *
rsa_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);

	assert_non_null(k);
	return k;
}

static void
pss_sign(X509 *x, EVP_PKEY *key)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	assert_non_null(ctx);
	assert_int_equal(
	        EVP_DigestSignInit(ctx, &pctx, EVP_sha384(), NULL, key), 1);
	assert_int_equal(
	        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48), 1);
	assert_true(X509_sign_ctx(x, ctx) > 0);
	EVP_MD_CTX_free(ctx);
}

/* A CA certificate with SUBJECT copied from MODEL, issued by ISSUER
 * (NULL: self-signed) with ISSUER_KEY. */
static X509 *
fake_ca(X509 *model, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x10000);
	X509_set_subject_name(x, X509_get_subject_name(model));
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
	                                       : X509_get_subject_name(model));
	X509_set1_notBefore(x, X509_get0_notBefore(model));
	X509_set1_notAfter(x, X509_get0_notAfter(model));
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	                          "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
	                          "critical,keyCertSign,cRLSign");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	pss_sign(x, issuer_key != NULL ? issuer_key : key);
	return x;
}

static void
append_pem(BIO *b, X509 *x)
{
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
}

static void
test_lookalike_ark(void **state)
{
	STACK_OF(X509) *real = x509_trust_file_certs("ask_ark_milan.pem");
	EVP_PKEY *ark_key = rsa_key(), *ask_key = rsa_key();
	X509 *ark, *ask, *vcek;
	uint8_t *ev, *der, *out = NULL;
	size_t len, n;
	int outlen;
	BIO *bio;
	BUF_MEM *mem;
	json_t *c;
	char *b64;
	const unsigned char *p;

	assert_non_null(real);
	ark = fake_ca(sk_X509_value(real, 1), ark_key, NULL, NULL);
	ask = fake_ca(sk_X509_value(real, 0), ask_key, ark, ark_key);
	/* The real VCEK (same key, extensions, names), re-signed by the
	 * look-alike ASK: every field but the signature is AMD's. */
	der = tu_read_file(DATA "virtee_milan_v2/vcek.der", &n);
	p = der;
	vcek = d2i_X509(NULL, &p, (long)n);
	assert_non_null(vcek);
	pss_sign(vcek, ask_key);
	outlen = i2d_X509(vcek, &out);
	assert_true(outlen > 0);
	b64 = codec_base64_encode(out, (size_t)outlen);

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	bio = BIO_new(BIO_s_mem());
	append_pem(bio, ask);
	append_pem(bio, ark);
	BIO_write(bio, "", 1);
	BIO_get_mem_ptr(bio, &mem);
	/* With the look-alike root in cert_chain: the root is not pinned. */
	c = json_pack("{s:s,s:s}", "vcek", b64, "cert_chain", mem->data);
	expect_error(ev, len, NULL, c, at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_certificate_chain_invalid);
	json_decref(c);
	/* With only the look-alike ASK: it does not verify under ARK-Milan. */
	(void)BIO_reset(bio);
	append_pem(bio, ask);
	BIO_write(bio, "", 1);
	BIO_get_mem_ptr(bio, &mem);
	c = json_pack("{s:s,s:s}", "vcek", b64, "cert_chain", mem->data);
	expect_error(ev, len, NULL, c, at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_certificate_chain_invalid);
	json_decref(c);
	/* With no chain: the re-signed VCEK does not verify under AMD's ASK. */
	c = json_pack("{s:s}", "vcek", b64);
	expect_error(ev, len, NULL, c, at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_certificate_chain_invalid);
	json_decref(c);

	/* A CRL signed by the look-alike ARK is refused too. */
	{
		X509_CRL *crl = X509_CRL_new();
		ASN1_TIME *t =
		        ASN1_TIME_set(NULL, (time_t)at("2023-01-01T00:00:00Z"));
		uint8_t *cder = NULL;
		int clen;
		char *cb64;
		json_t *c2;

		X509_CRL_set_version(crl, 1);
		X509_CRL_set_issuer_name(crl, X509_get_subject_name(ark));
		X509_CRL_set1_lastUpdate(crl, t);
		ASN1_TIME_free(t);
		t = ASN1_TIME_set(NULL, (time_t)at("2031-01-01T00:00:00Z"));
		X509_CRL_set1_nextUpdate(crl, t);
		ASN1_TIME_free(t);
		assert_true(X509_CRL_sign(crl, ark_key, EVP_sha384()) > 0);
		clen = i2d_X509_CRL(crl, &cder);
		cb64 = codec_base64_encode(cder, (size_t)clen);
		c2 = coll_vcek(DATA "virtee_milan_v2/vcek.der", NULL);
		json_object_set_new(c2, "crl", json_string(cb64));
		expect_error(ev, len, NULL, c2, at("2023-04-04T00:00:00Z"),
		             &cfg, TP_ERR_certificate_chain_invalid);
		json_decref(c2);
		free(cb64);
		OPENSSL_free(cder);
		X509_CRL_free(crl);
	}

	BIO_free(bio);
	free(ev);
	free(b64);
	OPENSSL_free(out);
	free(der);
	X509_free(vcek);
	X509_free(ask);
	X509_free(ark);
	EVP_PKEY_free(ask_key);
	EVP_PKEY_free(ark_key);
	sk_X509_pop_free(real, X509_free);
}

static void
test_policy(void **state)
{
	struct verify_config c = cfg;
	struct verdict v;
	uint8_t *ev;
	size_t len;
	char err[128];

	/* The cache size key: 0..10000000 entries, the default until set. */
	assert_int_equal(c.snp.cache_chips, SNP_CACHE_CHIPS_DEFAULT);
	assert_true(snp_policy_set(&c.snp, "cache_chips", "200000", err,
	                           sizeof(err)));
	assert_int_equal(c.snp.cache_chips, 200000);
	assert_false(
	        snp_policy_set(&c.snp, "cache_chips", "-1", err, sizeof(err)));
	assert_false(snp_policy_set(&c.snp, "cache_chips", "10000001", err,
	                            sizeof(err)));
	assert_false(
	        snp_policy_set(&c.snp, "cache_chips", "", err, sizeof(err)));
	assert_int_equal(c.snp.cache_chips, 200000);
	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	/* REPORTED_TCB microcode is 115 (MANIFEST): a minimum of 116. */
	assert_true(snp_policy_set(&c.snp, "min_tcb.microcode", "116", err,
	                           sizeof(err)));
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &c);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_snp_tcb_below_minimum));
	assert_string_equal(v.tcb_status, "OutOfDate");
	verdict_free(&v);
	assert_true(snp_policy_set(&c.snp, "allow_outdated_tcb", "true", err,
	                           sizeof(err)));
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &c);
	assert_true(verdict_valid(&v));
	assert_true(v.warning);
	assert_string_equal(v.tcb_status, "OutOfDate");
	verdict_free(&v);
	/* Exactly the minimum is UpToDate. */
	c = cfg;
	assert_true(snp_policy_set(&c.snp, "min_tcb.microcode", "115", err,
	                           sizeof(err)));
	assert_true(
	        snp_policy_set(&c.snp, "min_tcb.snp", "8", err, sizeof(err)));
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &c);
	assert_true(verdict_valid(&v));
	assert_string_equal(v.tcb_status, "UpToDate");
	verdict_free(&v);
	/* Launch TCB minimum. */
	c = cfg;
	assert_true(snp_policy_set(&c.snp, "min_launch_tcb.bl", "4", err,
	                           sizeof(err)));
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &c,
	             TP_ERR_snp_tcb_below_minimum);
	/* VMPL 0 not allowed. */
	c = cfg;
	assert_true(snp_policy_set(&c.snp, "allowed_vmpls", "1,2", err,
	                           sizeof(err)));
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &c, TP_ERR_policy_violation);
	/* Report version 2 below a minimum of 3. */
	c = cfg;
	assert_true(snp_policy_set(&c.snp, "min_report_version", "3", err,
	                           sizeof(err)));
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &c, TP_ERR_policy_violation);
	/* Keys and values refused. */
	assert_false(snp_policy_set(&c.snp, "nope", "1", err, sizeof(err)));
	assert_false(
	        snp_policy_set(&c.snp, "min_tcb.bl", "256", err, sizeof(err)));
	assert_false(
	        snp_policy_set(&c.snp, "min_tcb.x", "1", err, sizeof(err)));
	assert_false(
	        snp_policy_set(&c.snp, "allowed_vmpls", "4", err, sizeof(err)));
	assert_false(snp_policy_set(&c.snp, "min_report_version", "4", err,
	                            sizeof(err)));
	assert_false(snp_policy_set(&c.snp, "allow_vlek", "maybe", err,
	                            sizeof(err)));
	free(ev);
}

/* A collateral directory laid out as a KDS mirror:
 * {product}/{hwid}/{tcb}.der (made under /tmp at test time). */
static void
test_kds_layout(void **state)
{
	char tmpl[] = "/tmp/test_snp_XXXXXX", path[512], *dir;
	uint8_t *ev, *vcek;
	size_t len, vlen;
	struct verdict v;
	FILE *f;

	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	vcek = tu_read_file(DATA "virtee_milan_v2/vcek.der", &vlen);
	snprintf(path, sizeof(path), "%s/Milan", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	/* CHIP_ID and REPORTED_TCB from the MANIFEST. */
	snprintf(path, sizeof(path), "%s/Milan/%s", dir, samples[1].chip_id);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/Milan/%s/%s.der", dir,
	         samples[1].chip_id, samples[1].reported_raw);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(vcek, 1, vlen, f), vlen);
	fclose(f);
	run(&v, ev, len, dir, NULL, at("2023-04-04T00:00:00Z"), &cfg);
	if (!verdict_valid(&v))
		dump(&v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Milan/%s", dir, samples[1].chip_id);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/Milan", dir);
	rmdir(path);
	/* Nothing left: the VCEK is missing. */
	expect_error(ev, len, dir, NULL, at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_snp_vcek_missing);
	rmdir(dir);
	free(vcek);
	free(ev);
}

/* A report that names a VLEK (SIGNING_KEY = 1) given a VCEK, and a
 * directory without vlek.der. */
static void
test_vlek_named(void **state)
{
	uint8_t *ev;
	size_t len;
	json_t *c;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	ev[0x48] |= 1 << 2;
	c = coll_vcek(DATA "virtee_milan_v2/vcek.der", NULL);
	expect_error(ev, len, NULL, c, at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_snp_signing_key_mismatch);
	json_decref(c);
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &cfg, TP_ERR_snp_vcek_missing);
	/* SIGNING_KEY 7: no key signed the report. */
	ev[0x48] |= 7 << 2;
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_snp_report_unsigned);
	free(ev);
}

/* True when V has an error whose message contains S. */
static bool
has_message(const struct verdict *v, const char *s)
{
	size_t i;
	json_t *e;

	json_array_foreach(v->errors, i, e)
	{
		const char *m =
		        json_string_value(json_object_get(e, "message"));
		if (m != NULL && strstr(m, s) != NULL)
			return true;
	}
	return false;
}

/* One verification with the artifact set SET as it is. */
static void
run_set(struct verdict *v, const uint8_t *ev, size_t len,
        const struct artifact_set *set, int64_t now,
        const struct verify_config *c)
{
	struct verify_request req;

	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = len;
	req.artifacts = set;
	req.now = now;
	req.cfg = c;
	verify_run(&req, v);
}

/* A VCEK keyed as the collateral service keys it (snp_vcek_key) is taken;
 * one keyed for another TCB is not. */
static void
test_keyed_vcek(void **state)
{
	struct artifact_set set;
	struct snp_report rep;
	struct verdict v;
	uint8_t *ev, *vcek;
	size_t len, vlen;
	char key[160], why[256];

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	vcek = tu_read_file(DATA "virtee_milan_v2/vcek.der", &vlen);
	assert_true(snp_report_parse(ev, len, &rep, why, sizeof(why)));
	assert_true(
	        snp_report_vcek_key(&rep, SNP_PRODUCT_MILAN, key, sizeof(key)));
	/* MANIFEST: REPORTED_TCB bl 3, tee 0, snp 8, microcode 115. */
	assert_non_null(strstr(key, "Milan/"));
	assert_non_null(strstr(key, samples[1].chip_id));
	assert_string_equal(key + strlen(key) - 10, "/3.0.8.115");
	artifact_set_init(&set);
	assert_true(artifact_set_add(&set, ARTIFACT_AMD_VCEK, key, vcek, vlen,
	                             NULL, 0, "amd_kds", 0));
	run_set(&v, ev, len, &set, at("2023-04-04T00:00:00Z"), &cfg);
	if (!verdict_valid(&v))
		dump(&v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	artifact_set_clear(&set);
	key[strlen(key) - 3] = '9'; /* microcode 915 */
	assert_true(artifact_set_add(&set, ARTIFACT_AMD_VCEK, key, vcek, vlen,
	                             NULL, 0, "amd_kds", 0));
	run_set(&v, ev, len, &set, at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_has_error(&v, TP_ERR_snp_vcek_missing));
	verdict_free(&v);
	artifact_set_clear(&set);
	free(vcek);
	free(ev);
}

static void
write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* The KDS layout is loaded keyed by product, hwid and decoded TCB; a
 * mirror's VCEK filed under another TCB is not this report's. */
static void
test_kds_layout_keys(void **state)
{
	char tmpl[] = "/tmp/test_snp_XXXXXX", path[512], want[160], why[256];
	struct artifact_set set;
	struct snp_report rep;
	uint8_t *ev, *vcek;
	size_t len, vlen;
	char *dir;

	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	vcek = tu_read_file(DATA "virtee_milan_v2/vcek.der", &vlen);
	assert_true(snp_report_parse(ev, len, &rep, why, sizeof(why)));
	snprintf(path, sizeof(path), "%s/Milan", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/Milan/%s", dir, samples[1].chip_id);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/Milan/%s/%s.der", dir,
	         samples[1].chip_id, samples[1].reported_raw);
	write_file(path, vcek, vlen);
	load_set(&set, dir, NULL, &cfg);
	assert_int_equal(artifact_set_count(&set, ARTIFACT_AMD_VCEK), 1);
	assert_true(snp_report_vcek_key(&rep, SNP_PRODUCT_MILAN, want,
	                                sizeof(want)));
	assert_string_equal(artifact_set_nth(&set, ARTIFACT_AMD_VCEK, 0)->key,
	                    want);
	assert_string_equal(
	        artifact_set_nth(&set, ARTIFACT_AMD_VCEK, 0)->source,
	        "directory");
	artifact_set_clear(&set);
	unlink(path);
	/* The same certificate filed under another REPORTED_TCB. */
	snprintf(path, sizeof(path), "%s/Milan/%s/7308000000000004.der", dir,
	         samples[1].chip_id);
	write_file(path, vcek, vlen);
	expect_error(ev, len, dir, NULL, at("2023-04-04T00:00:00Z"), &cfg,
	             TP_ERR_snp_vcek_missing);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Milan/%s", dir, samples[1].chip_id);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/Milan", dir);
	rmdir(path);
	rmdir(dir);
	free(vcek);
	free(ev);
}

/* The export file name of the VCEK report FILE names (Milan): its cache
 * key with '/' as '_', as `teepass collateral export` writes it. */
static void
export_name(const char *file, char *out, size_t n)
{
	struct snp_report rep;
	char why[200];
	uint8_t *b;
	size_t len;

	b = tu_read_file(file, &len);
	assert_true(snp_report_parse(b, len, &rep, why, sizeof(why)));
	assert_true(snp_report_vcek_key(&rep, SNP_PRODUCT_MILAN, out, n));
	for (char *c = out; *c != '\0'; c++)
		if (*c == '/')
			*c = '_';
	free(b);
}

/* The export layout (DIR/amd_vcek/<key>.der) of two chips, as a cache
 * that served both exports it: the VCEK of the report's chip and TCB is
 * taken, whichever the directory lists first. */
static void
test_export_two_chips(void **state)
{
	char tmpl[] = "/tmp/test_snp_XXXXXX", sub[512], a[1024], b[1024];
	char na[200], nb[200];
	uint8_t *ev, *mine, *other;
	size_t len, n1, n2;
	struct verdict v;
	char *dir;

	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	mine = tu_read_file(DATA "virtee_milan_v2/vcek.der", &n1);
	other = tu_read_file(DATA "gosev_milan_v2/vcek.der", &n2);
	export_name(DATA "virtee_milan_v2/report.bin", na, sizeof(na));
	export_name(DATA "gosev_milan_v2/report.bin", nb, sizeof(nb));
	assert_string_not_equal(na, nb);
	snprintf(sub, sizeof(sub), "%s/amd_vcek", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(a, sizeof(a), "%s/%s.der", sub, na);
	snprintf(b, sizeof(b), "%s/%s.der", sub, nb);
	write_file(a, mine, n1);
	write_file(b, other, n2);
	run(&v, ev, len, dir, NULL, at("2023-04-04T00:00:00Z"), &cfg);
	if (!verdict_valid(&v))
		dump(&v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	/* Only the other chip's: not taken, so the VCEK is missing. */
	unlink(a);
	run(&v, ev, len, dir, NULL, at("2023-04-04T00:00:00Z"), &cfg);
	assert_false(verdict_valid(&v));
	verdict_free(&v);
	unlink(b);
	rmdir(sub);
	rmdir(dir);
	free(other);
	free(mine);
	free(ev);
}

/* A lone "vlek" member holding the VCEK of a VCEK-signed report is taken,
 * as before; a malformed "vlek" beside a good "vcek" is moot. */
static void
test_lone_other_member(void **state)
{
	uint8_t *ev;
	size_t len;
	struct verdict v;
	json_t *c, *vc;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	vc = coll_vcek(DATA "virtee_milan_v2/vcek.der", NULL);
	c = json_pack("{s:O}", "vlek", json_object_get(vc, "vcek"));
	run(&v, ev, len, NULL, c, at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	json_decref(c);
	json_object_set_new(vc, "vlek", json_string("not base64!"));
	run(&v, ev, len, NULL, vc, at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	/* The report's own kind malformed: refused, whatever the other. */
	c = json_pack("{s:s,s:O}", "vcek", "not base64!", "vlek",
	              json_object_get(vc, "vcek"));
	run(&v, ev, len, NULL, c, at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_has_error(&v, TP_ERR_collateral_invalid));
	assert_true(has_message(&v, "collateral.vcek: want PEM text"));
	verdict_free(&v);
	json_decref(c);
	json_decref(vc);
	free(ev);
}

/* The extended report's certificate comes first: a malformed key member
 * or an unreadable path is then moot, a malformed CRL is not. */
static void
test_table_first(void **state)
{
	static const uint8_t guid[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64,
	                                 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9,
	                                 0x3b, 0xe8, 0xac, 0xcd};
	uint8_t *ev, *vcek, *ext;
	size_t len, vlen, tlen;
	struct verdict v;
	json_t *c;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	vcek = tu_read_file(DATA "virtee_milan_v2/vcek.der", &vlen);
	tlen = 48 + vlen;
	ext = calloc(1, len + tlen);
	memcpy(ext, ev, len);
	memcpy(ext + len, guid, 16);
	ext[len + 16] = 48;
	ext[len + 20] = (uint8_t)vlen;
	ext[len + 21] = (uint8_t)(vlen >> 8);
	memcpy(ext + len + 48, vcek, vlen);
	c = json_pack("{s:s}", "vcek", "not base64!");
	run(&v, ext, len + tlen, NULL, c, at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	json_decref(c);
	run(&v, ext, len + tlen, "/nonexistent/collateral", NULL,
	    at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	c = json_pack("{s:s}", "crl", "not base64!");
	run(&v, ext, len + tlen, NULL, c, at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_has_error(&v, TP_ERR_collateral_invalid));
	assert_true(has_message(&v, "collateral.crl: want PEM text"));
	verdict_free(&v);
	json_decref(c);
	c = json_string("vcek");
	run(&v, ext, len + tlen, NULL, c, at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_has_error(&v, TP_ERR_collateral_invalid));
	assert_true(has_message(&v, "collateral: want a JSON object"));
	verdict_free(&v);
	json_decref(c);
	/* Without the table, the unreadable path is named. */
	run(&v, ev, len, "/nonexistent/collateral", NULL,
	    at("2023-04-04T00:00:00Z"), &cfg);
	assert_true(verdict_has_error(&v, TP_ERR_collateral_invalid));
	assert_true(has_message(&v, "collateral path: cannot be read"));
	verdict_free(&v);
	free(ext);
	free(vcek);
	free(ev);
}

/* snp.crl_file is the fallback: a CRL the request brings is used and an
 * unreadable configured file then does not matter, as before. */
static void
test_crl_file_fallback(void **state)
{
	struct verify_config c = cfg;
	struct verdict v;
	uint8_t *ev;
	size_t len;
	char err[128];
	json_t *coll;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	assert_true(snp_policy_set(&c.snp, "crl_file", "/nonexistent/crl.der",
	                           err, sizeof(err)));
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &c);
	assert_true(verdict_has_error(&v, TP_ERR_collateral_invalid));
	assert_true(has_message(&v, "snp.crl_file: cannot be read"));
	verdict_free(&v);
	/* "bm90IGEgQ1JM" is base64 of "not a CRL". */
	coll = coll_vcek(DATA "virtee_milan_v2/vcek.der", NULL);
	json_object_set_new(coll, "crl", json_string("bm90IGEgQ1JM"));
	run(&v, ev, len, NULL, coll, at("2023-04-04T00:00:00Z"), &c);
	assert_true(verdict_has_error(&v, TP_ERR_collateral_invalid));
	assert_true(has_message(&v, "crl: not a DER or PEM CRL"));
	assert_false(has_message(&v, "snp.crl_file"));
	verdict_free(&v);
	json_decref(coll);
	/* A readable file that is not a CRL: checked like a supplied one. */
	assert_true(snp_policy_set(&c.snp, "crl_file",
	                           DATA "virtee_milan_v2/report.bin", err,
	                           sizeof(err)));
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &c);
	assert_true(has_message(&v, "crl: not a DER or PEM CRL"));
	verdict_free(&v);
	free(ev);
}

/* Phase 1 names the VCEK the report's chip id and reported TCB name
 * (alternatives for a v2 report) and the product's optional chain and
 * CRL; nothing for an extended report or a masked chip id. */
static void
test_needs(void **state)
{
	struct verify_request req;
	struct verify_evidence ev;
	struct snp_report rep;
	struct verdict v;
	uint8_t *g, *m, *ext;
	size_t glen, mlen;
	char key[160], why[256];

	g = tu_read_file(DATA "teep_tinfoil_genoa_v3_20260629/report.bin",
	                 &glen);
	m = tu_read_file(DATA "virtee_milan_v2/report.bin", &mlen);
	memset(&req, 0, sizeof(req));
	req.evidence = g;
	req.evidence_len = glen;
	req.now = at("2026-06-29T02:12:49Z");
	req.cfg = &cfg;
	verify_begin(&req, &v, &ev);
	assert_false(ev.done);
	assert_int_equal(ev.needs.n, 3);
	assert_true(snp_report_parse(g, glen, &rep, why, sizeof(why)));
	assert_true(
	        snp_report_vcek_key(&rep, SNP_PRODUCT_GENOA, key, sizeof(key)));
	assert_int_equal(ev.needs.items[0].kind, ARTIFACT_AMD_VCEK);
	assert_string_equal(ev.needs.items[0].key, key);
	assert_false(ev.needs.items[0].optional);
	assert_int_equal(ev.needs.items[1].kind, ARTIFACT_AMD_CERT_CHAIN);
	assert_string_equal(ev.needs.items[1].key, "Genoa");
	assert_true(ev.needs.items[1].optional);
	assert_int_equal(ev.needs.items[2].kind, ARTIFACT_AMD_CRL);
	assert_string_equal(ev.needs.items[2].key, "Genoa");
	assert_true(ev.needs.items[2].optional);
	verify_evidence_free(&ev);
	verdict_free(&v);

	/* v2: Milan, Genoa, Turin as alternatives; chain and CRL of the
	 * product had (key ""). */
	req.evidence = m;
	req.evidence_len = mlen;
	verify_begin(&req, &v, &ev);
	assert_int_equal(ev.needs.n, 5);
	assert_true(snp_report_parse(m, mlen, &rep, why, sizeof(why)));
	for (int i = 0; i < 3; i++) {
		assert_true(snp_report_vcek_key(
		        &rep, (enum snp_product)(SNP_PRODUCT_MILAN + i), key,
		        sizeof(key)));
		assert_int_equal(ev.needs.items[i].kind, ARTIFACT_AMD_VCEK);
		assert_string_equal(ev.needs.items[i].key, key);
		assert_int_equal(ev.needs.items[i].group, 1);
	}
	assert_string_equal(ev.needs.items[3].key, "");
	assert_true(ev.needs.items[3].optional);
	assert_string_equal(ev.needs.items[4].key, "");
	verify_evidence_free(&ev);
	verdict_free(&v);

	/* An extended report (an empty table) carries its own key. */
	ext = calloc(1, mlen + 24);
	memcpy(ext, m, mlen);
	req.evidence = ext;
	req.evidence_len = mlen + 24;
	verify_begin(&req, &v, &ev);
	assert_false(ev.done);
	assert_int_equal(ev.needs.n, 0);
	verify_evidence_free(&ev);
	verdict_free(&v);
	free(ext);

	/* A masked (zero) chip id names no VCEK. */
	memset(m + 0x1A0, 0, 64);
	req.evidence = m;
	req.evidence_len = mlen;
	verify_begin(&req, &v, &ev);
	assert_int_equal(ev.needs.n, 0);
	verify_evidence_free(&ev);
	verdict_free(&v);

	/* A report that does not parse: the verdict is final. */
	m[0] = 4;
	verify_begin(&req, &v, &ev);
	assert_true(ev.done);
	assert_true(
	        verdict_has_error(&v, TP_ERR_snp_report_version_unsupported));
	verify_evidence_free(&ev);
	verdict_free(&v);
	free(m);
	free(g);
}

/* Several threads verifying at once share the roots and the cache. */
struct thread_arg {
	const struct sample *s;
	int valid;
};

static void *
thread_main(void *p)
{
	struct thread_arg *a = p;
	char path[256];
	uint8_t *ev;
	size_t len;
	struct verify_config c = cfg;

	c.allow_debug = true;
	snprintf(path, sizeof(path), DATA "%s/report.bin", a->s->dir);
	ev = tu_read_file(path, &len);
	snprintf(path, sizeof(path), DATA "%s", a->s->dir);
	for (int i = 0; i < 20; i++) {
		struct verdict v;
		run(&v, ev, len, path, NULL, at(a->s->time), &c);
		a->valid += verdict_valid(&v);
		verdict_free(&v);
	}
	free(ev);
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[8];
	struct thread_arg a[8];

	for (int i = 0; i < 8; i++) {
		a[i].s = &samples[i % 4];
		a[i].valid = 0;
		assert_int_equal(
		        pthread_create(&t[i], NULL, thread_main, &a[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(a[i].valid, 20);
	}
}

/* snp_ecdsa_p384_verify agrees with the shared ecdsa_verify_raw. */
static void
test_ecdsa_agrees(void **state)
{
	uint8_t *ev, *der, r[48], sg[48];
	size_t len, n;
	const unsigned char *p;
	X509 *x;
	EVP_PKEY *pub;

	ev = tu_read_file(DATA "gosev_milan_v2/report.bin", &len);
	der = tu_read_file(DATA "gosev_milan_v2/vcek.der", &n);
	p = der;
	x = d2i_X509(NULL, &p, (long)n);
	assert_non_null(x);
	pub = X509_get0_pubkey(x);
	for (int i = 0; i < 48; i++) {
		r[i] = ev[0x2A0 + 47 - i];
		sg[i] = ev[0x2E8 + 47 - i];
	}
	assert_true(snp_ecdsa_p384_verify(pub, ev, 0x2A0, r, sg));
	assert_true(ecdsa_verify_raw(pub, EVP_sha384(), ev, 0x2A0, r, sg, 48));
	ev[0x100] ^= 1;
	assert_false(snp_ecdsa_p384_verify(pub, ev, 0x2A0, r, sg));
	assert_false(ecdsa_verify_raw(pub, EVP_sha384(), ev, 0x2A0, r, sg, 48));
	ev[0x100] ^= 1;
	sg[47] ^= 1;
	assert_false(snp_ecdsa_p384_verify(pub, ev, 0x2A0, r, sg));
	assert_false(snp_ecdsa_p384_verify(NULL, ev, 0x2A0, r, sg));
	X509_free(x);
	free(der);
	free(ev);
}

/* TCB_VERSION layouts (ABI spec): Milan/Genoa and Turin (with FMC). */
static void
test_tcb_layouts(void **state)
{
	struct snp_tcb t;

	/* MANIFEST: 4405000000000002 = bl 2, tee 0, snp 5, microcode 68. */
	snp_tcb_decode(0x4405000000000002ULL, SNP_PRODUCT_MILAN, &t);
	assert_int_equal(t.bl, 2);
	assert_int_equal(t.tee, 0);
	assert_int_equal(t.snp, 5);
	assert_int_equal(t.microcode, 68);
	assert_false(t.has_fmc);
	/* Turin: FMC 7:0, BL 15:8, TEE 23:16, SNP 31:24, MICROCODE 63:56. */
	snp_tcb_decode(0x4800000004030201ULL, SNP_PRODUCT_TURIN, &t);
	assert_true(t.has_fmc);
	assert_int_equal(t.fmc, 1);
	assert_int_equal(t.bl, 2);
	assert_int_equal(t.tee, 3);
	assert_int_equal(t.snp, 4);
	assert_int_equal(t.microcode, 0x48);
}

/* Version 3 CPUID fields (MANIFEST: 25/17/1), version 5 mitigation
 * vectors at 0x1F8/0x200, versions 1 and 4 refused. */
static void
test_report_versions(void **state)
{
	struct snp_report rep;
	uint8_t *ev;
	size_t len;
	char why[256];

	ev = tu_read_file(DATA "teep_tinfoil_genoa_v3_20260629/report.bin",
	                  &len);
	assert_true(snp_report_parse(ev, len, &rep, why, sizeof(why)));
	assert_int_equal(rep.version, 3);
	assert_int_equal(rep.cpuid_fam, 25);
	assert_int_equal(rep.cpuid_mod, 17);
	assert_int_equal(rep.cpuid_step, 1);
	assert_int_equal(rep.platform_info, 0x27);
	assert_int_equal(snp_report_product(&rep), SNP_PRODUCT_GENOA);
	ev[0] = 5;
	ev[0x1F8] = 0x11;
	ev[0x200] = 0x22;
	assert_true(snp_report_parse(ev, len, &rep, why, sizeof(why)));
	assert_int_equal(rep.launch_mit_vector, 0x11);
	assert_int_equal(rep.current_mit_vector, 0x22);
	ev[0] = 4;
	assert_false(snp_report_parse(ev, len, &rep, why, sizeof(why)));
	ev[0] = 1;
	assert_false(snp_report_parse(ev, len, &rep, why, sizeof(why)));
	free(ev);
	ev = tu_read_file(DATA "gosev_milan_v2/report.bin", &len);
	assert_true(snp_report_parse(ev, len, &rep, why, sizeof(why)));
	/* v2: CPUID fields are reserved; the product comes from the VCEK. */
	assert_int_equal(snp_report_product(&rep), SNP_PRODUCT_UNKNOWN);
	assert_int_equal(rep.platform_info, 0x1);
	assert_int_equal(rep.current_major, 1);
	assert_int_equal(rep.current_minor, 49);
	assert_int_equal(rep.current_build, 3);
	free(ev);
}

/* snp.crl_file: a configured CRL is checked like a supplied one. */
static void
test_crl_file(void **state)
{
	struct verify_config c = cfg;
	uint8_t *ev;
	size_t len;
	char err[128];

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	assert_true(snp_policy_set(&c.snp, "crl_file",
	                           DATA "virtee_milan_v2/report.bin", err,
	                           sizeof(err)));
	/* Not a CRL. */
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &c, TP_ERR_collateral_invalid);
	assert_true(snp_policy_set(&c.snp, "crl_file", "/nonexistent/crl.der",
	                           err, sizeof(err)));
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &c, TP_ERR_collateral_invalid);
	free(ev);
}

/* Without a CRL the report stays valid with revocation said unchecked;
 * snp.require_crl refuses it instead. */
static void
test_require_crl(void **state)
{
	struct verify_config c = cfg;
	struct verdict v;
	uint8_t *ev;
	size_t len;
	char err[128];

	(void)state;
	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	run(&v, ev, len, DATA "virtee_milan_v2", NULL,
	    at("2023-04-04T00:00:00Z"), &c);
	assert_true(verdict_valid(&v));
	assert_string_equal(claim_str(&v, "amd_crl"), "unchecked");
	verdict_free(&v);
	assert_false(snp_policy_set(&c.snp, "require_crl", "maybe", err,
	                            sizeof(err)));
	assert_true(snp_policy_set(&c.snp, "require_crl", "true", err,
	                           sizeof(err)));
	expect_error(ev, len, DATA "virtee_milan_v2", NULL,
	             at("2023-04-04T00:00:00Z"), &c, TP_ERR_policy_violation);
	free(ev);
}

/* As of the day this test was written (2026-11-23), every sample's VCEK,
 * ASK and ARK are inside their validity (MANIFEST dates). */
static void
test_as_of_today(void **state)
{
	struct verify_config c = cfg;

	c.allow_debug = true; /* the go-sev-guest guest has DEBUG set */
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char path[256];
		uint8_t *ev;
		size_t len;
		struct verdict v;

		snprintf(path, sizeof(path), DATA "%s/report.bin",
		         samples[i].dir);
		ev = tu_read_file(path, &len);
		snprintf(path, sizeof(path), DATA "%s", samples[i].dir);
		run(&v, ev, len, path, NULL, at("2026-11-23T00:00:00Z"), &c);
		if (!verdict_valid(&v))
			dump(&v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
		free(ev);
	}
}

/* Detection: every sample is recognised; other bytes are not. */
static void
test_detect(void **state)
{
	static const uint8_t junk[64] = {0x03, 0x00, 0x02, 0x00, 0x81};
	uint8_t *ev;
	size_t len;

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), DATA "%s/report.bin",
		         samples[i].dir);
		ev = tu_read_file(path, &len);
		assert_int_equal(provider_detect(ev, len),
		                 TP_PROVIDER_AMD_SEV_SNP);
		free(ev);
	}
	assert_false(provider_amd_sev_snp.detect(junk, sizeof(junk)));
	assert_false(provider_amd_sev_snp.detect(junk, 0));
}

/* Random single-byte changes anywhere in a report: never valid. */
static void
test_random_mutations(void **state)
{
	uint8_t *ev;
	size_t len;
	struct artifact_set set;
	unsigned seed = 12345;

	ev = tu_read_file(DATA "virtee_milan_v2/report.bin", &len);
	load_set(&set, DATA "virtee_milan_v2", NULL, &cfg);
	for (int i = 0; i < 200; i++) {
		struct verify_request req;
		struct verdict v;
		size_t off;
		uint8_t x;

		seed = seed * 1103515245u + 12345u;
		off = (seed >> 8) % len;
		x = (uint8_t)(1u + ((seed >> 20) % 255u));
		ev[off] ^= x;
		memset(&req, 0, sizeof(req));
		req.evidence = ev;
		req.evidence_len = len;
		req.artifacts = &set;
		req.now = at("2023-04-04T00:00:00Z");
		req.cfg = &cfg;
		verdict_init(&v, TP_PROVIDER_AMD_SEV_SNP, req.now);
		provider_amd_sev_snp.verify(&req, &v);
		if (verdict_valid(&v))
			print_message("valid after change at 0x%zx\n", off);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
		ev[off] ^= x;
	}
	free(ev);
	artifact_set_clear(&set);
}

/* The roots: each ARK pinned and loaded, ASK and ASVK under it. */
static void
test_roots(void **state)
{
	for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++) {
		const struct snp_roots *r = snp_roots_get(p);
		assert_non_null(r);
		assert_non_null(r->ark);
		assert_non_null(r->ask);
		assert_non_null(r->asvk);
	}
	assert_null(snp_roots_get(SNP_PRODUCT_UNKNOWN));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roots),
	        cmocka_unit_test(test_chip_cache),
	        cmocka_unit_test(test_samples),
	        cmocka_unit_test(test_debug_allowed),
	        cmocka_unit_test(test_expiry_claims),
	        cmocka_unit_test(test_validity_window),
	        cmocka_unit_test(test_flipped_bytes),
	        cmocka_unit_test(test_truncation),
	        cmocka_unit_test(test_trailing_bytes),
	        cmocka_unit_test(test_extended_report),
	        cmocka_unit_test(test_collateral_json),
	        cmocka_unit_test(test_other_chip_vcek),
	        cmocka_unit_test(test_product_mismatch),
	        cmocka_unit_test(test_lookalike_ark),
	        cmocka_unit_test(test_policy),
	        cmocka_unit_test(test_kds_layout),
	        cmocka_unit_test(test_vlek_named),
	        cmocka_unit_test(test_keyed_vcek),
	        cmocka_unit_test(test_kds_layout_keys),
	        cmocka_unit_test(test_export_two_chips),
	        cmocka_unit_test(test_lone_other_member),
	        cmocka_unit_test(test_table_first),
	        cmocka_unit_test(test_crl_file_fallback),
	        cmocka_unit_test(test_needs),
	        cmocka_unit_test(test_threads),
	        cmocka_unit_test(test_ecdsa_agrees),
	        cmocka_unit_test(test_tcb_layouts),
	        cmocka_unit_test(test_report_versions),
	        cmocka_unit_test(test_crl_file),
	        cmocka_unit_test(test_require_crl),
	        cmocka_unit_test(test_as_of_today),
	        cmocka_unit_test(test_detect),
	        cmocka_unit_test(test_random_mutations),
	};

	verify_config_defaults(&cfg);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
