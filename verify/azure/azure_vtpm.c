/*
 * The vTPM half of Azure confidential VM evidence (verify/azure/
 * azure_vtpm.h), shared by AzureSnpVtpm and AzureTdxVtpm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "verify/azure/azure_vtpm.h"
#include "verify/tpm/tpm_quote.h"
#include "verify/verify.h"

bool
azure_detect_members(const uint8_t *buf, size_t len, const char *const *names,
                     const char *const * not )
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	                   buf[i] == '\r'))
		i++;
	if (i >= len || buf[i] != '{')
		return false;
	for (; *names != NULL; names++)
		if (memmem(buf + i, len - i, *names, strlen(*names)) == NULL)
			return false;
	for (; not != NULL && *not != NULL; not ++)
		if (memmem(buf + i, len - i, *not, strlen(*not )) != NULL)
			return false;
	return true;
}

void
azure_tpm_quote_free(struct azure_tpm_quote *q)
{
	if (q == NULL)
		return;
	free(q->msg);
	free(q->sig);
	memset(q, 0, sizeof(*q));
}

bool
azure_tpm_quote_parse(const json_t *doc, int max_version,
                      struct azure_tpm_quote *q, char *why, size_t whylen)
{
	const json_t *tq, *ver;

	memset(q, 0, sizeof(*q));
	ver = json_object_get(doc, "version");
	if (ver != NULL &&
	    (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
	     json_integer_value(ver) > max_version)) {
		snprintf(why, whylen, "version: want 1..%d", max_version);
		return false;
	}
	if (!json_is_object(tq = json_object_get(doc, "tpm_quote"))) {
		snprintf(why, whylen, "tpm_quote: want an object");
		return false;
	}
	return tpm_json_bytes(tq, "tpm_quote.", "message", &q->msg, &q->msg_len,
	                      why, whylen) &&
	       tpm_json_bytes(tq, "tpm_quote.", "signature", &q->sig,
	                      &q->sig_len, why, whylen) &&
	       tpm_json_pcrs(json_object_get(tq, "pcrs"), &q->pcrs, why,
	                     whylen);
}

bool
azure_tpm_quote_check(const struct verify_request *req,
                      const struct azure_tpm_quote *e, EVP_PKEY *ak,
                      struct verdict *v)
{
	struct tpm_quote q;
	struct tpm_signature sig;
	enum tp_err rc;
	char why[320];

	if (!tpm_quote_parse(e->msg, e->msg_len, &q, why, sizeof(why))) {
		verdict_fail(v, "tpm_quote_format", TP_ERR_tpm_quote_malformed,
		             "tpm_quote.message: %s", why);
		return false;
	}
	verdict_pass(v, "tpm_quote_format");
	rc = tpm_signature_decode(e->sig, e->sig_len, ak, q.pcr_digest_len,
	                          &sig, why, sizeof(why));
	if (rc == TP_ERR_none)
		rc = tpm_quote_verify_signature(&q, &sig, ak, why, sizeof(why));
	if (rc != TP_ERR_none) {
		verdict_fail(v, "tpm_signature", rc,
		             "tpm_quote.signature: %s (AK: HCLAkPub)", why);
		return false;
	}
	verdict_pass(v, "tpm_signature");
	tpm_quote_claims(v, &q);
	if (req->nonce != NULL && req->runtime_data == NULL) {
		if ((rc = tpm_quote_check_nonce(&q, req->nonce, req->nonce_len,
		                                why, sizeof(why))) !=
		    TP_ERR_none) {
			v->fresh = TP_FALSE;
			verdict_fail(v, "tpm_nonce", rc, "%s", why);
		} else {
			verdict_pass(v, "tpm_nonce");
		}
	}
	if ((rc = tpm_quote_check_pcrs(&q, sig.hash, &e->pcrs, why,
	                               sizeof(why))) != TP_ERR_none) {
		verdict_fail(v, "tpm_pcr_digest", rc, "tpm_quote.pcrs: %s",
		             why);
		return true;
	}
	verdict_pass(v, "tpm_pcr_digest");
	tpm_claim_pcrs(v, &q, &e->pcrs);
	return true;
}

bool
azure_hcl_binding_check(const struct hcl_report *hcl, const uint8_t *rd,
                        const char *where, struct verdict *v)
{
	uint8_t md[32];
	char have[65], want[65];

	SHA256(hcl->var_data, hcl->var_len, md);
	if (CRYPTO_memcmp(md, rd, 32) != 0) {
		codec_hex_encode_to(md, 32, have);
		codec_hex_encode_to(rd, 32, want);
		verdict_fail(v, "hcl_binding",
		             TP_ERR_azure_hcl_binding_mismatch,
		             "%s: want SHA-256(HCL variable data) %s, have %s",
		             where, have, want);
		return false;
	}
	verdict_pass(v, "hcl_binding");
	return true;
}

void
azure_runtime_claims(struct verdict *v, const struct hcl_runtime *rt,
                     bool quote_ok)
{
	uint8_t md[32];

	if (quote_ok) {
		/* HCLAkPub's SPKI: its hash as a claim and a collateral
		 * item. */
		SHA256(rt->spki, rt->spki_len, md);
		verdict_claim_hex(v, "attestation_key_sha256", md, 32);
		verdict_collateral(v, "hcl_ak", rt->spki, rt->spki_len);
	}
	if (rt->vm_config != NULL)
		verdict_claim_json(v, "vm_configuration",
		                   json_incref(rt->vm_config));
	if (rt->user_data != NULL)
		verdict_claim_str(v, "hcl_user_data",
		                  json_string_value(rt->user_data));
}
