/*
 * Intel DCAP: SGX quotes (v3, and v4/v5 with an SGX body) and TDX quotes
 * (v4, v5) verified to the pinned Intel SGX Root CA, with collateral and
 * TCB evaluation (issue 3).
 *
 * Two phases (verify/provider.h): dcap_needs parses the quote and, when
 * its PCK chain verifies to the pinned root, names the collateral the
 * quote needs; dcap_verify_parsed checks everything with the Intel
 * artifacts of req->artifacts (PCS bodies, CRLs and issuer chains; the
 * request and directory shapes are read by load/intel.c). Every absent
 * item is a failed check with collateral_missing naming it.
 *
 * Trailing bytes after the declared signature data: zero padding (what the
 * quote-generation service emits) is accepted; non-zero bytes are refused
 * with quote_trailing_data, and verification still runs so the verdict also
 * reports everything else about the signed part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"
#include "verify/intel/dcap_provider.h"
#include "verify/intel/dcap_quote.h"
#include "verify/intel/dcap_tcb.h"
#include "verify/core/ecdsa.h"
#include "verify/verify.h"
#include "verify/core/x509.h"

/* TD_ATTRIBUTES (TDX Module ABI spec, TDINFO_STRUCT.ATTRIBUTES). */
#define TD_ATTR_DEBUG_BYTE           0
#define TD_ATTR_DEBUG_BIT            0x01
#define TD_ATTR_SEPT_VE_DISABLE_BYTE 3 /* bit 28 */
#define TD_ATTR_SEPT_VE_DISABLE_BIT  0x10
/* SGX ATTRIBUTES.DEBUG (SDM Vol. 3D, 38.7.1 "ATTRIBUTES"). */
#define SGX_ATTR_DEBUG 0x02

/* A verified PCK chain (leaf key and SGX extensions), cached by hash. */
struct dcap_pck {
	struct dcap_cached cached; /* first member */
	EVP_PKEY *pub;
	struct dcap_pck_ext ext;
	int64_t from, until;
};

static void
pck_destroy(struct dcap_cached *cc)
{
	struct dcap_pck *p = (struct dcap_pck *)cc;

	EVP_PKEY_free(p->pub);
	free(p);
}

/* The cache key of a PCK chain (digest CHAIN_MD of its text) checked
 * with collateral C. */
static bool
pck_key(const uint8_t chain_md[32], const struct dcap_collateral *c,
        uint8_t key[32])
{
	const void *parts[3] = {"teepass-dcap-pck-v2", c->key, chain_md};
	size_t lens[3] = {19, 32, 32};

	return dcap_sha256_parts(parts, lens, 3, key);
}

/*
 * The PCK chain of the quote (certification data type 5) up to the pinned
 * root, with the PCK CRL and the Root CA CRL of C (NULL: C failed, the
 * chain is still checked, without CRLs, and nothing is cached).
 */
static struct dcap_pck *
pck_verify(const struct dcap_quote *q, const uint8_t chain_md[32],
           STACK_OF(X509) * parsed, const struct dcap_collateral *c,
           int64_t now, struct verdict *v)
{
	struct dcap_pck *p = NULL, *hit;
	X509 *root = dcap_root_ca();
	uint8_t key[32];
	bool ok = false;

	if (q->cert_type != DCAP_CERT_PCK_CHAIN) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "pck_chain", TP_ERR_pck_cert_data_unsupported,
		             "certification_data.type: want 5 (PCK chain as "
		             "PEM), have %u",
		             q->cert_type);
		return NULL;
	}
	if (c != NULL && pck_key(chain_md, c, key) &&
	    (hit = (struct dcap_pck *)dcap_cache_get(key, now)) != NULL) {
		if (v->certificate_chain_valid == TP_NULL)
			v->certificate_chain_valid = TP_TRUE;
		verdict_pass(v, "pck_chain");
		verdict_pass(v, "pck_extensions");
		verdict_expires_no_later_than(v, hit->until);
		return hit;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		return NULL;
	}
	p->cached.refs = 1;
	p->cached.platform = true;
	p->cached.destroy = pck_destroy;
	if (!dcap_pck_chain_verify_parsed(q->cert_data, q->cert_len, parsed,
	                                  root, c != NULL ? c->pck_crl : NULL,
	                                  c != NULL ? c->root_crl : NULL,
	                                  c != NULL ? c->pck_crl_signer : NULL,
	                                  now, v, &p->ext, &p->pub, &p->from,
	                                  &p->until))
		goto out;
	verdict_expires_no_later_than(v, p->until);
	/* Cached only with verified CRLs, within the collateral's window. */
	if (c != NULL && pck_key(chain_md, c, key))
		dcap_cache_put(
		        key, p->from > c->valid_from ? p->from : c->valid_from,
		        p->until < c->valid_until ? p->until : c->valid_until,
		        &p->cached);
	ok = true;
out:
	if (!ok) {
		if (v->certificate_chain_valid == TP_NULL)
			v->certificate_chain_valid = TP_FALSE;
		dcap_cache_release(&p->cached);
		return NULL;
	}
	return p;
}

static void
claims_sgx(const struct dcap_sgx_report *s, struct verdict *v)
{
	verdict_claim_hex(v, "mrenclave", s->mr_enclave, 32);
	verdict_claim_hex(v, "mrsigner", s->mr_signer, 32);
	verdict_claim_int(v, "isv_prod_id", s->isv_prod_id);
	verdict_claim_int(v, "isv_svn", s->isv_svn);
	verdict_claim_hex(v, "attributes", s->attributes, 16);
	verdict_claim_bool(v, "debug",
	                   (s->attributes[0] & SGX_ATTR_DEBUG) != 0);
	verdict_claim_hex(v, "report_data", s->report_data, 64);
	verdict_add_binding(v, "report_data", s->report_data, 64);
}

static void
claims_td(const struct dcap_td_report *t, struct verdict *v)
{
	char name[16];

	verdict_claim_hex(v, "mrtd", t->mr_td, 48);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "rtmr%d", i);
		verdict_claim_hex(v, name, t->rtmr[i], 48);
	}
	verdict_claim_hex(v, "mrseam", t->mr_seam, 48);
	verdict_claim_hex(v, "mrsignerseam", t->mr_signer_seam, 48);
	verdict_claim_hex(v, "mrconfigid", t->mr_config_id, 48);
	verdict_claim_hex(v, "mrowner", t->mr_owner, 48);
	verdict_claim_hex(v, "mrownerconfig", t->mr_owner_config, 48);
	verdict_claim_hex(v, "td_attributes", t->td_attributes, 8);
	verdict_claim_hex(v, "xfam", t->xfam, 8);
	verdict_claim_hex(v, "tee_tcb_svn", t->tee_tcb_svn, 16);
	verdict_claim_bool(v, "debug",
	                   (t->td_attributes[TD_ATTR_DEBUG_BYTE] &
	                    TD_ATTR_DEBUG_BIT) != 0);
	verdict_claim_hex(v, "report_data", t->report_data, 64);
	if (t->td15) {
		verdict_claim_hex(v, "mrservicetd", t->mr_service_td, 48);
		verdict_claim_hex(v, "tee_tcb_svn2", t->tee_tcb_svn2, 16);
	}
	verdict_add_binding(v, "report_data", t->report_data, 64);
}

/* A parsed attestation key, cached by its bytes (parsing and the on-curve
 * check cost as much as a signature verification; no trust is cached). */
struct dcap_att_key {
	struct dcap_cached cached; /* first member */
	EVP_PKEY *pub;
};

static void
att_key_destroy(struct dcap_cached *cc)
{
	struct dcap_att_key *k = (struct dcap_att_key *)cc;

	EVP_PKEY_free(k->pub);
	free(k);
}

static bool
att_key_cache_key(const struct dcap_quote *q, uint8_t key[32])
{
	const void *parts[2] = {"teepass-dcap-att-key-v1", q->att_key};
	size_t lens[2] = {23, 64};

	return dcap_sha256_parts(parts, lens, 2, key);
}

/* The quote's attestation key, from the cache or parsed (*FRESH: not
 * from the cache; dcap_verify_parsed caches it only once a PCK chain to
 * Intel's root vouched for it, so that unvouched keys never take the
 * places of real platforms). */
static struct dcap_att_key *
att_key_get(const struct dcap_quote *q, bool *fresh)
{
	struct dcap_att_key *k;
	uint8_t key[32];

	*fresh = false;
	if (att_key_cache_key(q, key) &&
	    (k = (struct dcap_att_key *)dcap_cache_get(key, 0)) != NULL)
		return k;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->cached.refs = 1;
	k->cached.platform = true;
	k->cached.destroy = att_key_destroy;
	if ((k->pub = ecdsa_pub_from_point("P-256", q->att_key, 64)) == NULL) {
		ERR_clear_error();
		att_key_destroy(&k->cached);
		return NULL;
	}
	*fresh = true;
	return k;
}

/* Quote signature by the attestation key over header || body. *AK: the
 * key (release it), NULL when it is not a P-256 point. */
static bool
check_quote_signature(const struct dcap_quote *q, struct verdict *v,
                      struct dcap_att_key **akp, bool *fresh)
{
	struct dcap_att_key *ak = *akp = att_key_get(q, fresh);
	bool ok = false;

	if (ak == NULL) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "quote_signature",
		             TP_ERR_quote_signature_invalid,
		             "attestation_key: not a point on P-256");
	} else if (!ecdsa_verify_raw(ak->pub, EVP_sha256(), q->signed_data,
	                             q->signed_len, q->signature,
	                             q->signature + 32, 32)) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "quote_signature",
		             TP_ERR_quote_signature_invalid,
		             "quote signature over bytes 0..%zu (header and "
		             "body) does not verify with the attestation key",
		             q->signed_len - 1);
	} else {
		verdict_pass(v, "quote_signature");
		ok = true;
	}
	ERR_clear_error();
	return ok;
}

/* QE report_data = SHA-256(attestation key || QE auth data) || 0^32. */
static bool
check_qe_report_data(const struct dcap_quote *q, struct verdict *v)
{
	static const uint8_t zero[32];
	uint8_t md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, q->att_key, 64) == 1 &&
	     EVP_DigestUpdate(ctx, q->qe_auth, q->qe_auth_len) == 1 &&
	     EVP_DigestFinal_ex(ctx, md, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok || CRYPTO_memcmp(md, q->qe_report.report_data, 32) != 0 ||
	    CRYPTO_memcmp(zero, q->qe_report.report_data + 32, 32) != 0) {
		verdict_fail(v, "qe_report_data",
		             TP_ERR_qe_report_data_mismatch,
		             "qe_report.report_data: want SHA-256(attestation "
		             "key || qe_auth_data) || 0^32");
		return false;
	}
	verdict_pass(v, "qe_report_data");
	return true;
}

static bool
check_qe_report_signature(const struct dcap_quote *q, const struct dcap_pck *p,
                          struct verdict *v)
{
	if (ecdsa_verify_raw(p->pub, EVP_sha256(), q->qe_report.raw,
	                     DCAP_SGX_REPORT_LEN, q->qe_report_sig,
	                     q->qe_report_sig + 32, 32)) {
		verdict_pass(v, "qe_report_signature");
		return true;
	}
	ERR_clear_error();
	v->signature_valid = TP_FALSE;
	verdict_fail(v, "qe_report_signature",
	             TP_ERR_qe_report_signature_invalid,
	             "QE report signature does not verify with the PCK "
	             "certificate's key");
	return false;
}

/* The TCB verdict and the policy on it (issue 3, "Policy"). */
static void
apply_tcb(const struct verify_request *req, const struct dcap_tcb_result *r,
          struct verdict *v)
{
	const struct dcap_policy *pol = &req->cfg->dcap;
	const char *name = dcap_status_name(r->overall), *id;
	char date[32];
	int64_t until;
	enum tp_err rc;

	snprintf(v->tcb_status, sizeof(v->tcb_status), "%s", name);
	json_decref(v->advisory_ids);
	v->advisory_ids = json_deep_copy(r->advisories);
	tptime_format(r->tcb_date, date);
	verdict_claim_str(v, "tcb_date", date);
	verdict_claim_str(v, "tcb_status", name);
	if (r->overall != DCAP_UP_TO_DATE)
		v->warning = true;
	rc = dcap_policy_tcb(pol, (int)r->overall, r->outdated_since, req->now,
	                     &until);
	if (rc == TP_ERR_none) {
		verdict_pass(v, "tcb_status");
		verdict_expires_no_later_than(v, until);
	} else if (rc == TP_ERR_tcb_status_not_accepted) {
		verdict_fail(v, "tcb_status", rc,
		             "TCB status %s is not in dcap.accepted_statuses",
		             name);
	} else {
		verdict_fail(v, "tcb_status", rc,
		             "TCB status %s (platform %s, QE %s%s%s)%s", name,
		             dcap_status_name(r->platform),
		             dcap_status_name(r->qe),
		             r->has_module ? ", TDX module " : "",
		             r->has_module ? dcap_status_name(r->module) : "",
		             rc == TP_ERR_tcb_out_of_date
		                     ? " and no grace period covers it"
		                     : "");
	}
	if (dcap_policy_denied(pol, r->advisories, &id))
		verdict_fail(v, "tcb_advisories", TP_ERR_tcb_advisory_denied,
		             "advisory %s is in dcap.advisory_deny", id);
	else
		verdict_pass(v, "tcb_advisories");
}

static void
apply_td_policy(const struct verify_request *req, const struct dcap_quote *q,
                struct verdict *v)
{
	const struct dcap_policy *pol = &req->cfg->dcap;
	const struct dcap_td_report *t = &q->td;

	if (pol->require_sept_ve_disable &&
	    !(t->td_attributes[TD_ATTR_SEPT_VE_DISABLE_BYTE] &
	      TD_ATTR_SEPT_VE_DISABLE_BIT))
		verdict_fail(v, "td_attributes_policy",
		             TP_ERR_tdx_sept_ve_disable_required,
		             "td_attributes bit 28 (SEPT_VE_DISABLE) is clear "
		             "and dcap.require_sept_ve_disable is set");
	else
		verdict_pass(v, "td_attributes_policy");
	if (pol->check_mrservicetd) {
		if (!t->td15)
			verdict_fail(
			        v, "mrservicetd_policy",
			        TP_ERR_tdx_mrservicetd_mismatch,
			        "dcap.mrservicetd is set and the quote has a "
			        "TD 1.0 body without MRSERVICETD");
		else if (CRYPTO_memcmp(t->mr_service_td, pol->mrservicetd,
		                       48) != 0)
			verdict_fail(v, "mrservicetd_policy",
			             TP_ERR_tdx_mrservicetd_mismatch,
			             "td_report.mrservicetd differs from "
			             "dcap.mrservicetd");
		else
			verdict_pass(v, "mrservicetd_policy");
	}
}

/*
 * What the first phase leaves for the second: the parsed quote (pointing
 * into req->evidence) and whether its PCK chain verified to the pinned
 * root without CRLs (cached by the chain's bytes: a platform seen before
 * costs one hash).
 */
struct dcap_parsed {
	struct dcap_quote q;
	bool tdx;
	/* The PCK chain as phase 1 parsed it (NULL when it came from the
	 * cache or did not verify): phase 2 does not parse it again. */
	STACK_OF(X509) * chain;
	bool chain_ok;              /* phase 1 verified the PCK chain */
	uint8_t chain_md[32];       /* SHA-256 of the chain's text */
	struct artifact_needs want; /* what phase 1 named, to pick by key */
};

struct dcap_pre {
	struct dcap_cached cached; /* first member */
	struct dcap_pck_ext ext;
	enum dcap_pck_ca ca;
};

static void
pre_destroy(struct dcap_cached *cc)
{
	free(cc);
}

/* The chain's first-phase verdict: the entry (release it), or NULL when
 * it did not verify. */
static struct dcap_pre *
pck_pre(const struct dcap_quote *q, const uint8_t chain_md[32], int64_t now,
        STACK_OF(X509) * *chain)
{
	const void *parts[2] = {"teepass-dcap-pck-pre-v2", chain_md};
	size_t lens[2] = {23, 32};
	struct dcap_pre *p;
	int64_t from, until;
	uint8_t key[32];
	bool cache = dcap_sha256_parts(parts, lens, 2, key);

	if (q->cert_type != DCAP_CERT_PCK_CHAIN)
		return NULL;
	if (cache && (p = (struct dcap_pre *)dcap_cache_get(key, now)) != NULL)
		return p;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->cached.refs = 1;
	p->cached.platform = true;
	p->cached.destroy = pre_destroy;
	if (!dcap_pck_chain_precheck(q->cert_data, q->cert_len, dcap_root_ca(),
	                             now, &p->ext, &p->ca, &from, &until,
	                             chain)) {
		free(p);
		return NULL;
	}
	if (cache)
		dcap_cache_put(key, from, until, &p->cached);
	return p;
}

/*
 * Phase 1: parse the quote once; when its PCK chain verifies up to the
 * pinned Intel root, name the collateral it needs (Intel PCS API v4:
 * TCB Info of its FMSPC, QE Identity, the CRL of the CA that issued the
 * PCK certificate, the Root CA CRL). A quote whose chain does not verify
 * needs nothing: no vendor is asked about a platform nobody vouched for.
 */
static void *
dcap_needs(const struct verify_request *req, struct verdict *v,
           struct artifact_needs *needs)
{
	struct dcap_parsed *p = NULL;
	struct dcap_pre *pre;
	const char *tee;
	char why[240], key[32], fmspc[13];
	enum tp_err rc;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		return NULL;
	}
	v->hardware_verified = true;
	rc = dcap_quote_parse(req->evidence, req->evidence_len, &p->q, why,
	                      sizeof(why));
	if (rc != TP_ERR_none) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "quote_format", rc, "DCAP quote: %s", why);
		free(p);
		return NULL;
	}
	p->tdx = p->q.hdr.tee_type == DCAP_TEE_TDX;
	if ((v->provider == TP_PROVIDER_INTEL_TDX) != p->tdx) {
		verdict_fail(v, "quote_format", TP_ERR_provider_mismatch,
		             "quote tee_type 0x%x is not %s", p->q.hdr.tee_type,
		             provider_name(v->provider));
		free(p);
		return NULL;
	}
	/* One digest of the chain's text keys both of its cache entries. */
	SHA256(p->q.cert_data, p->q.cert_len, p->chain_md);
	if ((pre = pck_pre(&p->q, p->chain_md, req->now, &p->chain)) == NULL)
		return p;
	p->chain_ok = true;
	tee = p->tdx ? "tdx" : "sgx";
	codec_hex_encode_to(pre->ext.fmspc, 6, fmspc);
	snprintf(key, sizeof(key), "%s/%s", tee, fmspc);
	artifact_needs_add(needs, ARTIFACT_INTEL_TCB_INFO, key, false, 0);
	artifact_needs_add(needs, ARTIFACT_INTEL_QE_IDENTITY, tee, false, 0);
	artifact_needs_add(needs, ARTIFACT_INTEL_PCK_CRL,
	                   pre->ca == DCAP_PCK_CA_PLATFORM ? "platform"
	                                                   : "processor",
	                   false, 0);
	artifact_needs_add(needs, ARTIFACT_INTEL_ROOT_CA_CRL, "root", false, 0);
	p->want = *needs;
	dcap_cache_release(&pre->cached);
	return p;
}

static void
dcap_parsed_free(void *parsed)
{
	struct dcap_parsed *p = parsed;

	if (p != NULL)
		sk_X509_pop_free(p->chain, X509_free);
	free(p);
}

static const enum artifact_kind intel_kinds[] = {
        ARTIFACT_INTEL_TCB_INFO, ARTIFACT_INTEL_QE_IDENTITY,
        ARTIFACT_INTEL_PCK_CRL, ARTIFACT_INTEL_ROOT_CA_CRL};

/* Phase 2: signatures, chain with CRLs, collateral, TCB and policy. */
static void
dcap_verify_parsed(const struct verify_request *req, void *parsed,
                   struct verdict *v)
{
	const struct dcap_quote *qp = &((struct dcap_parsed *)parsed)->q;
	struct dcap_quote q = *qp;
	struct dcap_raw_collateral raw;
	struct dcap_collateral *coll = NULL;
	struct dcap_pck *pck = NULL;
	struct dcap_tcb_result tr;
	const char *check = "tcb_level";
	enum tp_err rc;
	struct dcap_att_key *ak = NULL;
	bool tdx = ((struct dcap_parsed *)parsed)->tdx, debug, quote_sig_ok,
	     qe_sig_ok = false, qe_data_ok, ak_fresh = false;
	uint8_t ak_key[32];
	char why[240];

	memset(&raw, 0, sizeof(raw));
	memset(&tr, 0, sizeof(tr));
	v->hardware_verified = true;
	if (q.trailing_nonzero)
		verdict_fail(v, "quote_format", TP_ERR_quote_trailing_data,
		             "%zu bytes after signature_data_len are not all "
		             "zero padding",
		             q.trailing);
	else
		verdict_pass(v, "quote_format");
	if (tdx)
		claims_td(&q.td, v);
	else
		claims_sgx(&q.sgx, v);
	verdict_claim_int(v, "quote_version", q.hdr.version);

	quote_sig_ok = check_quote_signature(&q, v, &ak, &ak_fresh);
	qe_data_ok = check_qe_report_data(&q, v);
	/* A chain phase 1 refused made nobody fetch collateral: without
	 * any, its failure below is the verdict, not nine missing items. */
	if (((struct dcap_parsed *)parsed)->chain_ok ||
	    (req->artifacts != NULL && req->artifacts->malformed) ||
	    artifact_set_has_any(req->artifacts, intel_kinds,
	                         sizeof(intel_kinds) /
	                                 sizeof(intel_kinds[0]))) {
		dcap_raw_collateral_from_artifacts(
		        req->artifacts, &((struct dcap_parsed *)parsed)->want,
		        &raw);
		coll = dcap_collateral_verify(&raw, req->now, v);
	}
	pck = pck_verify(&q, ((struct dcap_parsed *)parsed)->chain_md,
	                 ((struct dcap_parsed *)parsed)->chain, coll, req->now,
	                 v);
	if (pck != NULL) {
		qe_sig_ok = check_qe_report_signature(&q, pck, v);
		verdict_claim_hex(v, "fmspc", pck->ext.fmspc, 6);
		/* The root the PCK chain verified to: a relying party tells
		 * a passport under Intel's root from one under a pre-
		 * production or test root (intel_root_ca_file). */
		verdict_claim_str(v, "intel_root_sha256", dcap_root_ca_pin());
		verdict_claim_str(v, "intel_root",
		                  dcap_root_ca_overridden() ? "custom"
		                                            : "intel");
		v->signature_valid =
		        quote_sig_ok && qe_sig_ok ? TP_TRUE : TP_FALSE;
	} else if (!quote_sig_ok) {
		v->signature_valid = TP_FALSE;
	}
	/* The attestation key is cached once the PCK key, verified to the
	 * root, signed the QE report that binds it. */
	if (ak_fresh && quote_sig_ok && qe_sig_ok && qe_data_ok &&
	    att_key_cache_key(&q, ak_key))
		dcap_cache_put(ak_key, INT64_MIN, INT64_MAX, &ak->cached);
	dcap_cache_release(ak != NULL ? &ak->cached : NULL);
	if (coll != NULL)
		dcap_collateral_record(coll, v);
	if (coll != NULL && pck != NULL) {
		rc = dcap_tcb_evaluate(&q, &pck->ext, &coll->tcb, &coll->qe,
		                       &tr, &check, why, sizeof(why));
		if (rc != TP_ERR_none) {
			verdict_fail(v, check, rc, "%s", why);
		} else {
			verdict_pass(v, "tcb_level");
			apply_tcb(req, &tr, v);
		}
	}
	/* Without verified collateral and PCK chain the TCB is not
	 * evaluated; the failure that prevented it is already recorded. */

	debug = tdx ? (q.td.td_attributes[TD_ATTR_DEBUG_BYTE] &
	               TD_ATTR_DEBUG_BIT) != 0
	            : (q.sgx.attributes[0] & SGX_ATTR_DEBUG) != 0;
	if (debug && !req->cfg->allow_debug)
		verdict_fail(
		        v, "debug_policy", TP_ERR_debug_not_allowed,
		        "the %s has its DEBUG attribute set and the policy "
		        "refuses debug TEEs",
		        tdx ? "TD" : "enclave");
	else
		verdict_pass(v, "debug_policy");
	if (tdx)
		apply_td_policy(req, &q, v);

	dcap_tcb_result_free(&tr);
	dcap_cache_release(pck != NULL ? &pck->cached : NULL);
	dcap_cache_release(coll != NULL ? &coll->cached : NULL);
	dcap_raw_collateral_free(&raw);
}

/* Both phases at once (tests and tools that hold a quote). */
void
dcap_verify_quote(const struct verify_request *req, struct verdict *v)
{
	struct artifact_needs needs = {0};
	void *p = dcap_needs(req, v, &needs);

	if (p == NULL)
		return;
	dcap_verify_parsed(req, p, v);
	dcap_parsed_free(p);
}

static bool
sgx_detect(const uint8_t *buf, size_t len)
{
	return dcap_quote_detect(buf, len, DCAP_TEE_SGX);
}

static bool
tdx_detect(const uint8_t *buf, size_t len)
{
	return dcap_quote_detect(buf, len, DCAP_TEE_TDX);
}

const struct provider_ops provider_intel_sgx = {
        .id = TP_PROVIDER_INTEL_SGX,
        .detect = sgx_detect,
        .verify = dcap_verify_quote,
        .needs = dcap_needs,
        .verify_parsed = dcap_verify_parsed,
        .parsed_free = dcap_parsed_free};
const struct provider_ops provider_intel_tdx = {
        .id = TP_PROVIDER_INTEL_TDX,
        .detect = tdx_detect,
        .verify = dcap_verify_quote,
        .needs = dcap_needs,
        .verify_parsed = dcap_verify_parsed,
        .parsed_free = dcap_parsed_free};
