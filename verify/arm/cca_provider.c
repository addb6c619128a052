/*
 * Arm CCA attestation tokens (issue 8, item 5): the tag-399 collection of
 * a platform token signed by the provisioned CCA Platform Attestation Key
 * (an ARTIFACT_ARM_KEY of req->artifacts: the operator's store, or the
 * request's {"cpak": PEM}) and a realm token signed by the Realm
 * Attestation Key it carries, bound together by the platform challenge
 * = hash(RAK) (RMM specification DEN0137, A7.2.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/codec.h"
#include "verify/arm/cca_token.h"
#include "verify/core/cose.h"
#include "verify/arm/psa_claims.h"
#include "verify/verify.h"

static const char *const platform_profiles[] = {
        "http://arm.com/CCA-SSD/1.0.0",
        "tag:arm.com,2023:cca_platform#1.0.0",
};

static bool
cca_detect(const uint8_t *buf, size_t len)
{
	/* Tag 399 (0xd9 0x01 0x8f) then a map of 2. */
	static const uint8_t head[] = {0xd9, 0x01, 0x8f, 0xa2};
	struct reader r;
	const uint8_t *p;

	reader_init(&r, buf, len);
	return reader_bytes(&r, sizeof(head), &p) &&
	       memcmp(p, head, sizeof(head)) == 0;
}

static bool
profile_known(const struct psa_bytes *p)
{
	for (size_t i = 0;
	     i < sizeof(platform_profiles) / sizeof(platform_profiles[0]); i++)
		if (p->n == strlen(platform_profiles[i]) &&
		    memcmp(p->p, platform_profiles[i], p->n) == 0)
			return true;
	return false;
}

static void
realm_claims(const struct cca_realm_claims *r, struct verdict *v)
{
	json_t *rems = json_array();
	char name[16];
	json_t *s;

	verdict_claim_hex(v, "realm_initial_measurement", r->rim.p, r->rim.n);
	for (int i = 0; i < CCA_REM_COUNT; i++) {
		char *h = codec_hex_encode(r->rem[i].p, r->rem[i].n);
		snprintf(name, sizeof(name), "rem%d", i);
		verdict_claim_hex(v, name, r->rem[i].p, r->rem[i].n);
		if (rems != NULL && h != NULL)
			json_array_append_new(rems, json_string(h));
		free(h);
	}
	if (rems != NULL)
		verdict_claim_json(v, "realm_extensible_measurements", rems);
	verdict_claim_hex(v, "realm_challenge", r->challenge.p, r->challenge.n);
	verdict_claim_hex(v, "realm_personalization_value",
	                  r->personalization.p, r->personalization.n);
	verdict_claim_hex(v, "realm_public_key", r->rak.p, r->rak.n);
	/* Parsed texts are printable ASCII. */
	if ((s = json_stringn((const char *)r->hash_alg.p, r->hash_alg.n)))
		verdict_claim_json(v, "realm_hash_algorithm", s);
	if ((s = json_stringn((const char *)r->rak_hash_alg.p,
	                      r->rak_hash_alg.n)))
		verdict_claim_json(v, "realm_public_key_hash_algorithm", s);
	if (r->profile.p != NULL &&
	    (s = json_stringn((const char *)r->profile.p, r->profile.n)))
		verdict_claim_json(v, "realm_profile", s);
}

/* Platform challenge (10) = H(RAK claim 44237 bytes), H from 44240. */
static bool
rak_bound(const struct psa_claims *pc, const struct cca_realm_claims *rc,
          char *why, size_t whylen)
{
	const EVP_MD *md = cca_hash_alg(&rc->rak_hash_alg);
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hn = 0;

	if (md == NULL) {
		snprintf(why, whylen,
		         "RAK hash algorithm (44240): want sha-256, sha-384 "
		         "or sha-512");
		return false;
	}
	if (EVP_Digest(rc->rak.p, rc->rak.n, h, &hn, md, NULL) != 1 ||
	    hn != pc->nonce.n || CRYPTO_memcmp(h, pc->nonce.p, hn) != 0) {
		snprintf(why, whylen,
		         "platform challenge (10): want %s(RAK public key "
		         "44237) of %u bytes, the platform token has %zu bytes "
		         "that differ",
		         EVP_MD_get0_name(md), hn, pc->nonce.n);
		return false;
	}
	return true;
}

static void
cca_verify(const struct verify_request *req, struct verdict *v)
{
	struct cca_collection col;
	struct cose_sign1 pcose, rcose;
	struct psa_claims *pc = NULL;
	struct cca_realm_claims rc;
	enum tp_err code;
	EVP_PKEY *cpak = NULL, *rak = NULL;
	char why[256], src[64];
	bool missing, provisioned;
	struct psa_bytes kid;
	enum tp_err jwk_code;

	v->hardware_verified = false;
	v->certificate_chain_valid = TP_NULL;
	if (!cca_collection_parse(req->evidence, req->evidence_len, &col, why,
	                          sizeof(why))) {
		verdict_fail(v, "cca_format", TP_ERR_cca_token_invalid,
		             "CCA token: %s", why);
		goto out;
	}
	if (!cose_sign1_parse(col.platform, col.platform_len, &pcose, &code,
	                      why, sizeof(why))) {
		verdict_fail(v, "cca_format", code, "platform token: %s", why);
		goto out;
	}
	if (!cose_sign1_parse(col.realm, col.realm_len, &rcose, &code, why,
	                      sizeof(why))) {
		verdict_fail(v, "cca_format", code, "realm token: %s", why);
		goto out;
	}
	verdict_pass(v, "cca_format");
	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		goto out;
	}
	if (!psa_claims_parse(pcose.payload, pcose.payload_len,
	                      PSA_KIND_CCA_PLATFORM, pc, why, sizeof(why))) {
		verdict_fail(v, "cca_claims", TP_ERR_cca_claims_invalid,
		             "platform token: %s", why);
		goto out;
	}
	if (!profile_known(&pc->profile)) {
		verdict_fail(v, "cca_claims", TP_ERR_cca_claims_invalid,
		             "platform token: profile (265) is not a CCA "
		             "platform profile this verifier reads");
		goto out;
	}
	if (!cca_realm_claims_parse(rcose.payload, rcose.payload_len, &rc, why,
	                            sizeof(why))) {
		verdict_fail(v, "cca_claims", TP_ERR_cca_claims_invalid,
		             "realm token: %s", why);
		goto out;
	}
	verdict_pass(v, "cca_claims");

	/* Platform token: the provisioned CPAK. */
	kid.p = pcose.kid;
	kid.n = pcose.kid_len;
	if ((cpak = psa_key_load(req->artifacts, "cpak", "cpak_pub.pem",
	                         &pc->instance_id, &kid, src, sizeof(src),
	                         &provisioned, &missing, &jwk_code, why,
	                         sizeof(why))) == NULL) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "cca_platform_signature",
		             jwk_code != TP_ERR_none ? jwk_code
		             : missing               ? TP_ERR_cca_key_missing
		                                     : TP_ERR_cca_key_invalid,
		             "%s", why);
		goto out;
	}
	if (!cose_sign1_verify(&pcose, cpak, why, sizeof(why))) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "cca_platform_signature",
		             TP_ERR_cose_signature_invalid,
		             "platform token by the provisioned CPAK (%s): %s",
		             src, why);
		goto out;
	}
	verdict_pass(v, "cca_platform_signature");

	/* Realm token: the RAK it carries, bound by the platform. */
	if ((rak = cca_rak_key(&rc.rak, why, sizeof(why))) == NULL) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "cca_realm_signature", TP_ERR_cca_rak_invalid,
		             "%s", why);
		goto out;
	}
	if (!cose_sign1_verify(&rcose, rak, why, sizeof(why))) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "cca_realm_signature",
		             TP_ERR_cose_signature_invalid,
		             "realm token by its RAK (44237): %s", why);
		goto out;
	}
	verdict_pass(v, "cca_realm_signature");
	if (!rak_bound(pc, &rc, why, sizeof(why))) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "cca_rak_binding",
		             TP_ERR_cca_rak_binding_mismatch, "%s", why);
		goto out;
	}
	verdict_pass(v, "cca_rak_binding");
	v->signature_valid = TP_TRUE;
	/* As for PSA: only a provisioned CPAK vouches for the platform. */
	psa_key_trust(v, provisioned);
	psa_key_record(v, cpak, "cpak", src);

	psa_claims_to_verdict(pc, "platform_", v);
	realm_claims(&rc, v);
	verdict_add_binding(v, "realm_challenge", rc.challenge.p,
	                    rc.challenge.n);
	verdict_claim_bool(v, "debug", psa_lifecycle_is_debug(pc->lifecycle));
	if (psa_lifecycle_is_debug(pc->lifecycle) && !req->cfg->allow_debug)
		verdict_fail(v, "debug_policy", TP_ERR_debug_not_allowed,
		             "platform security-lifecycle: %s (0x%04llx), not "
		             "secured",
		             psa_lifecycle_name(pc->lifecycle),
		             (unsigned long long)pc->lifecycle);
	else
		verdict_pass(v, "debug_policy");
out:
	EVP_PKEY_free(cpak);
	EVP_PKEY_free(rak);
	free(pc);
}

const struct provider_ops provider_arm_cca = {
        .id = TP_PROVIDER_ARM_CCA, .detect = cca_detect, .verify = cca_verify};
