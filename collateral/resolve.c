/*
 * The collateral service as a loader: the artifacts a piece of evidence
 * needs, from the PostgreSQL cache or the vendor, added to the artifact
 * set verify/ checks (the exact bytes the vendor served). Intel's needs
 * come from the provider's first phase, which names them only once the
 * quote's PCK chain verified to the pinned root.
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

/* The Intel PCS API v4 request for need N (a PCCS serves the same paths);
 * false for a need that is not Intel's. */
static bool
intel_request(const struct artifact_need *n, struct coll_request *rq)
{
	const char *base = coll_intel_url(), *slash;

	memset(rq, 0, sizeof(*rq));
	rq->vendor = COLL_VENDOR_INTEL;
	rq->kind_id = n->kind;
	rq->kind = artifact_kind_name(n->kind);
	snprintf(rq->key, sizeof(rq->key), "%s", n->key);
	switch (n->kind) {
	case ARTIFACT_INTEL_TCB_INFO:
		/* key "<tee>/<fmspc>" */
		if ((slash = strchr(n->key, '/')) == NULL)
			return false;
		snprintf(rq->url, sizeof(rq->url),
		         "%s/%.*s/certification/v4/tcb?fmspc=%s", base,
		         (int)(slash - n->key), n->key, slash + 1);
		rq->chain_header = "TCB-Info-Issuer-Chain";
		return true;
	case ARTIFACT_INTEL_QE_IDENTITY:
		snprintf(rq->url, sizeof(rq->url),
		         "%s/%s/certification/v4/qe/identity", base, n->key);
		rq->chain_header = "SGX-Enclave-Identity-Issuer-Chain";
		return true;
	case ARTIFACT_INTEL_PCK_CRL:
		snprintf(rq->url, sizeof(rq->url),
		         "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der",
		         base, n->key);
		rq->chain_header = "SGX-PCK-CRL-Issuer-Chain";
		return true;
	case ARTIFACT_INTEL_ROOT_CA_CRL:
		if (coll_intel_root_crl_url() != NULL)
			snprintf(rq->url, sizeof(rq->url), "%s",
			         coll_intel_root_crl_url());
		else
			snprintf(rq->url, sizeof(rq->url),
			         "%s/sgx/certification/v4/rootcacrl", base);
		return true;
	default:
		return false;
	}
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

/* Row R (verified before it was cached) into SET and its summary into
 * ARTS. */
static bool
add_row(const struct db_collateral_row *r, enum artifact_kind kind,
        struct artifact_set *set, json_t *arts)
{
	if (!artifact_set_add(
	            set, kind, r->key, r->body, r->body_len, r->issuer_chain,
	            r->issuer_chain != NULL ? strlen(r->issuer_chain) : 0,
	            r->source, 0))
		return false;
	json_array_append_new(arts, artifact_json(r));
	return true;
}

static enum coll_status
resolve_intel(const struct artifact_needs *needs, int64_t now,
              struct artifact_set *set, json_t *arts, char *artifact,
              size_t artifactlen, int64_t *retry)
{
	for (size_t i = 0; i < needs->n; i++) {
		struct coll_request rq;
		struct db_collateral_row row;
		enum coll_status st;

		if (!intel_request(&needs->items[i], &rq))
			continue;
		st = coll_obtain(&rq, now, &row, retry);
		if (st != COLL_OK) {
			name_artifact(&rq, artifact, artifactlen);
			return st;
		}
		if (!add_row(&row, rq.kind_id, set, arts)) {
			db_collateral_row_clear(&row);
			name_artifact(&rq, artifact, artifactlen);
			return COLL_DB_UNAVAILABLE;
		}
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
 * cert_chain and /crl), added to SET when they can be had and verified;
 * otherwise left out: the SNP verifier then records that revocation was
 * not checked.
 */
static void
resolve_amd_optional(enum snp_product p, int64_t now, struct artifact_set *set,
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
		add_row(&row, kinds[i], set, arts);
		db_collateral_row_clear(&row);
	}
}

/*
 * SEV-SNP: the VCEK named by the report's chip id and reported TCB
 * (unavoidably read before any signature can be checked: it is what
 * names the key), then AMD's optional chain and CRL.
 */
static enum coll_status
resolve_snp(const uint8_t *ev, size_t len, int64_t now,
            struct artifact_set *set, json_t *arts, char *artifact,
            size_t artifactlen, int64_t *retry)
{
	struct snp_report rep;
	struct coll_request rq;
	struct db_collateral_row row;
	enum snp_product products[3];
	size_t np = 0;
	enum snp_product got = SNP_PRODUCT_UNKNOWN;
	enum coll_status st = COLL_NOT_APPLICABLE, first = COLL_OK;
	char why[160];
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
	if (!add_row(&row, ARTIFACT_AMD_VCEK, set, arts)) {
		db_collateral_row_clear(&row);
		return COLL_DB_UNAVAILABLE;
	}
	db_collateral_row_clear(&row);
	resolve_amd_optional(got, now, set, arts);
	return COLL_OK;
}

/* An NRAS detached EAT: the NRAS JWKS (checked as JSON with usable keys
 * before it was cached). The token's signatures, digests and claims are
 * the NVIDIA verifier's. */
static enum coll_status
resolve_nras(int64_t now, struct artifact_set *set, json_t *arts,
             char *artifact, size_t artifactlen, int64_t *retry)
{
	struct coll_request rq;
	struct db_collateral_row row;
	enum coll_status st;

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
	if (!add_row(&row, ARTIFACT_NVIDIA_NRAS_JWKS, set, arts)) {
		db_collateral_row_clear(&row);
		name_artifact(&rq, artifact, artifactlen);
		return COLL_DB_UNAVAILABLE;
	}
	db_collateral_row_clear(&row);
	return COLL_OK;
}

enum coll_status
coll_resolve(const uint8_t *ev, size_t len, enum tp_provider prov,
             const struct artifact_needs *needs, int64_t now,
             struct artifact_set *set, json_t *artifacts, char *artifact,
             size_t artifactlen, int64_t *retry_after)
{
	*retry_after = 5;
	artifact[0] = '\0';
	switch (prov) {
	case TP_PROVIDER_INTEL_SGX:
	case TP_PROVIDER_INTEL_TDX:
		/* No needs: the quote's chain did not verify, or the quote
		 * did not parse; the verifier names why. */
		if (needs == NULL || needs->n == 0)
			return COLL_NOT_APPLICABLE;
		return resolve_intel(needs, now, set, artifacts, artifact,
		                     artifactlen, retry_after);
	case TP_PROVIDER_AMD_SEV_SNP:
		return resolve_snp(ev, len, now, set, artifacts, artifact,
		                   artifactlen, retry_after);
	case TP_PROVIDER_NVIDIA_GPU:
		if (!gpu_is_nras_eat(ev, len))
			return COLL_NOT_APPLICABLE;
		return resolve_nras(now, set, artifacts, artifact, artifactlen,
		                    retry_after);
	default:
		return COLL_NOT_APPLICABLE;
	}
}
