/*
 * Azure TDX confidential VMs through the HCL paravisor and its vTPM
 * (provider "AzureTdxVtpm", issue 13), in confidential-containers/
 * trustee's az-tdx-vtpm evidence shape:
 *
 *   {"version": 1,
 *    "hcl_report": "<base64url HCL report, TDREPORT inside>",
 *    "td_quote": "<base64url TD quote v4/v5 of that TD report>",
 *    "tpm_quote": {"message": "<hex TPMS_ATTEST>",
 *                  "signature": "<hex raw or TPMT_SIGNATURE>",
 *                  "pcrs": ["<hex SHA-256 PCR 0>", …]}}
 *
 * The HCL report holds the TDREPORT_STRUCT the paravisor got from the
 * TDX module; a TDREPORT is MAC-ed for the local platform only, so Azure's
 * guest tooling sends the TD quote the quoting enclave made of it beside
 * it. The TD quote is verified by the IntelTdx provider itself, in its two
 * phases (PCK chain to the pinned Intel root, then TCB Info, QE Identity
 * and CRLs of its FMSPC, TCB and TD policy); its report body must equal
 * the TD report's fields field for field; SHA-256(variable data) ==
 * REPORTDATA[0:32] binds HCLAkPub; the vTPM quote is verified with it as
 * AzureSnpVtpm does (verify/azure/azure_vtpm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "verify/azure/azure_vtpm.h"
#include "verify/azure/hcl_report.h"
#include "verify/core/artifact.h"
#include "verify/intel/dcap_quote.h"
#include "verify/tpm/tpm_evidence.h"
#include "verify/verify.h"

/*
 * TDREPORT_STRUCT (Intel TDX Module ABI spec, 22.6 "TDREPORT_STRUCT"):
 * REPORTMACSTRUCT (256 bytes: REPORTTYPE at 0, REPORTDATA at 128),
 * TEE_TCB_INFO (239 bytes padded to 256: VALID[8], TEE_TCB_SVN[16],
 * MRSEAM[48], MRSIGNERSEAM[48], ATTRIBUTES[8]) at 256, TDINFO_STRUCT at
 * 512 (ATTRIBUTES[8], XFAM[8], MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG,
 * RTMR0..3 [48 each], SERVTD_HASH[48]).
 */
#define TDR_LEN            1024
#define TDR_REPORT_TYPE    0x81 /* REPORTTYPE.TYPE: TDX */
#define TDR_REPORT_DATA    128
#define TDR_TEE_TCB_SVN    (256 + 8)
#define TDR_MR_SEAM        (TDR_TEE_TCB_SVN + 16)
#define TDR_MR_SIGNER_SEAM (TDR_MR_SEAM + 48)
#define TDR_SEAM_ATTR      (TDR_MR_SIGNER_SEAM + 48)
#define TDR_TD_ATTR        512
#define TDR_XFAM           (TDR_TD_ATTR + 8)
#define TDR_MR_TD          (TDR_XFAM + 8)
#define TDR_MR_CONFIG_ID   (TDR_MR_TD + 48)
#define TDR_MR_OWNER       (TDR_MR_CONFIG_ID + 48)
#define TDR_MR_OWNER_CFG   (TDR_MR_OWNER + 48)
#define TDR_RTMR0          (TDR_MR_OWNER_CFG + 48)

static bool
aztdx_detect(const uint8_t *buf, size_t len)
{
	static const char *const names[] = {"\"hcl_report\"", "\"td_quote\"",
	                                    "\"tpm_quote\"", NULL};

	return azure_detect_members(buf, len, names, NULL);
}

/* The evidence's members, decoded, and the TD quote's first phase. */
struct aztdx {
	uint8_t *hcl;
	size_t hcl_len;
	uint8_t *tdq;
	size_t tdq_len;
	struct azure_tpm_quote quote;
	void *inner; /* IntelTdx's parsed quote; NULL when it failed */
};

static void
aztdx_free(void *parsed)
{
	struct aztdx *e = parsed;

	if (e == NULL)
		return;
	if (e->inner != NULL)
		provider_intel_tdx.parsed_free(e->inner);
	free(e->hcl);
	free(e->tdq);
	azure_tpm_quote_free(&e->quote);
	free(e);
}

static struct aztdx *
aztdx_parse(const uint8_t *buf, size_t len, char *why, size_t whylen)
{
	struct aztdx *e = calloc(1, sizeof(*e));
	json_t *doc = NULL;
	bool ok = false;

	if (e == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if ((doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	                      NULL)) == NULL ||
	    !json_is_object(doc)) {
		snprintf(why, whylen, "evidence: not a JSON object");
		goto out;
	}
	if (!tpm_json_bytes(doc, "", "hcl_report", &e->hcl, &e->hcl_len, why,
	                    whylen) ||
	    !tpm_json_bytes(doc, "", "td_quote", &e->tdq, &e->tdq_len, why,
	                    whylen) ||
	    !azure_tpm_quote_parse(doc, 1, &e->quote, why, whylen))
		goto out;
	ok = true;
out:
	json_decref(doc);
	if (!ok) {
		aztdx_free(e);
		e = NULL;
	}
	return e;
}

/* REQ with the TD quote as its evidence, for the IntelTdx provider. */
static struct verify_request
inner_request(const struct verify_request *req, const struct aztdx *e)
{
	struct verify_request inner = *req;

	inner.evidence = e->tdq;
	inner.evidence_len = e->tdq_len;
	inner.provider = TP_PROVIDER_INTEL_TDX;
	return inner;
}

/*
 * Phase 1: the evidence parsed, and the TD quote's own first phase (its
 * PCK chain to the pinned root; the Intel collateral of its FMSPC named
 * in NEEDS). A TD quote that does not parse is recorded by IntelTdx and
 * the rest is still checked in phase 2.
 */
static void *
aztdx_needs(const struct verify_request *req, struct verdict *v,
            struct artifact_needs *needs)
{
	struct verify_request inner;
	struct aztdx *e;
	char why[320];

	v->hardware_verified = false;
	if ((e = aztdx_parse(req->evidence, req->evidence_len, why,
	                     sizeof(why))) == NULL) {
		verdict_fail(v, "azure_evidence_format",
		             TP_ERR_azure_evidence_malformed,
		             "AzureTdxVtpm evidence: %s", why);
		return NULL;
	}
	verdict_pass(v, "azure_evidence_format");
	inner = inner_request(req, e);
	/* IntelTdx checks that the verdict is for TDX evidence. */
	v->provider = TP_PROVIDER_INTEL_TDX;
	e->inner = provider_intel_tdx.needs(&inner, v, needs);
	v->provider = TP_PROVIDER_AZURE_TDX_VTPM;
	return e;
}

/* One field of the TD quote's body against the TD report's. */
static bool
field_same(const uint8_t *quote, const uint8_t *tdr, size_t off, size_t n,
           const char *name, struct verdict *v)
{
	if (CRYPTO_memcmp(quote, tdr + off, n) == 0)
		return true;
	verdict_fail(v, "td_report_match", TP_ERR_azure_td_report_mismatch,
	             "td_quote body %s differs from the HCL report's TD report "
	             "(TDREPORT offset 0x%zx)",
	             name, off);
	return false;
}

/*
 * The TD quote is a quote of the HCL report's TD report: every field its
 * body carries (TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAM attributes,
 * TD attributes, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0..3,
 * REPORTDATA) equals the TD report's. Without it a genuine quote of any
 * TD could be sent beside a paravisor report of another.
 */
static bool
td_report_check(const struct aztdx *e, const struct hcl_report *hcl,
                struct verdict *v)
{
	const uint8_t *tdr = hcl->hw_report;
	struct dcap_quote q;
	const struct dcap_td_report *t = &q.td;
	char why[240];
	bool same = true;

	if (tdr[0] != TDR_REPORT_TYPE) {
		verdict_fail(
		        v, "td_report_match", TP_ERR_azure_td_report_mismatch,
		        "HCL report: REPORTTYPE.TYPE 0x%02x at 0x020, want "
		        "0x81 (TDX)",
		        tdr[0]);
		return false;
	}
	for (size_t i = TDR_LEN; i < HCL_HW_REPORT_LEN; i++) {
		if (tdr[i] != 0) {
			verdict_fail(v, "td_report_match",
			             TP_ERR_azure_td_report_mismatch,
			             "HCL report: non-zero byte after the TD "
			             "report at 0x%zx",
			             0x20 + i);
			return false;
		}
	}
	if (dcap_quote_parse(e->tdq, e->tdq_len, &q, why, sizeof(why)) !=
	            TP_ERR_none ||
	    q.hdr.tee_type != DCAP_TEE_TDX)
		return false; /* IntelTdx named why */
	same &= field_same(t->tee_tcb_svn, tdr, TDR_TEE_TCB_SVN, 16,
	                   "TEE_TCB_SVN", v);
	same &= field_same(t->mr_seam, tdr, TDR_MR_SEAM, 48, "MRSEAM", v);
	same &= field_same(t->mr_signer_seam, tdr, TDR_MR_SIGNER_SEAM, 48,
	                   "MRSIGNERSEAM", v);
	same &= field_same(t->seam_attributes, tdr, TDR_SEAM_ATTR, 8,
	                   "SEAMATTRIBUTES", v);
	same &= field_same(t->td_attributes, tdr, TDR_TD_ATTR, 8,
	                   "TDATTRIBUTES", v);
	same &= field_same(t->xfam, tdr, TDR_XFAM, 8, "XFAM", v);
	same &= field_same(t->mr_td, tdr, TDR_MR_TD, 48, "MRTD", v);
	same &= field_same(t->mr_config_id, tdr, TDR_MR_CONFIG_ID, 48,
	                   "MRCONFIGID", v);
	same &= field_same(t->mr_owner, tdr, TDR_MR_OWNER, 48, "MROWNER", v);
	same &= field_same(t->mr_owner_config, tdr, TDR_MR_OWNER_CFG, 48,
	                   "MROWNERCONFIG", v);
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "RTMR%d", i);
		same &= field_same(t->rtmr[i], tdr, TDR_RTMR0 + 48 * (size_t)i,
		                   48, name, v);
	}
	same &= field_same(t->report_data, tdr, TDR_REPORT_DATA, 64,
	                   "REPORTDATA", v);
	if (same)
		verdict_pass(v, "td_report_match");
	return same;
}

static void
aztdx_verify_parsed(const struct verify_request *req, void *parsed,
                    struct verdict *v)
{
	struct aztdx *e = parsed;
	struct verify_request inner;
	struct hcl_report hcl;
	struct hcl_runtime rt;
	enum tp_err rc;
	bool td_ok = false, same = false, bound, quote_ok;
	char why[320];

	memset(&rt, 0, sizeof(rt));
	v->hardware_verified = false;
	if ((rc = hcl_report_parse_type(e->hcl, e->hcl_len, HCL_REPORT_TYPE_TDX,
	                                &hcl, why, sizeof(why))) !=
	            TP_ERR_none ||
	    (rc = hcl_runtime_parse(hcl.var_data, hcl.var_len, &rt, why,
	                            sizeof(why))) != TP_ERR_none) {
		verdict_fail(v, "hcl_report_format", rc, "hcl_report: %s", why);
		v->signature_valid = TP_FALSE;
		goto out;
	}
	verdict_pass(v, "hcl_report_format");

	if (e->inner != NULL) {
		inner = inner_request(req, e);
		v->provider = TP_PROVIDER_INTEL_TDX;
		provider_intel_tdx.verify_parsed(&inner, e->inner, v);
		v->provider = TP_PROVIDER_AZURE_TDX_VTPM;
		td_ok = verdict_valid(v) && v->signature_valid == TP_TRUE &&
		        v->certificate_chain_valid == TP_TRUE;
	} else {
		v->signature_valid = TP_FALSE;
	}
	/* REPORTDATA carries SHA-256 of the variable data, checked below;
	 * runtime_data and the nonce are bound through the vTPM quote. */
	v->n_bindings = 0;
	same = td_report_check(e, &hcl, v);
	bound = azure_hcl_binding_check(&hcl, hcl.hw_report + TDR_REPORT_DATA,
	                                "TD report REPORTDATA[0:32]", v);
	quote_ok = azure_tpm_quote_check(req, &e->quote, rt.ak, v);
	/* One signature verdict for both: the TD quote's and the vTPM's. */
	v->signature_valid =
	        v->signature_valid == TP_TRUE && quote_ok ? TP_TRUE : TP_FALSE;
	azure_runtime_claims(v, &rt, quote_ok);
	/* The AK vouches for the hardware only through REPORTDATA of a TD
	 * report whose quote verified to the pinned Intel root. */
	v->hardware_verified = td_ok && same && bound && quote_ok;
out:
	hcl_runtime_free(&rt);
}

/* Both phases at once. */
static void
aztdx_verify(const struct verify_request *req, struct verdict *v)
{
	struct artifact_needs needs = {0};
	void *p = aztdx_needs(req, v, &needs);

	if (p == NULL)
		return;
	aztdx_verify_parsed(req, p, v);
	aztdx_free(p);
}

const struct provider_ops provider_azure_tdx_vtpm = {
        .id = TP_PROVIDER_AZURE_TDX_VTPM,
        .detect = aztdx_detect,
        .verify = aztdx_verify,
        .needs = aztdx_needs,
        .verify_parsed = aztdx_verify_parsed,
        .parsed_free = aztdx_free};
