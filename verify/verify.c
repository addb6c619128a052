#include <ctype.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "verify/core/expected.h"
#include "verify/eventlog/appraise.h"
#include "verify/verify.h"

void
verify_begin(const struct verify_request *req, struct verdict *v,
             struct verify_evidence *ev)
{
	enum tp_provider p = req->provider, detected;
	const struct provider_ops *ops;

	memset(ev, 0, sizeof(*ev));
	ev->done = true;
	verdict_init(v, p, req->now);
	if (req->evidence_len == 0 || req->evidence == NULL) {
		verdict_error(v, TP_ERR_evidence_empty, "evidence is empty");
		return;
	}
	SHA256(req->evidence, req->evidence_len, v->evidence_sha256);
	if (req->evidence_len > req->cfg->max_evidence_len) {
		verdict_error(v, TP_ERR_evidence_too_large,
		              "evidence has %zu bytes; the limit is %zu",
		              req->evidence_len, req->cfg->max_evidence_len);
		return;
	}
	detected = provider_detect(req->evidence, req->evidence_len);
	if (p == TP_PROVIDER_NONE) {
		if (detected == TP_PROVIDER_NONE) {
			verdict_error(v, TP_ERR_unknown_evidence_format,
			              "evidence (%zu bytes) matches no format "
			              "teepass can verify; set \"provider\"",
			              req->evidence_len);
			return;
		}
		p = detected;
		v->provider = p;
	}
	ev->provider = p;
	if ((ops = provider_ops_get(p)) == NULL) {
		verdict_error(
		        v, TP_ERR_unsupported_provider,
		        "verification of %s evidence is not implemented yet",
		        provider_name(p));
		return;
	}
	if (ops->detect != NULL &&
	    !ops->detect(req->evidence, req->evidence_len)) {
		verdict_fail(
		        v, "evidence_format", TP_ERR_provider_mismatch,
		        "evidence is not %s evidence%s%s", provider_name(p),
		        detected != TP_PROVIDER_NONE ? "; it looks like " : "",
		        provider_name(detected));
		return;
	}
	if (p == TP_PROVIDER_MOCK && !req->cfg->dev_mode) {
		verdict_fail(v, "mock_enabled", TP_ERR_mock_disabled,
		             "Mock evidence is refused: the verifier is not in "
		             "development mode");
		return;
	}
	ev->ops = ops;
	if (ops->needs != NULL) {
		ev->parsed = ops->needs(req, v, &ev->needs);
		if (ev->parsed == NULL)
			return; /* the failure is recorded */
	}
	ev->done = false;
}

void
verify_finish(const struct verify_request *req, struct verify_evidence *ev,
              struct verdict *v)
{
	if (ev->done)
		return;
	ev->done = true;
	if (ev->parsed != NULL && ev->ops->verify_parsed != NULL)
		ev->ops->verify_parsed(req, ev->parsed, v);
	else
		ev->ops->verify(req, v);
	/* Binding, reference values and age mean something only for
	 * evidence whose signature verified: a forged or unparseable report
	 * would "match" anything. Evidence refused for policy (debug) or an
	 * expired chain is still appraised, so the verdict names every
	 * problem. */
	if (v->signature_valid == TP_TRUE)
		verify_appraise(req, v);
}

void
verify_evidence_free(struct verify_evidence *ev)
{
	if (ev == NULL)
		return;
	if (ev->parsed != NULL && ev->ops != NULL &&
	    ev->ops->parsed_free != NULL)
		ev->ops->parsed_free(ev->parsed);
	ev->parsed = NULL;
}

void
verify_run(const struct verify_request *req, struct verdict *v)
{
	struct verify_evidence ev;

	verify_begin(req, v, &ev);
	verify_finish(req, &ev, v);
	verify_evidence_free(&ev);
}

static bool binding_matches(const struct verdict_binding *b,
                            const uint8_t *s512, const uint8_t *s256);

bool
verify_binding_matches(const struct verdict_binding *b, const uint8_t *rd,
                       size_t len)
{
	uint8_t s512[64], s256[32];

	SHA512(rd, len, s512);
	SHA256(rd, len, s256);
	return binding_matches(b, s512, s256);
}

static bool
binding_matches(const struct verdict_binding *b, const uint8_t *s512,
                const uint8_t *s256)
{
	static const uint8_t zero[32];

	if (b->len == 64)
		return CRYPTO_memcmp(b->buf, s512, 64) == 0 ||
		       (CRYPTO_memcmp(b->buf, s256, 32) == 0 &&
		        CRYPTO_memcmp(b->buf + 32, zero, 32) == 0);
	if (b->len == 32)
		return CRYPTO_memcmp(b->buf, s256, 32) == 0;
	return false;
}

/* Copies the claims teepass reads from runtime_data, when it is a JSON
 * object; other members are not interpreted. */
static json_t *
runtime_data_claims(const uint8_t *buf, size_t len)
{
	static const char
	        *const keys[] = {"nonce",          "model",      "config",
	                         "auditors",       "public_key", "gpu_nonces",
	                         "tls_spki_sha256" /* attested TLS */};
	json_t *doc, *out = NULL;

	doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc))
		goto out;
	if ((out = json_object()) == NULL)
		goto out;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *val = json_object_get(doc, keys[i]);
		if (val != NULL)
			json_object_set(out, keys[i], val);
	}
out:
	json_decref(doc);
	return out;
}

/*
 * Where B binds the runtime data's SHA-256 when only 32 bytes can: the
 * upper half of a 64-byte field in the split layout (UPPER), or a half
 * that is all there is (b->half); NULL when B has no such 32 bytes.
 */
static const uint8_t *
half_slot(const struct verdict_binding *b, bool upper)
{
	if (b->half && b->len == 32)
		return b->buf;
	if (upper && b->len == 64)
		return b->buf + 32;
	return NULL;
}

static void
appraise_binding(const struct verify_request *req, struct verdict *v)
{
	static const uint8_t zero[32];
	uint8_t s512[64], s256[32];
	const char *zero_name = NULL;
	json_t *claims;

	if (req->runtime_data == NULL)
		return;
	if (v->n_bindings == 0) {
		v->binding_valid = TP_FALSE;
		verdict_fail(v, "runtime_data_binding",
		             TP_ERR_binding_unavailable,
		             "%s evidence carries no report-data field",
		             provider_name(v->provider));
		return;
	}
	SHA512(req->runtime_data, req->runtime_data_len, s512);
	SHA256(req->runtime_data, req->runtime_data_len, s256);
	for (size_t i = 0; i < v->n_bindings; i++) {
		const struct verdict_binding *b = &v->bindings[i];
		const uint8_t *slot = half_slot(b, req->runtime_data_upper);

		if (req->runtime_data_upper || b->half) {
			/* Only the half: never the whole field, whose lower
			 * half is a key's digest. */
			if (slot == NULL)
				continue;
			if (CRYPTO_memcmp(slot, zero, 32) == 0) {
				zero_name = b->name;
				continue;
			}
			if (CRYPTO_memcmp(slot, s256, 32) != 0)
				continue;
		} else if (!binding_matches(b, s512, s256)) {
			continue;
		}
		v->binding_valid = TP_TRUE;
		verdict_pass(v, "runtime_data_binding");
		claims = runtime_data_claims(req->runtime_data,
		                             req->runtime_data_len);
		if (claims != NULL) {
			v->bound = claims;
			json_object_set(v->claims, "runtime_data", claims);
		}
		return;
	}
	v->binding_valid = TP_FALSE;
	if (zero_name != NULL)
		verdict_fail(v, "runtime_data_binding",
		             TP_ERR_binding_half_zero,
		             "%s%s is zero: the evidence binds no runtime data "
		             "there (want SHA-256 of the %zu bytes of "
		             "runtime_data)",
		             zero_name,
		             req->runtime_data_upper &&
		                             strchr(zero_name, '[') == NULL
		                     ? "[32:64]"
		                     : "",
		             req->runtime_data_len);
	else if (req->runtime_data_upper || v->bindings[0].half)
		verdict_fail(v, "runtime_data_binding", TP_ERR_binding_mismatch,
		             "%s%s: want SHA-256(runtime_data) over %zu bytes",
		             v->bindings[0].name,
		             v->bindings[0].half ? "" : "[32:64]",
		             req->runtime_data_len);
	else
		verdict_fail(
		        v, "runtime_data_binding", TP_ERR_binding_mismatch,
		        "%s: want SHA-512(runtime_data), "
		        "SHA-256(runtime_data)||0^32 or "
		        "SHA-256(runtime_data) over %zu bytes; none matches",
		        v->bindings[0].name, req->runtime_data_len);
}

static void
appraise_freshness(const struct verify_request *req, struct verdict *v)
{
	const struct verify_config *c = req->cfg;

	if (v->evidence_time < 0)
		return;
	if (v->evidence_time > req->now + c->clock_skew) {
		v->fresh = TP_FALSE;
		verdict_fail(
		        v, "evidence_age", TP_ERR_evidence_from_future,
		        "evidence time is %lld s after the verification time",
		        (long long)(v->evidence_time - req->now));
	} else if (req->now - v->evidence_time > c->max_evidence_age) {
		v->fresh = TP_FALSE;
		verdict_fail(v, "evidence_age", TP_ERR_evidence_too_old,
		             "evidence is %lld s old; the maximum is %lld s",
		             (long long)(req->now - v->evidence_time),
		             (long long)c->max_evidence_age);
	} else {
		v->fresh = TP_TRUE;
		verdict_pass(v, "evidence_age");
	}
}

static bool
hex_equal_ci(const char *a, const char *b)
{
	if (strlen(a) != strlen(b))
		return false;
	for (; *a != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return true;
}

static void
appraise_nonce(const struct verify_request *req, struct verdict *v)
{
	const char *bound;
	char hex[2 * 64 + 1];

	if (req->nonce == NULL)
		return;
	if (req->nonce_len == 0 || req->nonce_len > 64)
		goto unbound;
	codec_hex_encode_to(req->nonce, req->nonce_len, hex);
	bound = json_string_value(json_object_get(v->bound, "nonce"));
	if (bound != NULL && hex_equal_ci(bound, hex)) {
		verdict_pass(v, "nonce_binding");
		return;
	}
	/* Or the challenge itself in the report-data field. */
	for (size_t i = 0; i < v->n_bindings; i++) {
		if (v->bindings[i].len >= req->nonce_len &&
		    CRYPTO_memcmp(v->bindings[i].buf, req->nonce,
		                  req->nonce_len) == 0) {
			verdict_pass(v, "nonce_binding");
			return;
		}
	}
unbound:
	v->fresh = TP_FALSE;
	verdict_fail(
	        v, "nonce_binding", TP_ERR_nonce_not_bound,
	        "the nonce is neither runtime_data.nonce nor the start of %s",
	        v->n_bindings > 0 ? v->bindings[0].name : "report data");
}

void
verify_appraise(const struct verify_request *req, struct verdict *v)
{
	appraise_binding(req, v);
	expected_appraise(req->expected, v);
	eventlog_appraise(req, v);
	appraise_freshness(req, v);
	appraise_nonce(req, v);
}
