/*
 * Which artifacts a piece of evidence needs, and the collateral JSON
 * built from them (the flat DCAP shape of docs/collateral.md; {"vcek"}
 * for SEV-SNP).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "collateral/service.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "verify/intel/dcap_pck.h"
#include "verify/intel/dcap_quote.h"
#include "verify/nvidia/gpu.h"
#include "verify/amd/snp_report.h"
#include "verify/core/x509.h"

/* The artifacts a DCAP quote needs (Intel PCS API v4 paths; a PCCS
 * serves the same). */
#define DCAP_ARTIFACTS 4

static bool
dcap_requests(const uint8_t *ev, size_t len, struct coll_request rq[4])
{
	struct dcap_quote q;
	struct dcap_pck_ext ext;
	STACK_OF(X509) *chain = NULL;
	X509 *leaf;
	char why[160], fmspc[13], cn[128] = "";
	const char *tee, *ca, *base = coll_intel_url();
	bool ok = false;

	if (dcap_quote_parse(ev, len, &q, why, sizeof(why)) != TP_ERR_none ||
	    q.cert_type != DCAP_CERT_PCK_CHAIN)
		return false;
	chain = x509_parse_pem_chain(q.cert_data, q.cert_len);
	if (chain == NULL || (leaf = sk_X509_value(chain, 0)) == NULL ||
	    !dcap_pck_ext_parse(leaf, &ext, why, sizeof(why)))
		goto out;
	X509_NAME_get_text_by_NID(X509_get_issuer_name(leaf), NID_commonName,
	                          cn, sizeof(cn));
	if (strcmp(cn, "Intel SGX PCK Platform CA") == 0)
		ca = "platform";
	else if (strcmp(cn, "Intel SGX PCK Processor CA") == 0)
		ca = "processor";
	else
		goto out;
	tee = q.hdr.tee_type == DCAP_TEE_TDX ? "tdx" : "sgx";
	codec_hex_encode_to(ext.fmspc, 6, fmspc);
	memset(rq, 0, sizeof(*rq) * DCAP_ARTIFACTS);
	for (int i = 0; i < DCAP_ARTIFACTS; i++) {
		rq[i].vendor = COLL_VENDOR_INTEL;
		rq[i].kind_id =
		        (enum artifact_kind)(ARTIFACT_INTEL_TCB_INFO + i);
		rq[i].kind = artifact_kind_name(rq[i].kind_id);
	}
	snprintf(rq[0].key, sizeof(rq[0].key), "%s/%s", tee, fmspc);
	snprintf(rq[0].url, sizeof(rq[0].url),
	         "%s/%s/certification/v4/tcb?fmspc=%s", base, tee, fmspc);
	rq[0].chain_header = "TCB-Info-Issuer-Chain";
	snprintf(rq[1].key, sizeof(rq[1].key), "%s", tee);
	snprintf(rq[1].url, sizeof(rq[1].url),
	         "%s/%s/certification/v4/qe/identity", base, tee);
	rq[1].chain_header = "SGX-Enclave-Identity-Issuer-Chain";
	snprintf(rq[2].key, sizeof(rq[2].key), "%s", ca);
	snprintf(rq[2].url, sizeof(rq[2].url),
	         "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", base, ca);
	rq[2].chain_header = "SGX-PCK-CRL-Issuer-Chain";
	snprintf(rq[3].key, sizeof(rq[3].key), "root");
	if (coll_intel_root_crl_url() != NULL)
		snprintf(rq[3].url, sizeof(rq[3].url), "%s",
		         coll_intel_root_crl_url());
	else
		snprintf(rq[3].url, sizeof(rq[3].url),
		         "%s/sgx/certification/v4/rootcacrl", base);
	ok = true;
out:
	sk_X509_pop_free(chain, X509_free);
	return ok;
}

static json_t *
artifact_json(const struct db_collateral_row *r)
{
	char nu[32];

	tptime_format(r->next_update, nu);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", r->kind, "key",
	                 r->key, "sha256", r->sha256, "source", r->source,
	                 "next_update", nu);
}

static void
name_artifact(const struct coll_request *rq, char *artifact, size_t n)
{
	snprintf(artifact, n, "%s/%s", rq->kind, rq->key);
}

static enum coll_status
resolve_dcap(const struct coll_request rq[4], int64_t now, json_t *coll,
             json_t *arts, char *artifact, size_t artifactlen, int64_t *retry)
{
	static const char *const body_names[DCAP_ARTIFACTS] = {
	        "tcb_info", "qe_identity", "pck_crl", "root_ca_crl"};
	static const char *const chain_names[DCAP_ARTIFACTS] = {
	        "tcb_info_issuer_chain", "qe_identity_issuer_chain",
	        "pck_crl_issuer_chain", NULL};

	for (int i = 0; i < DCAP_ARTIFACTS; i++) {
		struct db_collateral_row row;
		enum coll_status st = coll_obtain(&rq[i], now, &row, retry);
		json_t *body;

		if (st != COLL_OK) {
			name_artifact(&rq[i], artifact, artifactlen);
			return st;
		}
		if (i < 2) {
			body = json_stringn((const char *)row.body,
			                    row.body_len);
		} else {
			char *hex = codec_hex_encode(row.body, row.body_len);
			body = hex != NULL ? json_string(hex) : NULL;
			free(hex);
		}
		json_object_set_new(coll, body_names[i],
		                    body != NULL ? body : json_null());
		if (chain_names[i] != NULL && row.issuer_chain != NULL)
			json_object_set_new(coll, chain_names[i],
			                    json_string(row.issuer_chain));
		json_array_append_new(arts, artifact_json(&row));
		db_collateral_row_clear(&row);
	}
	return COLL_OK;
}

/* KDS: GET /vcek/v1/{product}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..
 * &ucodeSPL=.. (Turin: an 8-byte hwid and fmcSPL). */
static void
vcek_request(const struct snp_report *rep, enum snp_product p,
             struct coll_request *rq)
{
	struct snp_tcb t;
	char hwid[129];
	size_t hwlen = p == SNP_PRODUCT_TURIN ? 8 : 64;
	int n;

	memset(rq, 0, sizeof(*rq));
	rq->vendor = COLL_VENDOR_AMD;
	rq->kind_id = ARTIFACT_AMD_VCEK;
	rq->kind = artifact_kind_name(ARTIFACT_AMD_VCEK);
	snp_tcb_decode(rep->reported_tcb, p, &t);
	codec_hex_encode_to(rep->chip_id, hwlen, hwid);
	n = snprintf(rq->key, sizeof(rq->key), "%s/%s/%d.%d.%d.%d",
	             snp_product_name(p), hwid, t.bl, t.tee, t.snp,
	             t.microcode);
	if (t.has_fmc && n > 0 && (size_t)n < sizeof(rq->key))
		snprintf(rq->key + n, sizeof(rq->key) - (size_t)n, ".%d",
		         t.fmc);
	n = snprintf(rq->url, sizeof(rq->url),
	             "%s/vcek/v1/%s/%s?blSPL=%d&teeSPL=%d&snpSPL=%d&"
	             "ucodeSPL=%d",
	             coll_amd_url(), snp_product_name(p), hwid, t.bl, t.tee,
	             t.snp, t.microcode);
	if (t.has_fmc && n > 0 && (size_t)n < sizeof(rq->url))
		snprintf(rq->url + n, sizeof(rq->url) - (size_t)n, "&fmcSPL=%d",
		         t.fmc);
}

/*
 * Optional artifacts (AMD's cert_chain and CRL: the VCEK verifies under
 * the pinned ASK without them) that could not be had are not asked for
 * again for a while, so a vendor without them costs one request per
 * OPTIONAL_RETRY seconds and process, not one per verification.
 */
#define OPTIONAL_MEMO  16
#define OPTIONAL_RETRY 600

static struct {
	char id[200];
	int64_t until;
} optional_miss[OPTIONAL_MEMO];
static pthread_mutex_t optional_mu = PTHREAD_MUTEX_INITIALIZER;

static bool
optional_skipped(const char *id)
{
	int64_t t = tptime_now();
	bool skip = false;

	pthread_mutex_lock(&optional_mu);
	for (int i = 0; i < OPTIONAL_MEMO; i++)
		if (optional_miss[i].until > t &&
		    strcmp(optional_miss[i].id, id) == 0)
			skip = true;
	pthread_mutex_unlock(&optional_mu);
	return skip;
}

static void
optional_missed(const char *id)
{
	int64_t t = tptime_now();
	int slot = 0;

	pthread_mutex_lock(&optional_mu);
	for (int i = 0; i < OPTIONAL_MEMO; i++) {
		if (strcmp(optional_miss[i].id, id) == 0) {
			slot = i;
			break;
		}
		if (optional_miss[i].until < optional_miss[slot].until)
			slot = i;
	}
	snprintf(optional_miss[slot].id, sizeof(optional_miss[slot].id), "%s",
	         id);
	optional_miss[slot].until = t + OPTIONAL_RETRY;
	pthread_mutex_unlock(&optional_mu);
}

/*
 * AMD's cert_chain and CRL of product P ({kds}/vcek/v1/{product}/
 * cert_chain and /crl), added to COLL as "cert_chain" (PEM) and "crl"
 * (base64 DER) when they can be had and verified; otherwise left out:
 * verify_run then records that revocation was not checked.
 */
static void
resolve_amd_optional(enum snp_product p, int64_t now, json_t *coll,
                     json_t *arts)
{
	static const enum artifact_kind kinds[2] = {ARTIFACT_AMD_CERT_CHAIN,
	                                            ARTIFACT_AMD_CRL};
	static const char *const paths[2] = {"cert_chain", "crl"};

	for (int i = 0; i < 2; i++) {
		struct coll_request rq;
		struct db_collateral_row row;
		char id[200];
		int64_t retry;
		enum coll_status st;
		json_t *val;

		memset(&rq, 0, sizeof(rq));
		rq.vendor = COLL_VENDOR_AMD;
		rq.kind_id = kinds[i];
		rq.kind = artifact_kind_name(kinds[i]);
		snprintf(rq.key, sizeof(rq.key), "%s", snp_product_name(p));
		snprintf(rq.url, sizeof(rq.url), "%s/vcek/v1/%s/%s",
		         coll_amd_url(), snp_product_name(p), paths[i]);
		name_artifact(&rq, id, sizeof(id));
		if (optional_skipped(id))
			continue;
		st = coll_obtain(&rq, now, &row, &retry);
		if (st != COLL_OK) {
			/* Offline, asking costs nothing and an import may
			 * come at any time. */
			if (st != COLL_OFFLINE_MISSING &&
			    st != COLL_DB_UNAVAILABLE)
				optional_missed(id);
			continue;
		}
		if (i == 0) {
			val = json_stringn((const char *)row.body,
			                   row.body_len);
		} else {
			char *b64 = codec_base64_encode(row.body, row.body_len);
			val = b64 != NULL ? json_string(b64) : NULL;
			free(b64);
		}
		if (val != NULL) {
			json_object_set_new(coll, paths[i], val);
			json_array_append_new(arts, artifact_json(&row));
		}
		db_collateral_row_clear(&row);
	}
}

static enum coll_status
resolve_snp(const uint8_t *ev, size_t len, int64_t now, json_t *coll,
            json_t *arts, char *artifact, size_t artifactlen, int64_t *retry)
{
	struct snp_report rep;
	struct coll_request rq;
	struct db_collateral_row row;
	enum snp_product products[3];
	size_t np = 0;
	enum snp_product got = SNP_PRODUCT_UNKNOWN;
	enum coll_status st = COLL_NOT_APPLICABLE, first = COLL_OK;
	char why[160], *b64;
	uint8_t zero[64] = {0};

	if (!snp_report_parse(ev, len, &rep, why, sizeof(why)) ||
	    len != SNP_REPORT_LEN ||
	    snp_report_signing_key(&rep) != SNP_SIGNING_KEY_VCEK ||
	    memcmp(rep.chip_id, zero, 64) == 0)
		return COLL_NOT_APPLICABLE;
	if (snp_report_product(&rep) != SNP_PRODUCT_UNKNOWN) {
		products[np++] = snp_report_product(&rep);
	} else {
		/* v2 reports do not name their product: try each. */
		products[np++] = SNP_PRODUCT_MILAN;
		products[np++] = SNP_PRODUCT_GENOA;
		products[np++] = SNP_PRODUCT_TURIN;
	}
	for (size_t i = 0; i < np; i++) {
		vcek_request(&rep, products[i], &rq);
		st = coll_obtain(&rq, now, &row, retry);
		if (st == COLL_OK) {
			got = products[i];
			break;
		}
		if (i == 0) {
			first = st;
			name_artifact(&rq, artifact, artifactlen);
		}
		/* Only "no such chip for this product" tries the next. */
		if (st != COLL_NOT_FOUND && st != COLL_OFFLINE_MISSING)
			return st;
	}
	if (st != COLL_OK)
		return first;
	b64 = codec_base64_encode(row.body, row.body_len);
	json_object_set_new(coll, "vcek",
	                    b64 != NULL ? json_string(b64) : json_null());
	free(b64);
	json_array_append_new(arts, artifact_json(&row));
	db_collateral_row_clear(&row);
	resolve_amd_optional(got, now, coll, arts);
	return COLL_OK;
}

/* An NRAS detached EAT: the NRAS JWKS, handed over as {"nras_jwks":
 * {...}}. The token's signatures, digests and claims are verify_run's. */
static enum coll_status
resolve_nras(int64_t now, json_t *coll, json_t *arts, char *artifact,
             size_t artifactlen, int64_t *retry)
{
	struct coll_request rq;
	struct db_collateral_row row;
	enum coll_status st;
	json_t *jwks;

	memset(&rq, 0, sizeof(rq));
	rq.vendor = COLL_VENDOR_NVIDIA;
	rq.kind_id = ARTIFACT_NVIDIA_NRAS_JWKS;
	rq.kind = artifact_kind_name(ARTIFACT_NVIDIA_NRAS_JWKS);
	snprintf(rq.key, sizeof(rq.key), "nras");
	snprintf(rq.url, sizeof(rq.url), "%s", coll_nvidia_nras_jwks_url());
	if ((st = coll_obtain(&rq, now, &row, retry)) != COLL_OK) {
		name_artifact(&rq, artifact, artifactlen);
		return st;
	}
	/* Checked as JSON before it was cached (coll_artifact_check). */
	jwks = json_loadb((const char *)row.body, row.body_len,
	                  JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(jwks)) {
		json_decref(jwks);
		db_collateral_row_clear(&row);
		name_artifact(&rq, artifact, artifactlen);
		return COLL_UNAVAILABLE;
	}
	json_object_set_new(coll, "nras_jwks", jwks);
	json_array_append_new(arts, artifact_json(&row));
	db_collateral_row_clear(&row);
	return COLL_OK;
}

enum coll_status
coll_resolve(const uint8_t *ev, size_t len, enum tp_provider prov, int64_t now,
             json_t **collateral, json_t **artifacts, char *artifact,
             size_t artifactlen, int64_t *retry_after)
{
	struct coll_request rq[DCAP_ARTIFACTS];
	json_t *coll = NULL, *arts = NULL;
	enum coll_status st;

	*collateral = NULL;
	*artifacts = NULL;
	*retry_after = 5;
	artifact[0] = '\0';
	if (prov == TP_PROVIDER_NONE)
		prov = provider_detect(ev, len);
	coll = json_object();
	arts = json_array();
	if (coll == NULL || arts == NULL) {
		st = COLL_DB_UNAVAILABLE;
		goto out;
	}
	if (prov == TP_PROVIDER_INTEL_SGX || prov == TP_PROVIDER_INTEL_TDX) {
		if (!dcap_requests(ev, len, rq)) {
			/* verify_run names what is wrong with the quote. */
			st = COLL_NOT_APPLICABLE;
			goto out;
		}
		st = resolve_dcap(rq, now, coll, arts, artifact, artifactlen,
		                  retry_after);
	} else if (prov == TP_PROVIDER_AMD_SEV_SNP) {
		st = resolve_snp(ev, len, now, coll, arts, artifact,
		                 artifactlen, retry_after);
	} else if (prov == TP_PROVIDER_NVIDIA_GPU && gpu_is_nras_eat(ev, len)) {
		st = resolve_nras(now, coll, arts, artifact, artifactlen,
		                  retry_after);
	} else {
		st = COLL_NOT_APPLICABLE;
	}
	if (st == COLL_OK) {
		*collateral = coll;
		*artifacts = arts;
		coll = NULL;
		arts = NULL;
	}
out:
	json_decref(coll);
	json_decref(arts);
	return st;
}
