/*
 * Azure SEV-SNP confidential VMs through the HCL paravisor and its vTPM
 * (provider "AzureSnpVtpm", issue 13), in confidential-containers/
 * trustee's az-snp-vtpm evidence shape:
 *
 *   {"version": 1 | 2,
 *    "hcl_report": "<base64url HCL report>",
 *    "vcek": "<base64url VCEK DER>",
 *    "tpm_quote": {"message": "<hex TPMS_ATTEST>",
 *                  "signature": "<hex raw or TPMT_SIGNATURE>",
 *                  "pcrs": ["<hex SHA-256 PCR 0>", …]}}
 *
 * The SNP report inside the HCL report is verified by the AmdSevSnp
 * provider itself (its chain to the pinned ARK, signature, VCEK binding,
 * policy and TCB) with the evidence's VCEK as a collateral artifact; then
 * SHA-256(variable data) == REPORT_DATA[0:32] binds the variable data's
 * HCLAkPub to the hardware, and the vTPM quote is verified with that key
 * (verify/tpm/tpm_quote.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/codec.h"
#include "verify/amd/snp_cert.h"
#include "verify/amd/snp_report.h"
#include "verify/azure/azure_vtpm.h"
#include "verify/azure/hcl_report.h"
#include "verify/core/artifact.h"
#include "verify/tpm/tpm_evidence.h"
#include "verify/tpm/tpm_quote.h"
#include "verify/verify.h"

/* REPORT_DATA in the SEV-SNP ATTESTATION_REPORT (ABI spec, Table 22). */
#define SNP_REPORT_DATA_OFF 0x50

static bool
azure_detect(const uint8_t *buf, size_t len)
{
	static const char *const names[] = {"\"hcl_report\"", "\"tpm_quote\"",
	                                    NULL};
	static const char *const not [] = {"\"td_quote\"", NULL};

	return azure_detect_members(buf, len, names, not );
}

/* The evidence's members, decoded. */
struct az_evidence {
	uint8_t *hcl;
	size_t hcl_len;
	uint8_t *vcek;
	size_t vcek_len;
	struct azure_tpm_quote quote;
};

static void
az_evidence_free(struct az_evidence *e)
{
	free(e->hcl);
	free(e->vcek);
	azure_tpm_quote_free(&e->quote);
	memset(e, 0, sizeof(*e));
}

static bool
az_evidence_parse(const uint8_t *buf, size_t len, struct az_evidence *e,
                  char *why, size_t whylen)
{
	json_t *doc = NULL;
	json_error_t err;
	bool ok = false;

	memset(e, 0, sizeof(*e));
	if ((doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	                      &err)) == NULL ||
	    !json_is_object(doc)) {
		snprintf(why, whylen, "evidence: not a JSON object");
		goto out;
	}
	if (!tpm_json_bytes(doc, "", "hcl_report", &e->hcl, &e->hcl_len, why,
	                    whylen) ||
	    !tpm_json_bytes(doc, "", "vcek", &e->vcek, &e->vcek_len, why,
	                    whylen) ||
	    !azure_tpm_quote_parse(doc, 2, &e->quote, why, whylen))
		goto out;
	ok = true;
out:
	json_decref(doc);
	if (!ok)
		az_evidence_free(e);
	return ok;
}

/*
 * The SNP report verified exactly as AmdSevSnp verifies it: an inner
 * request over the report's bytes whose artifacts are the evidence's
 * VCEK (as the request's collateral: it must still chain to the pinned
 * ARK) followed by the caller's (cert_chain, CRL, snp.crl_file). True
 * when it verified with no failure.
 */
static bool
snp_check(const struct verify_request *req, const struct hcl_report *hcl,
          const struct az_evidence *e, struct verdict *v)
{
	struct artifact_set *set = malloc(sizeof(*set));
	struct verify_request inner;
	const struct artifact *a;
	bool ok;

	if (set == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		return false;
	}
	artifact_set_init(set);
	artifact_set_add(set, ARTIFACT_AMD_VCEK, NULL, e->vcek, e->vcek_len,
	                 NULL, 0, "request", 0);
	if (req->artifacts != NULL) {
		const struct artifact_set *s = req->artifacts;

		for (size_t i = 0; i < s->n; i++) {
			a = &s->items[i];
			if (a->kind == ARTIFACT_AMD_VCEK ||
			    a->kind == ARTIFACT_AMD_VLEK)
				continue; /* the evidence names its key */
			artifact_set_add(set, a->kind, a->key, a->body,
			                 a->body_len, a->chain, a->chain_len,
			                 a->source, a->flags);
		}
		if (s->malformed && s->malformed_kind != ARTIFACT_AMD_VCEK &&
		    s->malformed_kind != ARTIFACT_AMD_VLEK) {
			set->malformed = true;
			set->malformed_kind = s->malformed_kind;
			snprintf(set->why, sizeof(set->why), "%s", s->why);
		}
	}
	inner = *req;
	inner.evidence = hcl->hw_report;
	inner.evidence_len = HCL_HW_REPORT_LEN;
	inner.provider = TP_PROVIDER_AMD_SEV_SNP;
	inner.artifacts = set;
	provider_amd_sev_snp.verify(&inner, v);
	ok = verdict_valid(v) && v->signature_valid == TP_TRUE &&
	     v->certificate_chain_valid == TP_TRUE;
	artifact_set_clear(set);
	free(set);
	/* REPORT_DATA carries SHA-256 of the variable data, checked below;
	 * runtime_data and the nonce are bound through the quote. */
	v->n_bindings = 0;
	return ok;
}

static void
azure_verify(const struct verify_request *req, struct verdict *v)
{
	struct az_evidence e;
	struct hcl_report hcl;
	struct hcl_runtime rt;
	enum tp_err rc;
	bool snp_ok, bound, quote_ok;
	char why[320];

	memset(&rt, 0, sizeof(rt));
	v->hardware_verified = false;
	if (!az_evidence_parse(req->evidence, req->evidence_len, &e, why,
	                       sizeof(why))) {
		verdict_fail(v, "azure_evidence_format",
		             TP_ERR_azure_evidence_malformed,
		             "AzureSnpVtpm evidence: %s", why);
		return;
	}
	verdict_pass(v, "azure_evidence_format");
	if ((rc = hcl_report_parse(e.hcl, e.hcl_len, &hcl, why, sizeof(why))) !=
	    TP_ERR_none) {
		verdict_fail(v, "hcl_report_format", rc, "hcl_report: %s", why);
		goto out;
	}
	if ((rc = hcl_runtime_parse(hcl.var_data, hcl.var_len, &rt, why,
	                            sizeof(why))) != TP_ERR_none) {
		verdict_fail(v, "hcl_report_format", rc, "hcl_report: %s", why);
		goto out;
	}
	verdict_pass(v, "hcl_report_format");

	snp_ok = snp_check(req, &hcl, &e, v);
	bound = azure_hcl_binding_check(&hcl,
	                                hcl.hw_report + SNP_REPORT_DATA_OFF,
	                                "SNP REPORT_DATA[0:32]", v);
	quote_ok = azure_tpm_quote_check(req, &e.quote, rt.ak, v);
	/* One signature verdict for both: the hardware's and the vTPM's. */
	v->signature_valid =
	        v->signature_valid == TP_TRUE && quote_ok ? TP_TRUE : TP_FALSE;
	azure_runtime_claims(v, &rt, quote_ok);
	/* The AK vouches for the hardware only through REPORT_DATA of a
	 * report that verified to the pinned ARK. */
	v->hardware_verified = snp_ok && bound && quote_ok;
out:
	hcl_runtime_free(&rt);
	az_evidence_free(&e);
}

/*
 * Phase 1 (verify/provider.h): AMD's optional cert_chain and CRL of the
 * product whose ASK issued the bundle's VCEK (its issuer CN), so that a
 * loader fetches them from KDS as it does for AmdSevSnp and the SNP
 * report's VCEK is checked against the CRL. Nothing is verified here:
 * phase 2 parses and checks everything, and names what is malformed.
 */
static const char azure_phase1 = 1;

static void *
azure_needs(const struct verify_request *req, struct verdict *v,
            struct artifact_needs *needs)
{
	struct az_evidence e;
	struct snp_ek_info info;
	const unsigned char *p;
	X509 *x = NULL;
	char why[320];

	(void)v;
	if (!az_evidence_parse(req->evidence, req->evidence_len, &e, why,
	                       sizeof(why)))
		return (void *)&azure_phase1;
	p = e.vcek;
	if (e.vcek_len <= LONG_MAX)
		x = d2i_X509(NULL, &p, (long)e.vcek_len);
	memset(&info, 0, sizeof(info));
	if (x != NULL && p == e.vcek + e.vcek_len &&
	    snp_ek_info_parse(x, &info, why, sizeof(why)) && !info.is_vlek &&
	    snp_product_name(info.product)[0] != '\0') {
		const char *product = snp_product_name(info.product);

		artifact_needs_add(needs, ARTIFACT_AMD_CERT_CHAIN, product,
		                   true, 0);
		artifact_needs_add(needs, ARTIFACT_AMD_CRL, product, true, 0);
	}
	X509_free(x);
	az_evidence_free(&e);
	return (void *)&azure_phase1;
}

static void
azure_verify_parsed(const struct verify_request *req, void *parsed,
                    struct verdict *v)
{
	(void)parsed;
	azure_verify(req, v);
}

static void
azure_parsed_free(void *parsed)
{
	(void)parsed; /* the static token */
}

const struct provider_ops provider_azure_snp_vtpm = {
        .id = TP_PROVIDER_AZURE_SNP_VTPM,
        .detect = azure_detect,
        .verify = azure_verify,
        .needs = azure_needs,
        .verify_parsed = azure_verify_parsed,
        .parsed_free = azure_parsed_free};
