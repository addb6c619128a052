/*
 * Google Compute Engine vTPM evidence (verify/gcp/): go-tpm-tools'
 * gce-cos-85-nonce9009 Attestation of tests/data/gcp (MANIFEST.md gives
 * the expected values), end to end through verify_run, and hostile
 * variants: another nonce, a time outside the AK certificate, every byte
 * of each TPMS_ATTEST flipped, other AK certificates, every truncation,
 * a tampered event log.
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
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "verify/eventlog/eventlog.h"
#include "verify/gcp/gcp_attest.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define DIR "tests/data/gcp/gotpm_gce_cos85_nonce9009/"

/* From tests/data/gcp/MANIFEST.md. */
#define T_VALID  1767225600 /* 2026-01-01T00:00:00Z */
#define T_AFTER  2592000000 /* 2052-02-21, after notAfter 2051-08-24 */
#define T_BEFORE 1609459200 /* 2021-01-01, before notBefore 2021-08-31 */
#define AK_NAME                                                                \
	"000bf175bdb57297b2b289973f819863d6c9d09c236725676914f4248c9a2404c2a4"
#define AK_SERIAL "15c189200bf3dcc5ee8d6700145145df04177"
#define AK_ISSUER_CN                                                           \
	"CN=tpm_ek_v1_cloud_host-signer-0-2020-10-22T14:02:08-07:00 K:1\\, "   \
	"2:HBNpA3TPAbM:0:18"
/* The AK certificate's extension 1.3.6.1.4.1.11129.2.1.21 as `openssl
 * asn1parse` shows it (MANIFEST.md). */
#define GCE_ZONE           "us-central1-a"
#define GCE_PROJECT        "google.com:wuale-gcp-testing"
#define GCE_NAME           "cos-test"
#define GCE_PROJECT_NUMBER 0x1b5a475c69LL
#define GCE_INSTANCE_ID    0x5e53e3fbbf8306c5LL
static const uint8_t nonce9009[] = {0x90, 0x09};

static uint8_t *pb;
static size_t pb_len;

static int
setup(void **state)
{
	(void)state;
	pb = tu_read_file(DIR "attestation.pb", &pb_len);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(pb);
	return 0;
}

/* Verifies BUF at NOW with NONCE (NULL: none), the provider given
 * explicitly when FORCE, else detected. */
static void
run_at(const uint8_t *buf, size_t len, const uint8_t *nonce, size_t nonce_len,
       int64_t now, bool force, const uint8_t *log, size_t log_len,
       struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;

	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = force ? TP_PROVIDER_GCP_VTPM : TP_PROVIDER_NONE;
	req.nonce = nonce;
	req.nonce_len = nonce_len;
	req.event_log = log;
	req.event_log_len = log_len;
	req.now = now;
	req.cfg = &cfg;
	verify_run(&req, v);
	verify_config_free(&cfg);
}

static void
run(const uint8_t *buf, size_t len, struct verdict *v)
{
	run_at(buf, len, nonce9009, sizeof(nonce9009), T_VALID, false, NULL, 0,
	       v);
}

static void
test_detect(void **state)
{
	size_t n;
	uint8_t *other = tu_read_file(DIR "ak_cert.der", &n);

	(void)state;
	assert_int_equal(provider_detect(pb, pb_len), TP_PROVIDER_GCP_VTPM);
	assert_int_equal(provider_detect(other, n), TP_PROVIDER_NONE);
	assert_false(gcp_attestation_detect(pb, 5));
	free(other);
}

/* The parse finds exactly the fields the MANIFEST lists. */
static void
test_parse_fields(void **state)
{
	static const char *const banks[] = {"sha1", "sha256", "sha384"};
	struct gcp_attestation a;
	char why[256];
	size_t n;
	uint8_t *f;

	(void)state;
	assert_true(gcp_attestation_parse(pb, pb_len, &a, why, sizeof(why)));
	f = tu_read_file(DIR "ak_pub.tpmt", &n);
	assert_int_equal(a.ak_pub_len, n);
	assert_memory_equal(a.ak_pub, f, n);
	free(f);
	f = tu_read_file(DIR "ak_cert.der", &n);
	assert_int_equal(a.ak_cert_len, n);
	assert_memory_equal(a.ak_cert, f, n);
	free(f);
	f = tu_read_file(DIR "eventlog.bin", &n);
	assert_int_equal(a.event_log_len, n);
	assert_memory_equal(a.event_log, f, n);
	free(f);
	assert_int_equal(a.n_quotes, 3);
	assert_int_equal(a.n_inter, 0);
	for (size_t i = 0; i < 3; i++) {
		char path[128];

		snprintf(path, sizeof(path), DIR "quote_%s_attest.bin",
		         banks[i]);
		f = tu_read_file(path, &n);
		assert_int_equal(a.quotes[i].attest_len, n);
		assert_memory_equal(a.quotes[i].attest, f, n);
		free(f);
		snprintf(path, sizeof(path), DIR "quote_%s_sig.tpmt", banks[i]);
		f = tu_read_file(path, &n);
		assert_int_equal(a.quotes[i].sig_len, n);
		assert_memory_equal(a.quotes[i].sig, f, n);
		free(f);
		assert_string_equal(tpm_alg_name(a.quotes[i].pcrs.alg[0]),
		                    banks[i]);
		for (int p = 0; p < TPM_PCR_COUNT; p++)
			assert_true(a.quotes[i].pcrs.have[0][p]);
	}
}

static void
test_ak_public(void **state)
{
	size_t n, nl = 0;
	uint8_t *f = tu_read_file(DIR "ak_pub.tpmt", &n), name[TPM_MAX_HA];
	uint32_t attrs = 0;
	char why[256], hex[2 * TPM_MAX_HA + 1];
	EVP_PKEY *k;

	(void)state;
	k = gcp_tpmt_public_key(f, n, &attrs, name, &nl, why, sizeof(why));
	assert_non_null(k);
	assert_int_equal(attrs, 0x50072);
	assert_int_equal(EVP_PKEY_get_bits(k), 2048);
	for (size_t i = 0; i < nl; i++)
		snprintf(hex + 2 * i, 3, "%02x", name[i]);
	assert_string_equal(hex, AK_NAME);
	EVP_PKEY_free(k);
	/* Every truncation and a trailing byte are refused. */
	for (size_t cut = 0; cut < n; cut++)
		assert_null(gcp_tpmt_public_key(f, cut, &attrs, name, &nl, why,
		                                sizeof(why)));
	f = realloc(f, n + 1);
	f[n] = 0;
	assert_null(gcp_tpmt_public_key(f, n + 1, &attrs, name, &nl, why,
	                                sizeof(why)));
	assert_non_null(strstr(why, "trailing"));
	free(f);
}

static void
test_valid(void **state)
{
	struct verdict v;
	json_t *pcrs, *comp, *gce;

	(void)state;
	run(pb, pb_len, &v);
	assert_verdict_valid(&v);
	assert_int_equal(v.provider, TP_PROVIDER_GCP_VTPM);
	assert_true(v.hardware_verified);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_string_equal(claim(&v, "ak_name"), AK_NAME);
	assert_string_equal(claim(&v, "ak_cert_serial"), AK_SERIAL);
	assert_string_equal(claim(&v, "ak_cert_subject"), "");
	assert_non_null(strstr(claim(&v, "ak_cert_issuer"), AK_ISSUER_CN));
	assert_string_equal(claim(&v, "extra_data"), "9009");
	gce = json_object_get(v.claims, "gce_instance");
	assert_string_equal(json_string_value(json_object_get(gce, "zone")),
	                    GCE_ZONE);
	assert_string_equal(
	        json_string_value(json_object_get(gce, "project_id")),
	        GCE_PROJECT);
	assert_string_equal(
	        json_string_value(json_object_get(gce, "instance_name")),
	        GCE_NAME);
	assert_true(json_integer_value(json_object_get(
	                    gce, "project_number")) == GCE_PROJECT_NUMBER);
	assert_true(json_integer_value(json_object_get(gce, "instance_id")) ==
	            GCE_INSTANCE_ID);
	pcrs = json_object_get(v.claims, "pcrs");
	assert_int_equal(json_object_size(json_object_get(pcrs, "sha1")), 24);
	assert_int_equal(json_object_size(json_object_get(pcrs, "sha256")), 24);
	assert_int_equal(json_object_size(json_object_get(pcrs, "sha384")), 24);
	assert_true(check_passed(&v, "gcp_event_log_replay"));
	comp = json_object_get(v.claims, "components");
	assert_true(json_array_size(comp) > 0);
	assert_non_null(strstr(json_string_value(json_object_get(
	                               json_array_get(comp, 0), "digest")),
	                       "sha256:"));
	verdict_free(&v);
	/* Without a nonce the signatures still verify. */
	run_at(pb, pb_len, NULL, 0, T_VALID, false, NULL, 0, &v);
	assert_true(v.signature_valid == TP_TRUE);
	assert_true(v.hardware_verified);
	verdict_free(&v);
}

/* The event log sent beside it replays in the common appraisal too. */
static void
test_request_event_log(void **state)
{
	struct verdict v;
	size_t n;
	uint8_t *log = tu_read_file(DIR "eventlog.bin", &n);

	(void)state;
	run_at(pb, pb_len, nonce9009, 2, T_VALID, false, log, n, &v);
	assert_verdict_valid(&v);
	assert_true(check_passed(&v, "event_log_replay"));
	verdict_free(&v);
	free(log);
}

static void
test_wrong_nonce(void **state)
{
	static const uint8_t other[] = {0x90, 0x10};
	struct verdict v;

	(void)state;
	run_at(pb, pb_len, other, 2, T_VALID, false, NULL, 0, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_error(&v), "tpm_nonce_mismatch");
	assert_int_equal(v.fresh, TP_FALSE);
	verdict_free(&v);
}

static void
test_validity(void **state)
{
	struct verdict v;

	(void)state;
	/* test_valid cached the chain: the cache must not serve it outside
	 * the certificate's validity. */
	run_at(pb, pb_len, nonce9009, 2, T_AFTER, false, NULL, 0, &v);
	assert_only_error(&v, "certificate_expired");
	assert_false(v.hardware_verified);
	verdict_free(&v);
	run_at(pb, pb_len, nonce9009, 2, T_BEFORE, false, NULL, 0, &v);
	assert_only_error(&v, "certificate_expired");
	verdict_free(&v);
}

/* Every byte of each quote's TPMS_ATTEST, flipped inside the protobuf. */
static void
test_flip_attest(void **state)
{
	static const char *const banks[] = {"sha1", "sha256", "sha384"};
	uint8_t *copy = malloc(pb_len);

	(void)state;
	for (size_t b = 0; b < 3; b++) {
		char path[128];
		size_t n;
		uint8_t *q, *at;

		snprintf(path, sizeof(path), DIR "quote_%s_attest.bin",
		         banks[b]);
		q = tu_read_file(path, &n);
		at = memmem(pb, pb_len, q, n);
		assert_non_null(at);
		for (size_t i = 0; i < n; i++) {
			struct verdict v;
			const char *e;

			memcpy(copy, pb, pb_len);
			copy[(size_t)(at - pb) + i] ^= 0x01;
			run(copy, pb_len, &v);
			e = first_error(&v);
			if (verdict_valid(&v) ||
			    (strcmp(e, "tpm_signature_invalid") != 0 &&
			     strcmp(e, "tpm_quote_malformed") != 0))
				fail_msg("%s byte %zu: %s", banks[b], i, e);
			assert_false(v.hardware_verified);
			verdict_free(&v);
		}
		free(q);
	}
	free(copy);
}

/* Appends varint X to OUT at *N. */
static void
put_varint(uint8_t *out, size_t *n, uint64_t x)
{
	do {
		out[(*n)++] = (uint8_t)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
		x >>= 7;
	} while (x != 0);
}

/*
 * The attestation with top-level field F (a bytes field) replaced by
 * BODY (NULL: dropped). Malloc'd, length in *LEN.
 */
static uint8_t *
replace_field(uint32_t f, const uint8_t *body, size_t body_len, size_t *len)
{
	uint8_t *out = malloc(pb_len + body_len + 16);
	size_t off = 0, n = 0;
	bool done = false;

	while (off < pb_len) {
		size_t start = off, l = 0, shift = 0, key = pb[off++];
		uint64_t ln = 0;

		assert_int_equal(key & 7, 2); /* all top fields are bytes */
		do {
			ln |= (uint64_t)(pb[off] & 0x7f) << shift;
			shift += 7;
		} while (pb[off++] & 0x80);
		l = (size_t)ln;
		if ((key >> 3) == f) {
			if (body != NULL && !done) {
				put_varint(out, &n, (f << 3) | 2);
				put_varint(out, &n, body_len);
				memcpy(out + n, body, body_len);
				n += body_len;
			}
			done = true;
		} else {
			memcpy(out + n, pb + start, off + l - start);
			n += off + l - start;
		}
		off += l;
	}
	if (!done && body != NULL) {
		put_varint(out, &n, (f << 3) | 2);
		put_varint(out, &n, body_len);
		memcpy(out + n, body, body_len);
		n += body_len;
	}
	*len = n;
	return out;
}

/* A self-made CA's certificate for the very AK key: the key matches, the
 * chain does not. */
static uint8_t *
self_made_cert(size_t *len)
{
	size_t n, nl;
	uint8_t *f = tu_read_file(DIR "ak_pub.tpmt", &n), name[TPM_MAX_HA];
	uint8_t *der = NULL;
	uint32_t attrs;
	char why[128];
	EVP_PKEY *ak =
	        gcp_tpmt_public_key(f, n, &attrs, name, &nl, why, sizeof(why));
	EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *c = X509_new();
	X509_NAME *nm = X509_NAME_new();
	int l;

	assert_non_null(ak);
	assert_non_null(ca);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 7);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"not Google", -1, -1,
	                           0);
	X509_set_issuer_name(c, nm);
	X509_set_subject_name(c, nm);
	X509_gmtime_adj(X509_getm_notBefore(c), -86400L * 365 * 30);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400L * 365 * 30);
	X509_set_pubkey(c, ak);
	assert_true(X509_sign(c, ca, EVP_sha256()) > 0);
	l = i2d_X509(c, &der);
	assert_true(l > 0);
	*len = (size_t)l;
	X509_NAME_free(nm);
	X509_free(c);
	EVP_PKEY_free(ca);
	EVP_PKEY_free(ak);
	free(f);
	return der;
}

static void
test_other_ak_cert(void **state)
{
	struct verdict v;
	size_t n, cn;
	uint8_t *cert, *b;

	(void)state;
	/* Self-made for the same key: not Google's. */
	cert = self_made_cert(&cn);
	b = replace_field(6, cert, cn, &n);
	run(b, n, &v);
	assert_only_error(&v, "certificate_chain_invalid");
	assert_false(v.hardware_verified);
	verdict_free(&v);
	free(b);
	OPENSSL_free(cert);
	/* Google's intermediate: chains to the root, but is not the AK. */
	cert = tu_read_file("config/trust/gce_tpm_ek_intermediate_2.der", &cn);
	b = replace_field(6, cert, cn, &n);
	run(b, n, &v);
	assert_only_error(&v, "gcp_ak_key_mismatch");
	assert_false(v.hardware_verified);
	verdict_free(&v);
	free(b);
	free(cert);
	/* No certificate at all. */
	b = replace_field(6, NULL, 0, &n);
	run(b, n, &v);
	assert_only_error(&v, "gcp_ak_cert_missing");
	verdict_free(&v);
	free(b);
}

/* The AK: not a restricted key, or another key than the certificate's. */
static void
test_ak_altered(void **state)
{
	struct verdict v;
	size_t n;
	uint8_t *f = tu_read_file(DIR "ak_pub.tpmt", &n), *at;
	uint8_t *copy = malloc(pb_len);

	(void)state;
	at = memmem(pb, pb_len, f, n);
	assert_non_null(at);
	/* objectAttributes 0x00050072 at bytes 4..7: clear restricted. */
	memcpy(copy, pb, pb_len);
	assert_int_equal(copy[(size_t)(at - pb) + 5], 0x05);
	copy[(size_t)(at - pb) + 5] = 0x04;
	run(copy, pb_len, &v);
	assert_only_error(&v, "tpm_ak_invalid");
	verdict_free(&v);
	/* The modulus' last byte. */
	memcpy(copy, pb, pb_len);
	copy[(size_t)(at - pb) + n - 1] ^= 0x02;
	run(copy, pb_len, &v);
	assert_only_error(&v, "gcp_ak_key_mismatch");
	assert_false(v.hardware_verified);
	verdict_free(&v);
	free(copy);
	free(f);
}

/* Every prefix: a clear error, never a pass, never a crash. */
static void
test_truncated(void **state)
{
	(void)state;
	for (size_t cut = 0; cut < pb_len; cut++) {
		struct verdict v;
		const char *e;
		uint8_t *b =
		        malloc(cut + 1); /* exact size: ASan sees overreads */

		memcpy(b, pb, cut);
		run_at(b, cut, nonce9009, 2, T_VALID, true, NULL, 0, &v);
		e = first_error(&v);
		if (verdict_valid(&v) || e[0] == '\0')
			fail_msg("cut at %zu: valid or no error", cut);
		if (strcmp(e, "gcp_attestation_malformed") != 0 &&
		    strcmp(e, "evidence_empty") != 0 &&
		    /* too short to be detected as GcpVtpm */
		    strcmp(e, "provider_mismatch") != 0 &&
		    strcmp(e, "gcp_ak_cert_missing") != 0 &&
		    strcmp(e, "event_log_malformed") != 0 &&
		    strcmp(e, "event_log_replay_mismatch") != 0 &&
		    strcmp(e, "tpm_ak_invalid") != 0)
			fail_msg("cut at %zu: %s", cut, e);
		verdict_free(&v);
		free(b);
	}
}

/* One event's SHA-256 digest flipped inside the protobuf's event log. */
static void
test_event_log_tampered(void **state)
{
	struct ev_log log;
	struct verdict v;
	char why[256];
	size_t n, k = 0;
	uint8_t *f = tu_read_file(DIR "eventlog.bin", &n), *copy, *at = NULL;
	const char *msg;

	(void)state;
	assert_int_equal(
	        ev_log_parse(f, n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_none);
	/* The last event extending PCR 4 (the boot loaders) in SHA-256. */
	for (size_t i = 0; i < log.n; i++)
		if (log.events[i].index == 4 && log.events[i].has[EV_SHA256])
			k = i;
	assert_true(k > 0);
	at = memmem(pb, pb_len, log.events[k].digest[EV_SHA256], 32);
	assert_non_null(at);
	copy = malloc(pb_len);
	memcpy(copy, pb, pb_len);
	copy[(size_t)(at - pb) + 5] ^= 0x80;
	run(copy, pb_len, &v);
	assert_only_error(&v, "event_log_replay_mismatch");
	msg = json_string_value(
	        json_object_get(json_array_get(v.errors, 0), "message"));
	assert_non_null(strstr(msg, "sha256.pcr4"));
	assert_null(json_object_get(v.claims, "components"));
	verdict_free(&v);
	/* The same tampered log sent in the request fails the common
	 * replay as well. */
	at = memmem(f, n, log.events[k].digest[EV_SHA256], 32);
	assert_non_null(at);
	at[5] ^= 0x80;
	run_at(pb, pb_len, nonce9009, 2, T_VALID, false, f, n, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_error(&v), "event_log_replay_mismatch");
	verdict_free(&v);
	ev_log_free(&log);
	free(copy);
	free(f);
}

/* Hostile protobuf shapes. */
static void
test_hostile_pb(void **state)
{
	struct gcp_attestation a;
	char why[256];
	/* A group (wire type 3), a length past the end, field 0, an
	 * 11-byte varint, ak_pub twice. */
	static const uint8_t group[] = {0x0b, 0x0c};
	static const uint8_t past[] = {0x0a, 0x05, 0x00};
	static const uint8_t zero[] = {0x02, 0x00};
	static const uint8_t longv[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	static const uint8_t twice[] = {0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00};
	/* A quote whose PCR map entry has its key as bytes: quotes {1 "x",
	 * 2 "y", 3 pcrs {1 hash sha256, 2 entry {1: LEN}}}. */
	static const uint8_t badkey[] = {
	        0x0a, 0x01, 0x00, 0x12, 0x0e, 0x0a, 0x01, 0x78, 0x12, 0x01,
	        0x79, 0x1a, 0x06, 0x08, 0x0b, 0x12, 0x02, 0x0a, 0x00};

	(void)state;
	assert_false(gcp_attestation_parse(group, sizeof(group), &a, why,
	                                   sizeof(why)));
	assert_non_null(strstr(why, "wire type 3"));
	assert_false(gcp_attestation_parse(past, sizeof(past), &a, why,
	                                   sizeof(why)));
	assert_non_null(strstr(why, "past the end"));
	assert_false(gcp_attestation_parse(zero, sizeof(zero), &a, why,
	                                   sizeof(why)));
	assert_non_null(strstr(why, "field number 0"));
	assert_false(gcp_attestation_parse(longv, sizeof(longv), &a, why,
	                                   sizeof(why)));
	assert_non_null(strstr(why, "truncated varint"));
	assert_false(gcp_attestation_parse(twice, sizeof(twice), &a, why,
	                                   sizeof(why)));
	assert_non_null(strstr(why, "given twice"));
	assert_false(gcp_attestation_parse(badkey, sizeof(badkey), &a, why,
	                                   sizeof(why)));
	assert_non_null(strstr(why, "quotes.pcrs.pcrs: field 1: wire type 2"));
	assert_false(gcp_attestation_parse(NULL, 0, &a, why, sizeof(why)));
	assert_non_null(strstr(why, "ak_pub: missing"));
}

/*
 * A Confidential VM's attestation carries its SEV-SNP report or TD quote
 * in field 8 / 9 (go-tpm-tools proto/attest.proto, oneof
 * tee_attestation). Appended to the real sample (a protobuf message may
 * be concatenated with more fields), it is reported as present and not
 * verified, and never changes what the vTPM part concludes; absent, no
 * such claim.
 */
static void
test_tee_attestation_seen(void **state)
{
	static const uint8_t extra[][6] = {
	        {0x42, 0x04, 0x0a, 0x02, 0x01, 0x02}, /* 8: {1: 01 02} */
	        {0x4a, 0x04, 0x0a, 0x02, 0x01, 0x02}, /* 9 */
	};
	static const char *const type[] = {"sev_snp", "tdx"};
	struct verdict v;
	uint8_t *buf = malloc(pb_len + sizeof(extra[0]));

	(void)state;
	assert_non_null(buf);
	run(pb, pb_len, &v);
	assert_null(json_object_get(v.claims, "tee_attestation"));
	verdict_free(&v);
	for (size_t i = 0; i < 2; i++) {
		json_t *tee;

		memcpy(buf, pb, pb_len);
		memcpy(buf + pb_len, extra[i], sizeof(extra[i]));
		run(buf, pb_len + sizeof(extra[i]), &v);
		assert_verdict_valid(&v);
		assert_true(v.hardware_verified);
		tee = json_object_get(v.claims, "tee_attestation");
		assert_string_equal(
		        json_string_value(json_object_get(tee, "type")),
		        type[i]);
		assert_true(json_is_false(json_object_get(tee, "verified")));
		verdict_free(&v);
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_detect),
	        cmocka_unit_test(test_parse_fields),
	        cmocka_unit_test(test_ak_public),
	        cmocka_unit_test(test_valid),
	        cmocka_unit_test(test_tee_attestation_seen),
	        cmocka_unit_test(test_request_event_log),
	        cmocka_unit_test(test_wrong_nonce),
	        cmocka_unit_test(test_validity),
	        cmocka_unit_test(test_flip_attest),
	        cmocka_unit_test(test_other_ak_cert),
	        cmocka_unit_test(test_ak_altered),
	        cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_event_log_tampered),
	        cmocka_unit_test(test_hostile_pb),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
