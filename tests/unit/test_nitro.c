/*
 * AWS Nitro Enclaves attestation documents (issue 5): the real samples of
 * tests/data/nitro (see PROVENANCE.md) get the verdicts and PCRs their
 * MANIFESTs record, as of their stated times; hostile variants made here
 * each fail with their own code.
 */
#include <pthread.h>
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
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/core/cose.h"
#include "verify/aws/nitro_chain.h"
#include "verify/aws/nitro_doc.h"
#include "verify/verify.h"
#include "verify/core/x509.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define DIR_BETA    "tests/data/nitro/evervault_beta_prod_20221013/"
#define DIR_EMB     "tests/data/nitro/evervault_cert_embedded_prod_20230118/"
#define DIR_DEBUG   "tests/data/nitro/evervault_ga_debug_20230918/"
#define DIR_PEER    "tests/data/nitro/peer_evervault_ga/"
#define DIR_NITRITE "tests/data/nitro/nitrite_2021/"
/* hf/nitrite's 2021 document: leaf 2021-10-28T14:44:13Z..17:44:13Z,
 * timestamp 1635440522077 (17:02:02.077Z). */
#define NITRITE_AT "2021-10-28T17:03:00Z"
#define TODAY      "2026-11-23T10:00:00Z"
#define ZERO48                                                                 \
	"0000000000000000000000000000000000000000000000000000000000000000000"  \
	"00000000000000000000000000000"

/* Values from ../shared/vectors/nitro/MANIFEST.md. */
static const struct sample {
	const char *file;
	const char *at;
	bool debug;
	const char *module_id;
	int64_t timestamp_ms;
	const char *pcr[9]; /* PCR0..PCR8; NULL: not in the MANIFEST */
	const char *user_data;
	const char *nonce_prefix;
} samples[] = {
        {DIR_BETA "attestation_doc.cbor",
         "2022-10-13T09:30:00Z",
         false,
         "i-020b6af9246d90e92-enc0183d09086c24190",
         1665651482136,
         {"f4d48b81a460c9916d1e685119074bf24660afd3e34fae9fca0a0d28d9d5599936"
          "332687e6f66fc890ac8cf150142d8b",
          "bcdf05fefccaa8e55bf2c8d6dee9e79bbff31e34bf28a99aa19e6b29c37ee80b21"
          "4a414b7607236edf26fcb78654e63f",
          "d8f114da658de5481f8d9ec73907feb553560787522f705c92d7d96beed8e15e2a"
          "a611984e098c576832c292e8dc469a",
          "4a9329d69c836267b18abbf9f4a38889124490453419e426818626348d21f989dc"
          "930b1562682a9082887454e53425aa",
          "1f442c86d494a88185642086d904ed89f62fb66ee9997d7b1a4f040faab3bba424"
          "4c768a584e5778195b3afc715637c6",
          NULL, NULL, NULL,
          "8790eb3cce6c83d07e84b126dc61ca923333d6f66615c4a79157de48c5ab2418bd"
          "c60746ea7b7afbff03a1c6210201cb"},
         NULL,
         "cb3dc2eb76c0c1344adf10cc4868591e5bb7fa4b4a8069e144762f71ea1d0017"},
        {DIR_EMB "attestation_doc.cbor",
         "2023-01-18T15:15:14Z",
         false,
         "i-0ec0e572c8263d8ff-enc0185c4fd382eeb25",
         1674047239280,
         {"d265a83faa7b4fa0d73b82b6d06253e894445922937d0ee5a74fe4891da9817611"
          "a71e71b98e5329232902de3cf419af",
          "bcdf05fefccaa8e55bf2c8d6dee9e79bbff31e34bf28a99aa19e6b29c37ee80b21"
          "4a414b7607236edf26fcb78654e63f",
          "e4f634d24ad83b7f6e49fe283bafdb220f6252fb4a278a858e19d15b7cd0f263b9"
          "168ed0bacefb4444266df9f9a77f24",
          "ae9d5fad927d895b8d926d676617262fce1bf8bc659770179121ad62ad35046f26"
          "31701be548c57426521f2fbe63fcb0",
          "bb22382784496191b9dbc35f22cffc9337e9da036d29561069e04f14a2e445c1bb"
          "6c74375d7f920bd1767f0ca7e57b93",
          NULL, NULL, NULL,
          "97c5395a83c0d6a04d53ff962663c714c178c24500bf97f78456ed3721d922cf3f"
          "940614da4bb90107c439bc4a1443ca"},
         "3076301006072a8648ce3d020106052b8104002203620004fbd5c51639fe0dd594"
         "fdc2fbf5429d94d2be1ff8830b1f3772e072362e652ef1c083634ec30a3f55d11f"
         "145ecbee25bae9a2c01be6c0bc3472275fcb2cd001e58dbea42b81f53ae370526e"
         "6674037eed23a3108c7b836e652d7b14c350d628b5",
         "20c7790006cf23c55e652556b7771140b95b5f59a64122af7e44c4ca9a5b89a6"},
        {DIR_DEBUG "attestation_doc.cbor",
         "2023-09-18T15:16:05Z",
         true,
         "i-0918f6c55e3b61d89-enc018aa8b8e2285d13",
         1695049410860,
         {ZERO48, ZERO48, ZERO48,
          "4a9329d69c836267b18abbf9f4a38889124490453419e426818626348d21f989dc"
          "930b1562682a9082887454e53425aa",
          "d0531b1400dd43288c82c226c16bf647c637dd5e4d9b4f7a8aaadc6d6760b854a0"
          "6c7008cca0d15ca80094dd33a65065",
          NULL, NULL, NULL, ZERO48},
         "3059301306072a8648ce3d020106082a8648ce3d030107034200042afc52fe36bd"
         "5f190b5c90a7ef3349716dcbc4aa003dde71114b11d2faa6648e0713c527439746"
         "a8d23dab9e1b999e847762ef385bb5cf27295323b9908b2acb",
         "bba6bfd51866d2e4e095ba3277f208a4692e62f76b98595bf13204bc5f36be7a"},
};

static int64_t
at_time(const char *s)
{
	int64_t t;

	assert_true(tptime_parse(s, &t));
	return t;
}

/* Verifies BUF as of AT under the default policy, optionally with debug
 * allowed, expected values, and the provider named. */
static void
run_full(const uint8_t *buf, size_t len, const char *at, bool allow_debug,
         enum tp_provider p, const json_t *expected, struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;

	verify_config_defaults(&cfg);
	cfg.allow_debug = allow_debug;
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = p;
	req.expected = expected;
	req.now = at_time(at);
	req.cfg = &cfg;
	verify_run(&req, v);
	verify_config_free(&cfg);
}

static void
run(const uint8_t *buf, size_t len, const char *at, struct verdict *v)
{
	run_full(buf, len, at, false, TP_PROVIDER_AWS_NITRO, NULL, v);
}

/* The provider's own verify, without detection or appraisal: for inputs
 * that detection would already refuse. */
static void
run_direct(const uint8_t *buf, size_t len, const char *at, struct verdict *v)
{
	const struct provider_ops *ops =
	        provider_ops_get(TP_PROVIDER_AWS_NITRO);
	struct verify_config cfg;
	struct verify_request req;

	assert_non_null(ops);
	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_AWS_NITRO;
	req.now = at_time(at);
	req.cfg = &cfg;
	verdict_init(v, TP_PROVIDER_AWS_NITRO, req.now);
	ops->verify(&req, v);
	verify_config_free(&cfg);
}

static const char *
claim_str(const struct verdict *v, const char *name)
{
	return json_string_value(json_object_get(v->claims, name));
}

/* Asserts V is invalid with exactly one error, CODE. */
static void
assert_claims(const struct sample *s, const struct verdict *v)
{
	char name[16];

	for (int i = 0; i < 9; i++) {
		if (s->pcr[i] == NULL)
			continue;
		snprintf(name, sizeof(name), "pcr%d", i);
		assert_non_null(claim_str(v, name));
		assert_string_equal(claim_str(v, name), s->pcr[i]);
	}
	/* 16 PCRs in every sample (MANIFEST). */
	assert_non_null(claim_str(v, "pcr15"));
	assert_null(claim_str(v, "pcr16"));
	assert_string_equal(claim_str(v, "module_id"), s->module_id);
	assert_string_equal(claim_str(v, "digest"), "SHA384");
	assert_int_equal(
	        json_integer_value(json_object_get(v->claims, "timestamp")),
	        s->timestamp_ms);
	assert_int_equal(v->evidence_time, s->timestamp_ms / 1000);
	assert_null(json_object_get(v->claims, "public_key"));
	if (s->user_data != NULL)
		assert_string_equal(claim_str(v, "user_data"), s->user_data);
	else
		assert_null(json_object_get(v->claims, "user_data"));
	assert_non_null(claim_str(v, "nonce"));
	assert_int_equal(strlen(claim_str(v, "nonce")), 512);
	assert_memory_equal(claim_str(v, "nonce"), s->nonce_prefix, 64);
	assert_true(json_is_boolean(json_object_get(v->claims, "debug")));
	assert_int_equal(json_is_true(json_object_get(v->claims, "debug")),
	                 s->debug);
}

static void
test_samples_as_of_their_time(void **state)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		struct verdict v;
		size_t len;
		uint8_t *buf = tu_read_file(s->file, &len);

		/* Detected from the bytes, default policy. */
		run_full(buf, len, s->at, false, TP_PROVIDER_NONE, NULL, &v);
		assert_int_equal(v.provider, TP_PROVIDER_AWS_NITRO);
		if (s->debug) {
			/* Debug enclave: refused by default, only that. */
			assert_only_error(&v, "debug_not_allowed");
		} else {
			assert_true(verdict_valid(&v));
			assert_string_equal(verdict_status(&v), "affirming");
		}
		assert_true(v.hardware_verified);
		assert_int_equal(v.signature_valid, TP_TRUE);
		assert_int_equal(v.certificate_chain_valid, TP_TRUE);
		assert_int_equal(v.fresh, TP_TRUE);
		assert_claims(s, &v);
		/* The passport cannot outlive the leaf (~3 h). */
		assert_true(v.expires_at > at_time(s->at));
		assert_true(v.expires_at < at_time(s->at) + 4 * 3600);
		verdict_free(&v);

		if (s->debug) {
			run_full(buf, len, s->at, true, TP_PROVIDER_AWS_NITRO,
			         NULL, &v);
			assert_true(verdict_valid(&v));
			assert_claims(s, &v);
			verdict_free(&v);
		}
		free(buf);
	}
}

static void
test_samples_as_of_today_expired(void **state)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct verdict v;
		size_t len;
		uint8_t *buf = tu_read_file(samples[i].file, &len);

		/* Populate the cabundle cache first: it must not outlive
		 * the certificates. */
		run_full(buf, len, samples[i].at, true, TP_PROVIDER_AWS_NITRO,
		         NULL, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
		run_full(buf, len, TODAY, true, TP_PROVIDER_AWS_NITRO, NULL,
		         &v);
		assert_false(verdict_valid(&v));
		assert_string_equal(first_error(&v), "certificate_expired");
		assert_int_equal(v.certificate_chain_valid, TP_FALSE);
		assert_false(v.hardware_verified);
		/* And far too old besides. */
		assert_true(verdict_has_error(&v, TP_ERR_evidence_too_old));
		verdict_free(&v);
		/* Just after the leaf's window (MANIFEST: ~3 h). */
		run_full(buf, len, "2030-01-01T00:00:00Z", true,
		         TP_PROVIDER_AWS_NITRO, NULL, &v);
		assert_string_equal(first_error(&v), "certificate_expired");
		verdict_free(&v);
		free(buf);
	}
	/* Before the window: not yet valid is expired too. */
	{
		struct verdict v;
		size_t len;
		uint8_t *buf = tu_read_file(samples[0].file, &len);
		run(buf, len, "2022-10-13T08:00:00Z", &v);
		assert_string_equal(first_error(&v), "certificate_expired");
		verdict_free(&v);
		free(buf);
	}
}

/* The peer copy (base64) with the PCRs its GA spec expects. */
static void
test_peer_ga_spec(void **state)
{
	json_t *spec, *expected, *runtime;
	struct verdict v;
	uint8_t *b64, *doc;
	size_t b64len, len;
	json_error_t jerr;

	b64 = tu_read_file(DIR_PEER "valid-attestation-doc-base64", &b64len);
	while (b64len > 0 &&
	       (b64[b64len - 1] == '\n' || b64[b64len - 1] == '\r'))
		b64len--;
	assert_true(codec_base64_decode((const char *)b64, b64len, &doc, &len));
	spec = json_load_file(DIR_PEER "valid_attestation_doc_ga.json", 0,
	                      &jerr);
	assert_non_null(spec);
	assert_true(
	        json_is_true(json_object_get(spec, "isAttestationDocValid")));
	runtime = json_deep_copy(json_object_get(spec, "pcrs"));
	expected = json_pack("{s:o}", "runtime", runtime);
	/* Debug-mode enclave: valid only with debug allowed (its PCR0-2
	 * are zero), and then its PCRs match the spec. */
	run_full(doc, len, samples[2].at, true, TP_PROVIDER_NONE, expected, &v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.measurements_valid, TP_TRUE);
	verdict_free(&v);
	run_full(doc, len, samples[2].at, false, TP_PROVIDER_NONE, expected,
	         &v);
	assert_only_error(&v, "debug_not_allowed");
	/* Evervault binds its TLS certificate's key through user_data: the
	 * document's user_data is that certificate's SubjectPublicKeyInfo. */
	{
		size_t cl;
		uint8_t *der =
		        tu_read_file(DIR_PEER "valid-certificate.der", &cl);
		X509 *cert = x509_parse(der, cl);
		unsigned char *spki = NULL;
		int sn;
		char *hexs;
		assert_non_null(cert);
		sn = i2d_PUBKEY(X509_get0_pubkey(cert), &spki);
		assert_true(sn > 0);
		hexs = codec_hex_encode(spki, (size_t)sn);
		assert_string_equal(claim_str(&v, "user_data"), hexs);
		free(hexs);
		OPENSSL_free(spki);
		X509_free(cert);
		free(der);
	}
	verdict_free(&v);
	json_decref(expected);
	json_decref(spec);
	free(doc);
	free(b64);
}

/* Evervault specs: correct PCRs match; garbage PCRs must not. */
static void
test_expected_pcrs(void **state)
{
	const struct sample *s = &samples[1];
	json_t *good, *bad, *pcr8;
	struct verdict v;
	size_t len;
	uint8_t *buf = tu_read_file(s->file, &len);

	good = json_pack("{s:{s:s, s:s, s:s, s:s}}", "runtime", "pcr0",
	                 s->pcr[0], "pcr1", s->pcr[1], "pcr2", s->pcr[2],
	                 "pcr8", s->pcr[8]);
	bad = json_pack("{s:{s:s, s:s}}", "runtime", "pcr0", ZERO48, "pcr8",
	                s->pcr[8]);
	pcr8 = json_pack("{s:{s:s}}", "runtime", "pcr8", s->pcr[8]);
	run_full(buf, len, s->at, false, TP_PROVIDER_AWS_NITRO, good, &v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.measurements_valid, TP_TRUE);
	verdict_free(&v);
	run_full(buf, len, s->at, false, TP_PROVIDER_AWS_NITRO, pcr8, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	run_full(buf, len, s->at, false, TP_PROVIDER_AWS_NITRO, bad, &v);
	assert_false(verdict_valid(&v));
	assert_int_equal(v.measurements_valid, TP_FALSE);
	assert_true(verdict_has_error(&v, TP_ERR_measurement_mismatch));
	assert_int_equal(v.signature_valid, TP_TRUE);
	verdict_free(&v);
	json_decref(good);
	json_decref(bad);
	json_decref(pcr8);
	free(buf);
}

/* ---- hostile variants ---- */

/* Offsets of the parts of a sample (located with the parsers). */
struct layout {
	struct cose_sign1 cose;
	struct nitro_doc doc;
	size_t payload_off, sig_off;
};

static void
locate(const uint8_t *buf, size_t len, struct layout *l)
{
	enum tp_err code;
	char why[256];

	assert_true(
	        cose_sign1_parse(buf, len, &l->cose, &code, why, sizeof(why)));
	assert_true(nitro_doc_parse(l->cose.payload, l->cose.payload_len,
	                            &l->doc, why, sizeof(why)));
	l->payload_off = (size_t)(l->cose.payload - buf);
	l->sig_off = (size_t)(l->cose.signature - buf);
}

static size_t
off_in(const uint8_t *buf, const uint8_t *p)
{
	return (size_t)(p - buf);
}

/* A copy of BUF with byte OFF xor-ed, verified as of AT. */
static void
flip_run(const uint8_t *buf, size_t len, size_t off, const char *at,
         struct verdict *v)
{
	uint8_t *c = malloc(len);

	assert_non_null(c);
	memcpy(c, buf, len);
	c[off] ^= 0x01;
	run(c, len, at, v);
	free(c);
}

/* COSE_Sign1 [prot, unprot, payload, sig], untagged. */
static uint8_t *
build_cose(const uint8_t *prot, size_t pl, const uint8_t *unprot, size_t ul,
           const uint8_t *payload, size_t yl, const uint8_t *sig, size_t sl,
           size_t *outlen)
{
	uint8_t *out = malloc(1 + 9 + pl + ul + 9 + yl + 9 + sl), *p = out;

	assert_non_null(out);
	p += cose_cbor_put_head(p, COSE_CBOR_ARRAY, 4);
	p += cose_cbor_put_head(p, COSE_CBOR_BSTR, pl);
	memcpy(p, prot, pl);
	p += pl;
	memcpy(p, unprot, ul);
	p += ul;
	p += cose_cbor_put_head(p, COSE_CBOR_BSTR, yl);
	memcpy(p, payload, yl);
	p += yl;
	p += cose_cbor_put_head(p, COSE_CBOR_BSTR, sl);
	memcpy(p, sig, sl);
	p += sl;
	*outlen = (size_t)(p - out);
	return out;
}

/* BUF with DEL bytes at OFF replaced by INS. */
static uint8_t *
splice(const uint8_t *buf, size_t len, size_t off, size_t del,
       const uint8_t *ins, size_t inslen, size_t *outlen)
{
	uint8_t *out = malloc(len - del + inslen + 1);

	assert_non_null(out);
	memcpy(out, buf, off);
	if (inslen > 0)
		memcpy(out + off, ins, inslen);
	memcpy(out + off + inslen, buf + off + del, len - off - del);
	*outlen = len - del + inslen;
	return out;
}

/* The sample with its payload replaced (signature kept). */
static void
run_payload(const struct layout *l, const uint8_t *payload, size_t yl,
            struct verdict *v)
{
	static const uint8_t unprot[] = {0xa0};
	uint8_t *doc;
	size_t len;

	doc = build_cose(l->cose.prot, l->cose.prot_len, unprot, 1, payload, yl,
	                 l->cose.signature, l->cose.signature_len, &len);
	run_direct(doc, len, samples[0].at, v);
	free(doc);
}

static void
test_flipped_bytes(void **state)
{
	const struct sample *s = &samples[0];
	struct layout l;
	struct verdict v;
	size_t len, off;
	uint8_t *buf = tu_read_file(s->file, &len);

	locate(buf, len, &l);
	/* Signature: first and last byte (r and s). */
	flip_run(buf, len, l.sig_off, s->at, &v);
	assert_only_error(&v, "cose_signature_invalid");
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	assert_int_equal(v.signature_valid, TP_FALSE);
	verdict_free(&v);
	flip_run(buf, len, len - 1, s->at, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	/* Payload: a PCR0 byte, a module_id byte, the timestamp. */
	flip_run(buf, len, off_in(buf, l.doc.pcrs[0].p) + 7, s->at, &v);
	assert_only_error(&v, "cose_signature_invalid");
	assert_null(json_object_get(v.claims, "pcr0"));
	verdict_free(&v);
	off = off_in(buf, l.doc.nonce.p) + 100;
	flip_run(buf, len, off, s->at, &v);
	assert_only_error(&v, "cose_signature_invalid");
	verdict_free(&v);
	/* Each certificate: a byte inside its signature (the last byte of
	 * its DER). cabundle[0] is no longer the pinned root. */
	flip_run(buf, len,
	         off_in(buf, l.doc.cabundle[0].p) + l.doc.cabundle[0].n - 1,
	         s->at, &v);
	assert_only_error(&v, "nitro_root_mismatch");
	assert_int_equal(v.certificate_chain_valid, TP_FALSE);
	verdict_free(&v);
	for (size_t i = 1; i < l.doc.n_cabundle; i++) {
		nitro_chain_cache_clear();
		flip_run(buf, len,
		         off_in(buf, l.doc.cabundle[i].p) +
		                 l.doc.cabundle[i].n - 1,
		         s->at, &v);
		assert_string_equal(first_error(&v),
		                    "certificate_chain_invalid");
		assert_int_equal(v.certificate_chain_valid, TP_FALSE);
		assert_false(verdict_valid(&v));
		verdict_free(&v);
	}
	/* The leaf: its signature by cabundle[3] breaks. */
	flip_run(buf, len,
	         off_in(buf, l.doc.certificate.p) + l.doc.certificate.n - 1,
	         s->at, &v);
	assert_string_equal(first_error(&v), "certificate_chain_invalid");
	assert_false(verdict_valid(&v));
	verdict_free(&v);
	/* The leaf's public key: chain and document signature both break. */
	flip_run(buf, len, off_in(buf, l.doc.certificate.p) + 200, s->at, &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_certificate_chain_invalid) ||
	            verdict_has_error(&v, TP_ERR_nitro_payload_invalid));
	verdict_free(&v);
	free(buf);
}

/* A P-384 self-signed certificate with the AWS root's subject, validity
 * and extensions' shape, but another key. */
static uint8_t *
lookalike_root(size_t *outlen)
{
	X509 *anchor = x509_anchor("aws_nitro_root_g1.pem",
	                           "641a0321a3e244efe456463195d606317ed7cdcc3c1"
	                           "756e09893f3c68f79bb5b");
	EVP_PKEY *key = EVP_EC_gen("P-384");
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	unsigned char *der = NULL;
	uint8_t *out;
	int n;

	assert_non_null(anchor);
	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x5ca1ab1e);
	X509_set_subject_name(x, X509_get_subject_name(anchor));
	X509_set_issuer_name(x, X509_get_subject_name(anchor));
	X509_set1_notBefore(x, X509_get0_notBefore(anchor));
	X509_set1_notAfter(x, X509_get0_notAfter(anchor));
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	                          "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(
	        NULL, &ctx, NID_key_usage,
	        "critical,keyCertSign,cRLSign,digitalSignature");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, key, EVP_sha384()) > 0);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	out = malloc((size_t)n);
	memcpy(out, der, (size_t)n);
	*outlen = (size_t)n;
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(key);
	return out;
}

static void
test_lookalike_root(void **state)
{
	struct layout l;
	struct verdict v;
	size_t len, rootlen, yl, hl;
	uint8_t *buf = tu_read_file(samples[0].file, &len), *root, *payload,
	        head[9], *ins;

	locate(buf, len, &l);
	root = lookalike_root(&rootlen);
	/* Replace cabundle[0] (head + DER) inside the payload. */
	hl = cose_cbor_put_head(head, COSE_CBOR_BSTR, rootlen);
	ins = malloc(hl + rootlen);
	memcpy(ins, head, hl);
	memcpy(ins + hl, root, rootlen);
	{
		size_t doff = off_in(l.cose.payload, l.doc.cabundle[0].p);
		size_t ohl = l.doc.cabundle[0].n > 255 ? 3 : 2;
		payload = splice(l.cose.payload, l.cose.payload_len, doff - ohl,
		                 ohl + l.doc.cabundle[0].n, ins, hl + rootlen,
		                 &yl);
	}
	run_payload(&l, payload, yl, &v);
	assert_only_error(&v, "nitro_root_mismatch");
	assert_int_equal(v.certificate_chain_valid, TP_FALSE);
	assert_false(v.hardware_verified);
	verdict_free(&v);
	free(payload);
	free(ins);
	free(root);
	free(buf);
}

static void
test_wrong_alg_and_headers(void **state)
{
	/* ES512, ES256, a text alg, crit with an unknown label, crit
	 * unprotected, alg unprotected. */
	static const uint8_t es512[] = {0xa1, 0x01, 0x38, 0x23};
	static const uint8_t es256[] = {0xa1, 0x01, 0x26};
	static const uint8_t text[] = {0xa1, 0x01, 0x65, 'E',
	                               'S',  '3',  '8',  '4'};
	static const uint8_t crit[] = {0xa3, 0x01, 0x38, 0x22, 0x02, 0x81,
	                               0x18, 0x63, 0x18, 0x63, 0x00};
	static const uint8_t es384[] = {0xa1, 0x01, 0x38, 0x22};
	static const uint8_t none[] = {0xa0};
	static const uint8_t ucrit[] = {0xa1, 0x02, 0x81, 0x01};
	static const uint8_t ualg[] = {0xa1, 0x01, 0x38, 0x22};
	static const uint8_t dup[] = {0xa2, 0x01, 0x38, 0x22, 0x01, 0x38, 0x22};
	static const struct {
		const uint8_t *prot, *unprot;
		size_t pl, ul;
		const char *code;
	} cases[] = {
	        {es512, none, sizeof(es512), 1, "cose_alg_unsupported"},
	        {es256, none, sizeof(es256), 1, "cose_alg_unsupported"},
	        {text, none, sizeof(text), 1, "cose_alg_unsupported"},
	        {crit, none, sizeof(crit), 1, "cose_crit_unsupported"},
	        {none, none, 1, 1, "cose_alg_unsupported"},
	        {es384, ucrit, sizeof(es384), sizeof(ucrit),
	         "cose_crit_unsupported"},
	        {none, ualg, 1, sizeof(ualg), "cose_alg_unsupported"},
	        {es384, ualg, sizeof(es384), sizeof(ualg), "cose_parse_error"},
	        {dup, none, sizeof(dup), 1, "cose_parse_error"},
	};
	struct layout l;
	struct verdict v;
	size_t len, dl;
	uint8_t *buf = tu_read_file(samples[0].file, &len), *doc;

	locate(buf, len, &l);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doc = build_cose(cases[i].prot, cases[i].pl, cases[i].unprot,
		                 cases[i].ul, l.cose.payload,
		                 l.cose.payload_len, l.cose.signature,
		                 l.cose.signature_len, &dl);
		run_direct(doc, dl, samples[0].at, &v);
		if (strcmp(first_error(&v), cases[i].code) != 0)
			print_error("case %zu: %s\n", i, first_error(&v));
		assert_only_error(&v, cases[i].code);
		verdict_free(&v);
		free(doc);
	}
	/* The rebuilt original verifies: the builder is faithful. */
	doc = build_cose(es384, sizeof(es384), none, 1, l.cose.payload,
	                 l.cose.payload_len, l.cose.signature,
	                 l.cose.signature_len, &dl);
	assert_int_equal(dl, len);
	assert_memory_equal(doc, buf, len);
	free(doc);
	free(buf);
}

/* Payload edits: a missing, a duplicated, an unknown and mistyped keys. */
static void
test_payload_keys(void **state)
{
	static const uint8_t digest_kv[] = {0x66, 'd', 'i', 'g', 'e', 's', 't',
	                                    0x66, 'S', 'H', 'A', '3', '8', '4'};
	struct layout l;
	struct verdict v;
	size_t len, yl, off;
	uint8_t *buf = tu_read_file(samples[0].file, &len), *p, *pay;
	const uint8_t *y;

	locate(buf, len, &l);
	y = l.cose.payload;
	yl = l.cose.payload_len;
	assert_int_equal(y[0], 0xa9); /* a map of 9 */
	p = memmem(y, yl, digest_kv, sizeof(digest_kv));
	assert_non_null(p);
	off = (size_t)(p - y);

	/* Missing "digest": drop the pair and count 8. */
	{
		size_t nl;
		pay = splice(y, yl, off, sizeof(digest_kv), NULL, 0, &nl);
		pay[0] = 0xa8;
		run_payload(&l, pay, nl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		assert_non_null(
		        strstr(json_string_value(json_object_get(
		                       json_array_get(v.errors, 0), "message")),
		               "digest"));
		verdict_free(&v);
		free(pay);
	}
	/* Duplicate "digest": append it again and count 10. */
	{
		size_t nl;
		pay = splice(y, yl, yl, 0, digest_kv, sizeof(digest_kv), &nl);
		pay[0] = 0xaa;
		run_payload(&l, pay, nl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		free(pay);
	}
	/* Mistyped and unknown keys, same lengths: byte edits. */
	{
		pay = malloc(yl);
		/* digest value "SHA384" -> "SHA512" */
		memcpy(pay, y, yl);
		memcpy(pay + off + 8, "SHA512", 6);
		run_payload(&l, pay, yl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		/* digest as a bstr */
		memcpy(pay, y, yl);
		pay[off + 7] = 0x46;
		run_payload(&l, pay, yl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		/* key "digest" -> "digesx": unknown and then missing */
		memcpy(pay, y, yl);
		pay[off + 6] = 'x';
		run_payload(&l, pay, yl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		/* timestamp uint -> negative int */
		memcpy(pay, y, yl);
		p = memmem(pay, yl, "\x69timestamp\x1b", 11);
		assert_non_null(p);
		p[10] = 0x3b;
		run_payload(&l, pay, yl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		/* pcrs[0] bstr -> tstr */
		memcpy(pay, y, yl);
		p = pay + off_in(y, l.doc.pcrs[0].p) - 2;
		assert_int_equal(p[0], 0x58);
		p[0] = 0x78;
		run_payload(&l, pay, yl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		/* pcrs[0] index 0 -> 40 (out of range) */
		memcpy(pay, y, yl);
		p = pay + off_in(y, l.doc.pcrs[0].p) - 3;
		assert_int_equal(p[0], 0x00);
		p[0] = 0x18; /* uint8 follows: reads 0x58 = 88 */
		run_payload(&l, pay, yl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		/* cabundle array -> map */
		memcpy(pay, y, yl);
		p = memmem(pay, yl,
		           "\x68"
		           "cabundle",
		           9);
		assert_non_null(p);
		p[9] = (uint8_t)((p[9] & 0x1f) | 0xa0);
		run_payload(&l, pay, yl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		free(pay);
	}
	/* Payload with a trailing byte, and an empty payload. */
	{
		size_t nl;
		pay = splice(y, yl, yl, 0, (const uint8_t *)"\x00", 1, &nl);
		run_payload(&l, pay, nl, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		free(pay);
		run_payload(&l, y, 0, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
	}
	free(buf);
}

static void
test_nesting_and_huge_lengths(void **state)
{
	static const uint8_t es384[] = {0xa1, 0x01, 0x38, 0x22};
	struct verdict v;
	struct layout l;
	size_t len, n, dl;
	uint8_t *buf = tu_read_file(samples[0].file, &len), *deep, *doc;

	locate(buf, len, &l);
	/* Unprotected {5: [[[[ ... 0 ]]]]}, 100 000 levels. */
	n = 100000;
	deep = malloc(n + 3);
	deep[0] = 0xa1;
	deep[1] = 0x05;
	memset(deep + 2, 0x81, n);
	deep[n + 2] = 0x00;
	doc = build_cose(es384, sizeof(es384), deep, n + 3, l.cose.payload,
	                 l.cose.payload_len, l.cose.signature,
	                 l.cose.signature_len, &dl);
	run_direct(doc, dl, samples[0].at, &v);
	assert_only_error(&v, "cose_parse_error");
	verdict_free(&v);
	free(doc);
	/* The same nesting inside the payload (an unknown key's value). */
	{
		uint8_t *pay = malloc(l.cose.payload_len + n + 8), *p = pay;
		p += cose_cbor_put_head(p, COSE_CBOR_MAP, 10);
		memcpy(p, l.cose.payload + 1, l.cose.payload_len - 1);
		p += l.cose.payload_len - 1;
		*p++ = 0x61;
		*p++ = 'z';
		memset(p, 0x81, n);
		p += n;
		*p++ = 0x00;
		run_payload(&l, pay, (size_t)(p - pay), &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		free(pay);
	}
	free(deep);

	/* Huge declared lengths in every position. */
	{
		static const uint8_t cases[][16] = {
		        /* array of 2^64-1 items */
		        {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		        /* protected bstr of 2^63 bytes */
		        {0x84, 0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0},
		        /* protected ok, unprotected map of 2^32-1 pairs */
		        {0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xba, 0xff, 0xff,
		         0xff, 0xff},
		        /* payload bstr of 2^64-1 bytes */
		        {0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0, 0x5b, 0xff,
		         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		        /* indefinite-length array */
		        {0x9f, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0, 0x40, 0x40,
		         0xff},
		        /* reserved additional information */
		        {0x84, 0x5c, 0xa1, 0x01, 0x38, 0x22},
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			uint8_t c[64];
			memset(c, 0, sizeof(c));
			memcpy(c, cases[i], 16);
			run_direct(c, sizeof(c), samples[0].at, &v);
			assert_only_error(&v, "cose_parse_error");
			verdict_free(&v);
			run(c, sizeof(c), samples[0].at, &v);
			assert_false(verdict_valid(&v));
			verdict_free(&v);
		}
	}
	/* A payload whose pcrs map declares 2^32 entries. */
	{
		uint8_t *pay = malloc(l.cose.payload_len);
		uint8_t *p;
		memcpy(pay, l.cose.payload, l.cose.payload_len);
		p = memmem(pay, l.cose.payload_len, "\x64pcrs", 5);
		assert_non_null(p);
		assert_int_equal(p[5], 0xb0);
		p[5] = 0xbb;
		run_payload(&l, pay, l.cose.payload_len, &v);
		assert_only_error(&v, "nitro_payload_invalid");
		verdict_free(&v);
		free(pay);
	}
	free(buf);
}

static void
test_truncation_every_offset(void **state)
{
	struct verdict v;
	size_t len;
	uint8_t *buf = tu_read_file(samples[1].file, &len), *c;

	for (size_t n = 0; n < len; n++) {
		/* An exact-size copy, so ASan sees any over-read. */
		c = malloc(n > 0 ? n : 1);
		memcpy(c, buf, n);
		run(c, n, samples[1].at, &v);
		assert_false(verdict_valid(&v));
		if (n == 0)
			assert_string_equal(first_error(&v), "evidence_empty");
		else if (n >= 32)
			assert_only_error(&v, "cose_parse_error");
		verdict_free(&v);
		/* Past detection too: every prefix is a parse error. */
		run_direct(c, n, samples[1].at, &v);
		assert_only_error(&v, "cose_parse_error");
		verdict_free(&v);
		free(c);
	}
	/* A trailing byte. */
	c = malloc(len + 1);
	memcpy(c, buf, len);
	c[len] = 0x00;
	run(c, len + 1, samples[1].at, &v);
	assert_only_error(&v, "cose_parse_error");
	verdict_free(&v);
	free(c);
	free(buf);
}

static void
test_tags_and_detection(void **state)
{
	struct verdict v;
	size_t len;
	uint8_t *buf = tu_read_file(samples[1].file, &len),
	        *c = malloc(len + 2);

	/* Tag 18 (COSE_Sign1) is accepted and detected. */
	c[0] = 0xd2;
	memcpy(c + 1, buf, len);
	run_full(c, len + 1, samples[1].at, false, TP_PROVIDER_NONE, NULL, &v);
	assert_int_equal(v.provider, TP_PROVIDER_AWS_NITRO);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	/* Tag 98 (COSE_Sign) is not COSE_Sign1. */
	c[0] = 0xd8;
	c[1] = 0x62;
	memcpy(c + 2, buf, len);
	run(c, len + 2, samples[1].at, &v);
	assert_false(verdict_valid(&v));
	verdict_free(&v);
	/* PSA (tag 18, ES256) and CCA (tag 399) prefixes are not Nitro. */
	{
		static const uint8_t psa[] = {0xd2, 0x84, 0x43, 0xa1, 0x01,
		                              0x26, 0xa0, 0x59, 0x01, 0x00};
		static const uint8_t cca[] = {0xd9, 0x01, 0x8f, 0xa2, 0x19,
		                              0xac, 0xca, 0x59, 0x01, 0x00};
		const struct provider_ops *ops =
		        provider_ops_get(TP_PROVIDER_AWS_NITRO);
		assert_non_null(ops);
		assert_false(ops->detect(psa, sizeof(psa)));
		assert_false(ops->detect(cca, sizeof(cca)));
		assert_true(ops->detect(buf, len));
		/* A Nitro document, tagged or not, is neither PSA nor CCA. */
		assert_false(provider_arm_psa.detect(buf, len));
		assert_false(provider_arm_cca.detect(buf, len));
		c[0] = 0xd2;
		memcpy(c + 1, buf, len);
		assert_false(provider_arm_psa.detect(c, len + 1));
		assert_true(ops->detect(c, len + 1));
	}
	free(c);
	free(buf);
}

static void
test_cache_and_policy(void **state)
{
	struct verify_config cfg;
	struct verify_request req;
	struct verdict v;
	uint64_t h0, m0, h1, m1;
	size_t len;
	char err[128];
	uint8_t *buf = tu_read_file(samples[2].file, &len);

	nitro_chain_cache_clear();
	nitro_chain_cache_stats(&h0, &m0);
	for (int i = 0; i < 3; i++) {
		run_full(buf, len, samples[2].at, true, TP_PROVIDER_AWS_NITRO,
		         NULL, &v);
		assert_true(verdict_valid(&v));
		verdict_free(&v);
	}
	nitro_chain_cache_stats(&h1, &m1);
	assert_int_equal(m1 - m0, 1);
	assert_int_equal(h1 - h0, 2);

	/* nitro.allow_debug overrides the global flag both ways. */
	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_AWS_NITRO;
	req.now = at_time(samples[2].at);
	req.cfg = &cfg;
	assert_true(verify_config_set(&cfg, "nitro.allow_debug", "true", err,
	                              sizeof(err)));
	verify_run(&req, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	cfg.allow_debug = true;
	assert_true(verify_config_set(&cfg, "nitro.allow_debug", "false", err,
	                              sizeof(err)));
	verify_run(&req, &v);
	assert_only_error(&v, "debug_not_allowed");
	verdict_free(&v);
	assert_true(verify_config_set(&cfg, "nitro.allow_debug", "inherit", err,
	                              sizeof(err)));
	/* A document 60 s in the future of the verification time: the
	 * global skew (300 s) accepts it, nitro.max_future_skew=10 not. */
	req.now = samples[2].timestamp_ms / 1000 - 60;
	verify_run(&req, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	assert_true(verify_config_set(&cfg, "nitro.max_future_skew", "10", err,
	                              sizeof(err)));
	verify_run(&req, &v);
	assert_only_error(&v, "evidence_from_future");
	verdict_free(&v);
	assert_false(verify_config_set(&cfg, "nitro.max_future_skew", "-1", err,
	                               sizeof(err)));
	assert_false(verify_config_set(&cfg, "nitro.allow_debug", "yes", err,
	                               sizeof(err)));
	assert_false(
	        verify_config_set(&cfg, "nitro.nope", "1", err, sizeof(err)));
	/* The cache size key: 0..10000000 entries, the default until set. */
	assert_int_equal(cfg.nitro.cache_instances,
	                 NITRO_CACHE_INSTANCES_DEFAULT);
	assert_true(verify_config_set(&cfg, "nitro.cache_instances", "100000",
	                              err, sizeof(err)));
	assert_int_equal(cfg.nitro.cache_instances, 100000);
	assert_true(verify_config_set(&cfg, "nitro.cache_instances", "0", err,
	                              sizeof(err)));
	assert_int_equal(cfg.nitro.cache_instances, 0);
	assert_false(verify_config_set(&cfg, "nitro.cache_instances", "-1", err,
	                               sizeof(err)));
	assert_false(verify_config_set(&cfg, "nitro.cache_instances",
	                               "10000001", err, sizeof(err)));
	assert_false(verify_config_set(&cfg, "nitro.cache_instances", "", err,
	                               sizeof(err)));
	assert_int_equal(cfg.nitro.cache_instances, 0);
	verify_config_free(&cfg);
	free(buf);
}

/* Random single- and multi-byte corruptions (fixed seed): never valid,
 * never a crash. Every byte of a document is covered by the signature or
 * by the structure that locates it. */
static void
test_random_corruption(void **state)
{
	struct verdict v;
	size_t len;
	uint8_t *buf = tu_read_file(samples[1].file, &len), *c = malloc(len);
	uint32_t x = 0x2545f491u;

	for (int i = 0; i < 3000; i++) {
		int flips = 1 + i % 3;
		memcpy(c, buf, len);
		for (int f = 0; f < flips; f++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			c[x % len] ^= (uint8_t)(1 + (x >> 24) % 255);
		}
		run_direct(c, len, samples[1].at, &v);
		assert_false(verdict_valid(&v));
		assert_true(json_array_size(v.errors) >= 1);
		verdict_free(&v);
	}
	free(c);
	free(buf);
}

struct thread_arg {
	const uint8_t *buf;
	size_t len;
	int ok;
};

static void *
verify_thread(void *p)
{
	struct thread_arg *a = p;

	for (int i = 0; i < 40; i++) {
		struct verdict v;
		run_full(a->buf, a->len, samples[1].at, false,
		         TP_PROVIDER_AWS_NITRO, NULL, &v);
		a->ok += verdict_valid(&v);
		verdict_free(&v);
		if (i % 10 == 0)
			nitro_chain_cache_clear();
	}
	return NULL;
}

/* The caches under concurrent use (and concurrent clearing). */
static void
test_threads(void **state)
{
	pthread_t t[4];
	struct thread_arg a[4];
	size_t len;
	uint8_t *buf = tu_read_file(samples[1].file, &len);

	for (int i = 0; i < 4; i++) {
		a[i] = (struct thread_arg){buf, len, 0};
		assert_int_equal(
		        pthread_create(&t[i], NULL, verify_thread, &a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].ok, 40);
	}
	free(buf);
}

/* runtime_data bound through a short user_data: declared as a binding. */
static void
test_binding_fields(void **state)
{
	struct verdict v;
	size_t len;
	uint8_t *buf = tu_read_file(samples[1].file, &len);

	run(buf, len, samples[1].at, &v);
	/* user_data (120 bytes) and nonce (256 bytes) exceed 64 bytes: no
	 * binding field, so runtime_data cannot bind to this document. */
	assert_int_equal(v.n_bindings, 0);
	verdict_free(&v);
	free(buf);
}

/* hf/nitrite's real 2021 document (NSM output): public_key is an empty
 * byte string (h''), user_data 64 bytes, nonce 20 bytes. Empty means
 * absent: it verifies as of a time inside its certificates' validity. */
static void
test_nitrite_2021_empty_public_key(void **state)
{
	static const char user_data_hex[] = "3535323032353832353339386339616137"
	                                    "323362663465323331393839363061"
	                                    "6361363238636231613736663036613063"
	                                    "663564393263303864303464306661";
	struct layout l;
	struct verdict v;
	size_t len;
	uint8_t *buf = tu_read_file(DIR_NITRITE "attestation_doc.cbor", &len);
	const uint8_t *pk;

	/* The bytes really carry public_key = h'' (0x40). */
	pk = memmem(buf, len, "\x6apublic_key\x40", 12);
	assert_non_null(pk);

	locate(buf, len, &l);
	assert_null(l.doc.public_key.p);
	assert_int_equal(l.doc.public_key.n, 0);
	assert_int_equal(l.doc.user_data.n, 64);
	assert_int_equal(l.doc.nonce.n, 20);

	/* PCR0..2 are zero: a debug-mode enclave, refused by default for
	 * that alone, valid when debug is allowed. */
	run_full(buf, len, NITRITE_AT, false, TP_PROVIDER_NONE, NULL, &v);
	assert_int_equal(v.provider, TP_PROVIDER_AWS_NITRO);
	assert_only_error(&v, "debug_not_allowed");
	verdict_free(&v);
	run_full(buf, len, NITRITE_AT, true, TP_PROVIDER_NONE, NULL, &v);
	assert_int_equal(v.provider, TP_PROVIDER_AWS_NITRO);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_int_equal(v.certificate_chain_valid, TP_TRUE);
	assert_string_equal(claim_str(&v, "module_id"),
	                    "i-0809849710bf1b61b-enc017cc45400406a27");
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "timestamp")),
	        1635440522077LL);
	assert_null(json_object_get(v.claims, "public_key"));
	assert_string_equal(claim_str(&v, "user_data"), user_data_hex);
	assert_string_equal(claim_str(&v, "nonce"),
	                    "54caa7fdd9c1de6f1206e4900d57b61eb759d628");
	assert_string_equal(
	        claim_str(&v, "pcr4"),
	        "d8a8e8eee96d81b77a251410b7a9b180787653f125d1dbca79685c93fb885b"
	        "335e0b8d172c9821a862515a603cc33ab2");
	assert_string_equal(claim_str(&v, "pcr0"), ZERO48);
	verdict_free(&v);

	/* After the leaf's window: expired, not a payload error. */
	run_full(buf, len, "2021-10-28T18:00:00Z", true, TP_PROVIDER_NONE, NULL,
	         &v);
	assert_string_equal(first_error(&v), "certificate_expired");
	assert_false(verdict_has_error(&v, TP_ERR_nitro_payload_invalid));
	verdict_free(&v);
	free(buf);
}

/* The optional fields: empty is absent, but an oversize one is still
 * refused; a non-bstr still refused. */
static void
test_optional_field_sizes(void **state)
{
	/* {"module_id":"m","digest":"SHA384","timestamp":1,"pcrs":{0:h'00'*32},
	 *  "certificate":h'01',"cabundle":[h'01'], <key>: <value>} */
	static const uint8_t head[] = {
	        0xa7, 0x69, 'm', 'o',  'd',  'u',  'l', 'e',  '_',  'i',
	        'd',  0x61, 'm', 0x66, 'd',  'i',  'g', 'e',  's',  't',
	        0x66, 'S',  'H', 'A',  '3',  '8',  '4', 0x69, 't',  'i',
	        'm',  'e',  's', 't',  'a',  'm',  'p', 0x01, 0x64, 'p',
	        'c',  'r',  's', 0xa1, 0x00, 0x58, 0x20};
	static const uint8_t mid[] = {0x6b, 'c', 'e',  'r',  't', 'i',  'f',
	                              'i',  'c', 'a',  't',  'e', 0x41, 0x01,
	                              0x68, 'c', 'a',  'b',  'u', 'n',  'd',
	                              'l',  'e', 0x81, 0x41, 0x01};
	static const char *const keys[] = {"public_key", "user_data", "nonce"};
	static const size_t maxes[] = {NITRO_MAX_PUBKEY, NITRO_MAX_USERDATA,
	                               NITRO_MAX_USERDATA};
	uint8_t buf[2200], *p;
	struct nitro_doc d;
	char why[160];

	for (size_t k = 0; k < 3; k++) {
		for (int variant = 0; variant < 4; variant++) {
			size_t kl = strlen(keys[k]), n;

			p = buf;
			memcpy(p, head, sizeof(head));
			buf[0] = 0xa7;
			p += sizeof(head);
			memset(p, 0, 32);
			p += 32;
			memcpy(p, mid, sizeof(mid));
			p += sizeof(mid);
			*p++ = (uint8_t)(0x60 | kl);
			memcpy(p, keys[k], kl);
			p += kl;
			if (variant == 0) { /* empty */
				*p++ = 0x40;
			} else if (variant == 1) { /* nil */
				*p++ = 0xf6;
			} else if (variant == 2) { /* one over the maximum */
				n = maxes[k] + 1;
				p += cose_cbor_put_head(p, COSE_CBOR_BSTR, n);
				memset(p, 0xab, n);
				p += n;
			} else { /* a text string */
				*p++ = 0x61;
				*p++ = 'x';
			}
			bool ok = nitro_doc_parse(buf, (size_t)(p - buf), &d,
			                          why, sizeof(why));
			if (variant <= 1) {
				assert_true(ok);
				struct nitro_blob *b = k == 0   ? &d.public_key
				                       : k == 1 ? &d.user_data
				                                : &d.nonce;
				assert_null(b->p);
				assert_int_equal(b->n, 0);
			} else {
				assert_false(ok);
				assert_non_null(strstr(why, keys[k]));
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_samples_as_of_their_time),
	        cmocka_unit_test(test_samples_as_of_today_expired),
	        cmocka_unit_test(test_peer_ga_spec),
	        cmocka_unit_test(test_expected_pcrs),
	        cmocka_unit_test(test_flipped_bytes),
	        cmocka_unit_test(test_lookalike_root),
	        cmocka_unit_test(test_wrong_alg_and_headers),
	        cmocka_unit_test(test_payload_keys),
	        cmocka_unit_test(test_nesting_and_huge_lengths),
	        cmocka_unit_test(test_truncation_every_offset),
	        cmocka_unit_test(test_tags_and_detection),
	        cmocka_unit_test(test_cache_and_policy),
	        cmocka_unit_test(test_binding_fields),
	        cmocka_unit_test(test_random_corruption),
	        cmocka_unit_test(test_threads),
	        cmocka_unit_test(test_nitrite_2021_empty_public_key),
	        cmocka_unit_test(test_optional_field_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
