/*
 * The collateral service as a loader: the artifacts a piece of evidence
 * needs, from the PostgreSQL cache or the vendor, added to the artifact
 * set verify/ checks (the exact bytes the vendor served). Intel's needs
 * come from the provider's first phase, which names them only once the
 * quote's PCK chain verified to the pinned root; AMD's from the SEV-SNP
 * provider's first phase (the VCEK the report names, optional chain and
 * CRL).
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

/*
 * KDS: GET /vcek/v1/{product}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..
 * &ucodeSPL=.. (Turin: an 8-byte hwid and fmcSPL), from the VCEK need's
 * key "<Product>/<hwid hex>/<bl>.<tee>.<snp>.<ucode>[.<fmc>]" (phase 1
 * names it from the report, snp_vcek_key). False for a key of another
 * shape.
 */
static bool
vcek_request(const struct artifact_need *n, struct coll_request *rq)
{
	char product[8], hwid[129], tail[2], fmcspl[16] = "";
	unsigned bl, tee, snp, ucode, fmc;
	int k;

	memset(rq, 0, sizeof(*rq));
	rq->vendor = COLL_VENDOR_AMD;
	rq->kind_id = ARTIFACT_AMD_VCEK;
	rq->kind = artifact_kind_name(ARTIFACT_AMD_VCEK);
	snprintf(rq->key, sizeof(rq->key), "%s", n->key);
	k = sscanf(n->key, "%7[A-Za-z]/%128[0-9a-f]/%u.%u.%u.%u.%u%1s", product,
	           hwid, &bl, &tee, &snp, &ucode, &fmc, tail);
	if ((k != 6 && k != 7) ||
	    (strcmp(product, "Milan") != 0 && strcmp(product, "Genoa") != 0 &&
	     strcmp(product, "Turin") != 0) ||
	    bl > 255 || tee > 255 || snp > 255 || ucode > 255 ||
	    (k == 7 && fmc > 255))
		return false;
	if (k == 7)
		snprintf(fmcspl, sizeof(fmcspl), "&fmcSPL=%u", fmc);
	snprintf(rq->url, sizeof(rq->url),
	         "%s/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u%s",
	         coll_amd_url(), product, hwid, bl, tee, snp, ucode, fmcspl);
	return true;
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
 * AMD's optional needs (cert_chain, CRL: {kds}/vcek/v1/{product}/
 * cert_chain and /crl) for PRODUCT, the product of the VCEK that was had
 * (a need keyed "" is that product's; one keyed for another product is
 * not wanted), added to SET when they can be had and verified; otherwise
 * left out: the SNP verifier then records that revocation was not
 * checked.
 */
static void
resolve_amd_optional(const struct artifact_needs *needs, const char *product,
                     int64_t now, struct artifact_set *set, json_t *arts)
{
	for (size_t i = 0; i < needs->n; i++) {
		const struct artifact_need *n = &needs->items[i];
		struct coll_request rq;
		struct db_collateral_row row;
		char id[200];
		int64_t retry;
		enum coll_status st;

		if (!n->optional ||
		    (n->kind != ARTIFACT_AMD_CERT_CHAIN &&
		     n->kind != ARTIFACT_AMD_CRL) ||
		    (n->key[0] != '\0' && strcmp(n->key, product) != 0))
			continue;
		memset(&rq, 0, sizeof(rq));
		rq.vendor = COLL_VENDOR_AMD;
		rq.kind_id = n->kind;
		rq.kind = artifact_kind_name(n->kind);
		snprintf(rq.key, sizeof(rq.key), "%s", product);
		snprintf(rq.url, sizeof(rq.url), "%s/vcek/v1/%s/%s",
		         coll_amd_url(), product,
		         n->kind == ARTIFACT_AMD_CRL ? "crl" : "cert_chain");
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
		add_row(&row, n->kind, set, arts);
		db_collateral_row_clear(&row);
	}
}

/*
 * SEV-SNP, from phase 1's needs (snp_needs in verify/amd/snp_provider.c):
 * the VCEK (of a v2 report, the alternatives of its group in order,
 * moving on only when KDS has no such chip for that product), then
 * AMD's optional chain and CRL of the product whose VCEK was had.
 */
static enum coll_status
resolve_snp(const struct artifact_needs *needs, int64_t now,
            struct artifact_set *set, json_t *arts, char *artifact,
            size_t artifactlen, int64_t *retry)
{
	struct coll_request rq;
	struct db_collateral_row row;
	enum coll_status st = COLL_NOT_APPLICABLE, first = COLL_OK;
	const struct artifact_need *got = NULL;
	char product[8];
	size_t tried = 0;
	int group = 0;

	for (size_t i = 0; i < needs->n && got == NULL; i++) {
		const struct artifact_need *n = &needs->items[i];

		if (n->kind != ARTIFACT_AMD_VCEK || !vcek_request(n, &rq))
			continue;
		/* After the first, only its alternatives (its group). */
		if (tried > 0 && (group == 0 || n->group != group))
			break;
		st = coll_obtain(&rq, now, &row, retry);
		if (st == COLL_OK) {
			got = n;
			break;
		}
		if (tried++ == 0) {
			first = st;
			group = n->group;
			name_artifact(&rq, artifact, artifactlen);
		}
		/* Only "no such chip for this product" tries the next. */
		if (st != COLL_NOT_FOUND && st != COLL_OFFLINE_MISSING)
			return st;
	}
	if (got == NULL)
		return tried > 0 ? first : COLL_NOT_APPLICABLE;
	if (!add_row(&row, ARTIFACT_AMD_VCEK, set, arts)) {
		db_collateral_row_clear(&row);
		return COLL_DB_UNAVAILABLE;
	}
	db_collateral_row_clear(&row);
	snprintf(product, sizeof(product), "%.*s", (int)strcspn(got->key, "/"),
	         got->key);
	resolve_amd_optional(needs, product, now, set, arts);
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
	case TP_PROVIDER_AZURE_TDX_VTPM: /* its TD quote's */
	case TP_PROVIDER_RA_TLS:         /* the certificate's quote's */
		/* No needs: the quote's chain did not verify, or the quote
		 * did not parse; the verifier names why. */
		if (needs == NULL || needs->n == 0)
			return COLL_NOT_APPLICABLE;
		return resolve_intel(needs, now, set, artifacts, artifact,
		                     artifactlen, retry_after);
	case TP_PROVIDER_AMD_SEV_SNP:
		/* No needs: the report did not parse, carries its own key, is
		 * VLEK-signed or masks its chip id. */
		if (needs == NULL || needs->n == 0)
			return COLL_NOT_APPLICABLE;
		return resolve_snp(needs, now, set, artifacts, artifact,
		                   artifactlen, retry_after);
	case TP_PROVIDER_AZURE_SNP_VTPM:
		/* The bundle carries its VCEK; its product's optional chain
		 * and CRL (azure_needs in verify/azure/azure_provider.c). */
		if (needs == NULL || needs->n == 0)
			return COLL_NOT_APPLICABLE;
		resolve_amd_optional(needs, needs->items[0].key, now, set,
		                     artifacts);
		return COLL_OK;
	case TP_PROVIDER_NVIDIA_GPU:
		if (!gpu_is_nras_eat(ev, len))
			return COLL_NOT_APPLICABLE;
		return resolve_nras(now, set, artifacts, artifact, artifactlen,
		                    retry_after);
	default:
		return COLL_NOT_APPLICABLE;
	}
}
