/*
 * Arm PSA attestation tokens (issue 8, item 4): a tagged COSE_Sign1
 * (RFC 9783 §5, RFC 9052 §4.2) signed by the device's Initial Attestation
 * Key, whose public part is provisioned (an ARTIFACT_ARM_KEY of
 * req->artifacts: the operator's store, or the request's {"iak": PEM}).
 * Claims: RFC 9783 §4; see verify/psa_claims.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/core/cose.h"
#include "verify/arm/psa_claims.h"
#include "verify/verify.h"

/* Profiles whose claim sets verify/psa_claims.c reads (RFC 9783 §6;
 * PSA_IOT_PROFILE_1 is the legacy key set). */
static const char *const profiles[] = {
        "http://arm.com/psa/2.0.0",
        "tag:psacertified.org,2023:psa#tfm",
        "tag:psacertified.org,2019:psa#legacy",
        "PSA_IOT_PROFILE_1",
};

/*
 * A COSE_Sign1 that is not a Nitro document: tag 18 (RFC 9783 §5 tags PSA
 * tokens), or untagged with the ES256 protected header {1: -7} that Nitro
 * never uses. CCA collections start with tag 399 and never match.
 */
static bool
psa_detect(const uint8_t *buf, size_t len)
{
	static const uint8_t es256[] = {0x84, 0x43, 0xa1, 0x01, 0x26};
	static const uint8_t module_id[] = {0x69, 'm', 'o', 'd', 'u',
	                                    'l',  'e', '_', 'i', 'd'};
	struct reader r;
	const uint8_t *p;
	uint8_t b;
	bool tagged;

	reader_init(&r, buf, len);
	if (!reader_u8(&r, &b))
		return false;
	tagged = b == 0xd2;
	if (!tagged) {
		reader_init(&r, buf, len);
		return reader_bytes(&r, sizeof(es256), &p) &&
		       memcmp(p, es256, sizeof(es256)) == 0;
	}
	if (!reader_u8(&r, &b) || b != 0x84)
		return false;
	/* Not a tagged Nitro document: no "module_id" key near the start. */
	for (int i = 0; i < 24; i++) {
		struct reader t = r;
		if (reader_bytes(&t, sizeof(module_id), &p) &&
		    memcmp(p, module_id, sizeof(module_id)) == 0)
			return false;
		if (!reader_u8(&r, &b))
			break;
	}
	return true;
}

static bool
profile_known(const struct psa_bytes *p)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (p->n == strlen(profiles[i]) &&
		    memcmp(p->p, profiles[i], p->n) == 0)
			return true;
	return false;
}

static void
psa_verify(const struct verify_request *req, struct verdict *v)
{
	struct cose_sign1 cose;
	struct psa_claims *c = NULL;
	enum tp_err code;
	EVP_PKEY *iak = NULL;
	char why[256], src[64];
	bool missing, provisioned;
	struct psa_bytes kid;
	enum tp_err jwk_code;

	v->hardware_verified = false;
	v->certificate_chain_valid = TP_NULL;
	if (!cose_sign1_parse(req->evidence, req->evidence_len, &cose, &code,
	                      why, sizeof(why))) {
		verdict_fail(v, "cose_format", code, "COSE_Sign1: %s", why);
		goto out;
	}
	verdict_pass(v, "cose_format");
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		goto out;
	}
	if (!psa_claims_parse(cose.payload, cose.payload_len, PSA_KIND_TOKEN, c,
	                      why, sizeof(why))) {
		verdict_fail(v, "psa_claims", TP_ERR_psa_claims_invalid,
		             "PSA token: %s", why);
		goto out;
	}
	if (c->profile.p != NULL && !profile_known(&c->profile)) {
		verdict_fail(v, "psa_claims", TP_ERR_psa_claims_invalid,
		             "profile (265): not a PSA profile this verifier "
		             "reads");
		goto out;
	}
	verdict_pass(v, "psa_claims");

	kid.p = cose.kid;
	kid.n = cose.kid_len;
	if ((iak = psa_key_load(req->artifacts, "iak", "iak_pub.pem",
	                        &c->instance_id, &kid, src, sizeof(src),
	                        &provisioned, &missing, &jwk_code, why,
	                        sizeof(why))) == NULL) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "psa_signature",
		             jwk_code != TP_ERR_none ? jwk_code
		             : missing               ? TP_ERR_psa_key_missing
		                                     : TP_ERR_psa_key_invalid,
		             "%s", why);
		goto out;
	}
	if (!cose_sign1_verify(&cose, iak, why, sizeof(why))) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "psa_signature", TP_ERR_cose_signature_invalid,
		             "PSA token by the provisioned IAK (%s): %s", src,
		             why);
		goto out;
	}
	v->signature_valid = TP_TRUE;
	verdict_pass(v, "psa_signature");
	/* Only a key the verifier holds (the operator's provisioned store,
	 * a directory or a file) vouches for a device; a key sent in the request
	 * by the attester's side proves nothing about hardware. */
	psa_key_trust(v, provisioned);
	psa_key_record(v, iak, "iak", src);

	psa_claims_to_verdict(c, "", v);
	verdict_add_binding(v, "challenge", c->nonce.p, c->nonce.n);
	verdict_claim_bool(v, "debug", psa_lifecycle_is_debug(c->lifecycle));
	if (psa_lifecycle_is_debug(c->lifecycle) && !req->cfg->allow_debug)
		verdict_fail(v, "debug_policy", TP_ERR_debug_not_allowed,
		             "security-lifecycle: %s (0x%04llx), not secured",
		             psa_lifecycle_name(c->lifecycle),
		             (unsigned long long)c->lifecycle);
	else
		verdict_pass(v, "debug_policy");
out:
	EVP_PKEY_free(iak);
	free(c);
}

const struct provider_ops provider_arm_psa = {
        .id = TP_PROVIDER_ARM_PSA, .detect = psa_detect, .verify = psa_verify};
