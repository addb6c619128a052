#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "verify/core/ecdsa.h"
#include "verify/mock/mock.h"
#include "verify/core/reader.h"
#include "verify/verify.h"

static const uint8_t magic[8] = {'T', 'E', 'E', 'P', 'M', 'O', 'C', 'K'};

bool
mock_detect(const uint8_t *buf, size_t len)
{
	return len >= sizeof(magic) && memcmp(buf, magic, sizeof(magic)) == 0;
}

bool
mock_parse(const uint8_t *buf, size_t len, struct mock_evidence *ev, char *why,
           size_t whylen)
{
	struct reader r;
	const uint8_t *m;
	uint32_t reserved;

	memset(ev, 0, sizeof(*ev));
	reader_init(&r, buf, len);
	if (!reader_bytes(&r, sizeof(magic), &m) ||
	    memcmp(m, magic, sizeof(magic)) != 0) {
		snprintf(why, whylen, "magic: want \"TEEPMOCK\"");
		return false;
	}
	if (!reader_u16le(&r, &ev->version) || !reader_u16le(&r, &ev->flags) ||
	    !reader_u32le(&r, &reserved)) {
		snprintf(why, whylen, "header: truncated at offset %zu",
		         reader_offset(&r));
		return false;
	}
	if (ev->version != MOCK_VERSION) {
		snprintf(why, whylen, "version: want %d, have %u", MOCK_VERSION,
		         ev->version);
		return false;
	}
	if ((ev->flags & ~MOCK_FLAG_DEBUG) != 0 || reserved != 0) {
		snprintf(why, whylen, "flags/reserved: unknown bits set");
		return false;
	}
	if (!reader_u64le(&r, &ev->timestamp) ||
	    !reader_copy(&r, ev->key_id, sizeof(ev->key_id)) ||
	    !reader_copy(&r, ev->mr, sizeof(ev->mr)) ||
	    !reader_copy(&r, ev->report_data, sizeof(ev->report_data)) ||
	    !reader_copy(&r, ev->signature, sizeof(ev->signature))) {
		snprintf(why, whylen, "body: truncated at offset %zu of %d",
		         reader_offset(&r), MOCK_EVIDENCE_LEN);
		return false;
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen,
		         "length: %zu trailing bytes after the "
		         "signature",
		         reader_remaining(&r));
		return false;
	}
	if (ev->timestamp > (uint64_t)INT64_MAX / 2) {
		snprintf(why, whylen, "timestamp: out of range");
		return false;
	}
	return true;
}

static void
serialize(const struct mock_evidence *ev, uint8_t out[MOCK_EVIDENCE_LEN])
{
	uint8_t *p = out;

	memset(out, 0, MOCK_EVIDENCE_LEN);
	memcpy(p, magic, 8);
	p[8] = (uint8_t)ev->version;
	p[9] = (uint8_t)(ev->version >> 8);
	p[10] = (uint8_t)ev->flags;
	p[11] = (uint8_t)(ev->flags >> 8);
	for (int i = 0; i < 8; i++)
		p[16 + i] = (uint8_t)(ev->timestamp >> (8 * i));
	memcpy(p + 24, ev->key_id, 32);
	memcpy(p + 56, ev->mr, sizeof(ev->mr));
	memcpy(p + 248, ev->report_data, 64);
	memcpy(p + 312, ev->signature, 64);
}

static bool
key_id(EVP_PKEY *key, uint8_t out[32])
{
	uint8_t *spki = NULL;
	size_t n = 0;

	if (!ecdsa_spki_der(key, &spki, &n))
		return false;
	SHA256(spki, n, out);
	free(spki);
	return true;
}

bool
mock_build(EVP_PKEY *priv, struct mock_evidence *ev,
           uint8_t out[MOCK_EVIDENCE_LEN])
{
	ev->version = MOCK_VERSION;
	if (!key_id(priv, ev->key_id))
		return false;
	serialize(ev, out);
	if (!ecdsa_sign_raw(priv, EVP_sha256(), out, MOCK_SIGNED_LEN,
	                    ev->signature, 32))
		return false;
	memcpy(out + MOCK_SIGNED_LEN, ev->signature, 64);
	return true;
}

static void
mock_verify(const struct verify_request *req, struct verdict *v)
{
	EVP_PKEY *key = req->cfg->mock_attestation_key;
	struct mock_evidence ev;
	uint8_t want_id[32];
	char why[160];

	v->hardware_verified = false;
	v->warning = true; /* Mock is never more than EAR "warning" */
	if (!mock_parse(req->evidence, req->evidence_len, &ev, why,
	                sizeof(why))) {
		verdict_fail(v, "mock_format", TP_ERR_mock_parse_error,
		             "Mock evidence: %s", why);
		return;
	}
	verdict_pass(v, "mock_format");
	if (key == NULL) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "mock_signature", TP_ERR_mock_key_unavailable,
		             "no mock attestation key is configured "
		             "(mock_attestation_key)");
		return;
	}
	if (!key_id(key, want_id) ||
	    CRYPTO_memcmp(want_id, ev.key_id, 32) != 0 ||
	    !ecdsa_verify_raw(key, EVP_sha256(), req->evidence, MOCK_SIGNED_LEN,
	                      ev.signature, ev.signature + 32, 32)) {
		v->signature_valid = TP_FALSE;
		verdict_fail(
		        v, "mock_signature", TP_ERR_mock_signature_invalid,
		        "signature over bytes 0..%d does not verify with the "
		        "configured mock attestation key",
		        MOCK_SIGNED_LEN - 1);
		return;
	}
	v->signature_valid = TP_TRUE;
	verdict_pass(v, "mock_signature");

	for (int i = 0; i < MOCK_MR_COUNT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "mr%d", i);
		verdict_claim_hex(v, name, ev.mr[i], MOCK_MR_LEN);
	}
	verdict_claim_hex(v, "report_data", ev.report_data, 64);
	verdict_claim_bool(v, "debug", ev.flags & MOCK_FLAG_DEBUG);
	verdict_claim_int(v, "timestamp", (int64_t)ev.timestamp);
	verdict_claim_hex(v, "attestation_key_id", ev.key_id, 32);
	verdict_add_binding(v, "report_data", ev.report_data, 64);
	v->evidence_time = (int64_t)ev.timestamp;

	if ((ev.flags & MOCK_FLAG_DEBUG) && !req->cfg->allow_debug)
		verdict_fail(v, "debug_policy", TP_ERR_debug_not_allowed,
		             "Mock evidence has the debug flag and the policy "
		             "refuses debug TEEs");
	else
		verdict_pass(v, "debug_policy");
}

const struct provider_ops provider_mock = {
        .id = TP_PROVIDER_MOCK, .detect = mock_detect, .verify = mock_verify};
