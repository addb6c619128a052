/*
 * TPM 2.0 quotes as evidence (provider "Tpm"): the JSON shape of
 * confidential-containers/trustee's TPM attester,
 *
 *   {"ak_public": "<base64 SPKI DER>",
 *    "tpm_quote": {"message": "<base64 TPMS_ATTEST>",
 *                  "signature": "<base64 TPMT_SIGNATURE or raw>",
 *                  "pcrs": ["<hex SHA-256 PCR 0>", …]}}
 *
 * ("pcrs" may also be {"sha256": {"0": "<hex>", …}, "sha1": …}). The
 * quote is checked with the AK (verify/tpm/tpm_quote.h); the AK in the
 * evidence is the attester's claim, and the verdict is hardware-verified
 * only when the operator provisioned that same key (ARTIFACT_TPM_AK from
 * a directory or a file; docs/providers.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "verify/tpm/tpm_evidence.h"
#include "verify/tpm/tpm_quote.h"
#include "verify/verify.h"

/* At most this many candidate AKs are tried (the artifact set's size). */
#define TPM_MAX_CANDIDATES ARTIFACT_SET_MAX

static bool
tpm_detect(const uint8_t *buf, size_t len)
{
	static const char key[] = "\"tpm_quote\"";
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	                   buf[i] == '\r'))
		i++;
	if (i >= len || buf[i] != '{')
		return false;
	return memmem(buf + i, len - i, key, sizeof(key) - 1) != NULL;
}

/* The evidence's members, decoded. */
struct tpm_evidence {
	uint8_t *ak; /* ak_public (DER or PEM), or NULL */
	size_t ak_len;
	uint8_t *msg; /* TPMS_ATTEST */
	size_t msg_len;
	uint8_t *sig;
	size_t sig_len;
	struct tpm_pcrs pcrs;
};

static void
evidence_free(struct tpm_evidence *e)
{
	free(e->ak);
	free(e->msg);
	free(e->sig);
	memset(e, 0, sizeof(*e));
}

static bool
evidence_parse(const uint8_t *buf, size_t len, struct tpm_evidence *e,
               char *why, size_t whylen)
{
	json_t *doc = NULL;
	const json_t *q, *ak;
	json_error_t err;
	bool ok = false;

	memset(e, 0, sizeof(*e));
	if ((doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	                      &err)) == NULL ||
	    !json_is_object(doc)) {
		snprintf(why, whylen, "evidence: not a JSON object");
		goto out;
	}
	if (!json_is_object(q = json_object_get(doc, "tpm_quote"))) {
		snprintf(why, whylen, "tpm_quote: want an object");
		goto out;
	}
	if (!tpm_json_bytes(q, "tpm_quote.", "message", &e->msg, &e->msg_len,
	                    why, whylen) ||
	    !tpm_json_bytes(q, "tpm_quote.", "signature", &e->sig, &e->sig_len,
	                    why, whylen))
		goto out;
	if (json_object_get(q, "pcrs") == NULL) {
		snprintf(why, whylen,
		         "tpm_quote.pcrs: missing (the quote's PCR values)");
		goto out;
	}
	if (!tpm_json_pcrs(json_object_get(q, "pcrs"), &e->pcrs, why, whylen))
		goto out;
	ak = json_object_get(doc, "ak_public");
	if (ak != NULL && !json_is_null(ak) &&
	    !tpm_json_bytes(doc, "", "ak_public", &e->ak, &e->ak_len, why,
	                    whylen))
		goto out;
	ok = true;
out:
	json_decref(doc);
	if (!ok)
		evidence_free(e);
	return ok;
}

/* Only the operator's store (a directory or a file) provisions an AK. */
static bool
source_provisioned(const struct artifact *a)
{
	return strcmp(a->source, "directory") == 0 ||
	       strcmp(a->source, "file") == 0;
}

/* How the verdict names artifact A. */
static void
artifact_src(const struct artifact *a, char *src, size_t n)
{
	if (strcmp(a->source, "request") == 0)
		snprintf(src, n, "collateral.%s", TPM_AK_MEMBER);
	else if (a->key[0] != '\0')
		snprintf(src, n, "collateral_path/%s", a->key);
	else
		snprintf(src, n, "collateral_path");
}

/* The AKs the signature may be checked with, and what they are worth. */
struct tpm_aks {
	EVP_PKEY *key[TPM_MAX_CANDIDATES];
	char src[TPM_MAX_CANDIDATES][192];
	size_t n;
	bool provisioned;
};

static void
aks_free(struct tpm_aks *a)
{
	for (size_t i = 0; i < a->n; i++)
		EVP_PKEY_free(a->key[i]);
	a->n = 0;
}

static bool
same_key(EVP_PKEY *a, EVP_PKEY *b)
{
	uint8_t *da = NULL, *db = NULL;
	size_t la = 0, lb = 0;
	bool eq;

	eq = tpm_ak_spki(a, &da, &la) && tpm_ak_spki(b, &db, &lb) && la == lb &&
	     CRYPTO_memcmp(da, db, la) == 0;
	free(da);
	free(db);
	return eq;
}

static void
aks_add(struct tpm_aks *a, EVP_PKEY *k, const char *src)
{
	snprintf(a->src[a->n], sizeof(a->src[0]), "%s", src);
	a->key[a->n++] = k;
}

/*
 * The AKs to verify with (docs/providers.md, Tpm): the claimed AK (the
 * evidence's ak_public, else the request's collateral.tpm_ak; both given
 * must be one key) must be one the operator provisioned when any is
 * provisioned, and is then worth a hardware-verified verdict; without a
 * claimed AK every provisioned one is tried. TP_ERR_none or the code,
 * with WHY.
 */
static enum tp_err
aks_select(const struct artifact_set *set, const struct tpm_evidence *e,
           struct tpm_aks *out, char *why, size_t whylen)
{
	EVP_PKEY *claimed = NULL, *req = NULL, *k = NULL;
	char src[192], kwhy[160];
	size_t n = set != NULL ? artifact_set_count(set, ARTIFACT_TPM_AK) : 0;
	size_t n_prov = 0;
	enum tp_err rc = TP_ERR_tpm_ak_invalid;

	memset(out, 0, sizeof(*out));
	if (set != NULL && set->malformed &&
	    set->malformed_kind == ARTIFACT_TPM_AK) {
		snprintf(why, whylen, "%s", set->why);
		rc = strcmp(set->why, TPM_AK_NOTE_FILE) == 0
		             ? TP_ERR_tpm_ak_missing
		             : TP_ERR_tpm_ak_invalid;
		goto out;
	}
	if (e->ak != NULL && (claimed = tpm_ak_parse(e->ak, e->ak_len, kwhy,
	                                             sizeof(kwhy))) == NULL) {
		snprintf(why, whylen, "ak_public: %s", kwhy);
		goto out;
	}
	/* Pass 1: the request's AK, a claim like ak_public. Pass 2: the
	 * operator's. Any AK that does not parse is refused by name. */
	for (int pass = 1; pass <= 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const struct artifact *a =
			        artifact_set_nth(set, ARTIFACT_TPM_AK, i);

			if (source_provisioned(a) != (pass == 2))
				continue;
			artifact_src(a, src, sizeof(src));
			if ((a->flags & ARTIFACT_RESERIALIZED) != 0 ||
			    (k = tpm_ak_parse(a->body, a->body_len, kwhy,
			                      sizeof(kwhy))) == NULL) {
				snprintf(why, whylen, "%.150s: %.150s", src,
				         (a->flags & ARTIFACT_RESERIALIZED) != 0
				                 ? "want a PEM public key"
				                 : kwhy);
				goto out;
			}
			if (pass == 1) {
				if (req == NULL)
					req = k;
				else
					EVP_PKEY_free(k);
			} else {
				n_prov++;
				if (claimed == NULL ||
				    (out->n == 0 && same_key(k, claimed)))
					aks_add(out, k, src);
				else
					EVP_PKEY_free(k);
			}
			k = NULL;
		}
		if (pass == 2)
			break;
		/* Both claims must be one key: two AKs for one quote are not
		 * one TPM's word. */
		if (claimed != NULL && req != NULL && !same_key(claimed, req)) {
			snprintf(why, whylen,
			         "ak_public is not the AK of collateral.%s",
			         TPM_AK_MEMBER);
			goto out;
		}
		if (claimed == NULL) {
			claimed = req;
			req = NULL;
		}
	}
	if (n_prov > 0) {
		/* Provisioned AKs decide: the claimed AK must be one of
		 * them, else the quote is another TPM's. Without a claimed
		 * AK, each provisioned one is tried. */
		if (claimed != NULL && out->n == 0) {
			snprintf(why, whylen,
			         "the quote's AK (%s) is none of the %zu "
			         "provisioned AK(s)",
			         e->ak != NULL ? "ak_public"
			                       : "collateral." TPM_AK_MEMBER,
			         n_prov);
			goto out;
		}
		out->provisioned = true;
	} else if (claimed != NULL) {
		aks_add(out, claimed,
		        e->ak != NULL ? "ak_public"
		                      : "collateral." TPM_AK_MEMBER);
		claimed = NULL;
	} else {
		snprintf(why, whylen,
		         "no AK: the evidence has no ak_public, and neither "
		         "collateral.%s nor a provisioned %s is given",
		         TPM_AK_MEMBER, TPM_AK_FILE);
		rc = TP_ERR_tpm_ak_missing;
		goto out;
	}
	rc = TP_ERR_none;
out:
	if (rc != TP_ERR_none)
		aks_free(out);
	EVP_PKEY_free(claimed);
	EVP_PKEY_free(req);
	return rc;
}

/*
 * The signature with each AK of AKS until one verifies; *USED its index.
 * TP_ERR_none, or the code of the first failure, with WHY.
 */
static enum tp_err
signature_check(const struct tpm_quote *q, const struct tpm_evidence *e,
                const struct tpm_aks *aks, struct tpm_signature *sig,
                size_t *used, char *why, size_t whylen)
{
	enum tp_err rc = TP_ERR_tpm_signature_invalid, r;
	char w[256];

	for (size_t i = 0; i < aks->n; i++) {
		r = tpm_signature_decode(e->sig, e->sig_len, aks->key[i],
		                         q->pcr_digest_len, sig, w, sizeof(w));
		if (r == TP_ERR_none)
			r = tpm_quote_verify_signature(q, sig, aks->key[i], w,
			                               sizeof(w));
		if (r == TP_ERR_none) {
			*used = i;
			return TP_ERR_none;
		}
		if (i == 0) {
			rc = r;
			snprintf(why, whylen, "%.200s (AK: %.100s)", w,
			         aks->src[i]);
		}
	}
	return rc;
}

static void
ak_record(struct verdict *v, EVP_PKEY *ak, const char *src, bool provisioned)
{
	uint8_t *spki = NULL, md[32];
	size_t n = 0;

	/* Only an AK the verifier holds (the operator's store) vouches for
	 * a TPM; one that came with the evidence or the request proves
	 * nothing about which TPM signed. */
	v->hardware_verified = provisioned;
	if (!provisioned)
		v->warning = true;
	verdict_claim_bool(v, "attestation_key_provisioned", provisioned);
	verdict_claim_str(v, "attestation_key_source", src);
	if (!tpm_ak_spki(ak, &spki, &n))
		return;
	SHA256(spki, n, md);
	verdict_claim_hex(v, "attestation_key_sha256", md, 32);
	verdict_collateral(v, "tpm_ak", spki, n);
	free(spki);
}

static void
tpm_verify(const struct verify_request *req, struct verdict *v)
{
	struct tpm_evidence e;
	struct tpm_quote q;
	struct tpm_signature sig;
	struct tpm_aks aks = {0};
	enum tp_err rc;
	size_t used = 0;
	char why[320];

	v->hardware_verified = false;
	v->certificate_chain_valid = TP_NULL;
	memset(&e, 0, sizeof(e));
	if (!evidence_parse(req->evidence, req->evidence_len, &e, why,
	                    sizeof(why))) {
		verdict_fail(v, "tpm_quote_format", TP_ERR_tpm_quote_malformed,
		             "TPM evidence: %s", why);
		goto out;
	}
	if (!tpm_quote_parse(e.msg, e.msg_len, &q, why, sizeof(why))) {
		verdict_fail(v, "tpm_quote_format", TP_ERR_tpm_quote_malformed,
		             "tpm_quote.message: %s", why);
		goto out;
	}
	verdict_pass(v, "tpm_quote_format");
	if ((rc = aks_select(req->artifacts, &e, &aks, why, sizeof(why))) !=
	    TP_ERR_none) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "tpm_ak", rc, "%s", why);
		goto out;
	}
	if ((rc = signature_check(&q, &e, &aks, &sig, &used, why,
	                          sizeof(why))) != TP_ERR_none) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "tpm_signature", rc, "tpm_quote.signature: %s",
		             why);
		goto out;
	}
	v->signature_valid = TP_TRUE;
	verdict_pass(v, "tpm_signature");
	ak_record(v, aks.key[used], aks.src[used], aks.provisioned);
	tpm_quote_claims(v, &q);

	/* A nonce without runtime_data is the quote's qualifyingData
	 * itself; with runtime_data, extraData binds runtime_data and the
	 * nonce is runtime_data.nonce (the common appraisal checks both). */
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
	if ((rc = tpm_quote_check_pcrs(&q, sig.hash, &e.pcrs, why,
	                               sizeof(why))) != TP_ERR_none) {
		verdict_fail(v, "tpm_pcr_digest", rc, "tpm_quote.pcrs: %s",
		             why);
		goto out;
	}
	verdict_pass(v, "tpm_pcr_digest");
	tpm_claim_pcrs(v, &q, &e.pcrs);
out:
	aks_free(&aks);
	evidence_free(&e);
}

const struct provider_ops provider_tpm = {
        .id = TP_PROVIDER_TPM, .detect = tpm_detect, .verify = tpm_verify};
