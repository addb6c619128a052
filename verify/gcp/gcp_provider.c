/*
 * Google Compute Engine vTPM evidence (provider "GcpVtpm"): go-tpm-tools'
 * Attestation protobuf (verify/gcp/gcp_attest.h), as the guest's
 * `gotpm attest` produces it. Checked in order: the AK certificate up to
 * a pinned Google root at the verification time, the AK (TPMT_PUBLIC, a
 * restricted signing key) equal to the certificate's key, every quote's
 * signature by that AK, extraData against the nonce, each pcrDigest
 * against its bank's PCR values, and the attestation's own event log
 * replayed to the quoted PCRs of each bank (docs/providers.md).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "verify/core/x509.h"
#include "verify/eventlog/appraise.h"
#include "verify/eventlog/eventlog.h"
#include "verify/gcp/gcp_attest.h"
#include "verify/tpm/tpm_evidence.h"
#include "verify/tpm/tpm_quote.h"
#include "verify/verify.h"

/*
 * Google's roots (go-tpm-tools server/ca-certs): the GCE
 * "tpm_ek_v1_cloud_host" root and the Google Cloud "EK/AK CA Root", each
 * pinned by the SHA-256 of its DER; their intermediates ship beside
 * them, pinned as well (an AK certificate names its intermediate, and the
 * chain must still end at a pinned root).
 */
static const struct {
	const char *file, *pin;
} gcp_roots[] = {
        {"gce_tpm_ek_root_1.der",
         "9bd5285f8fb18502a7947e621ffd470266f49fcd3b73e19a190f690ad32a7caf"},
        {"gcp_ek_ak_ca_root.der",
         "594759594b9b61524f6c8ef668f7177f7b9066bc0674f2f49fe9e052be78beb2"},
};
static const struct {
	const char *file, *pin;
} gcp_intermediates[] = {
        {"gce_tpm_ek_intermediate_2.der",
         "5d8dbcf8c8053dd8ffad711b6219355032b7122c34cac0f90ccb49def69ec504"},
        {"gce_tpm_ek_intermediate_3.der",
         "7132b6ea71101f6c51bb58f98c3798c19b65be510eca0344318900510b593178"},
        {"gcp_ek_ak_ca_intermediate_v3.der",
         "c84de8116dfaf5a908f21e810487791f5437e206d00ad8025050cca6bd2ff627"},
};

static bool
gcp_detect(const uint8_t *buf, size_t len)
{
	return gcp_attestation_detect(buf, len);
}

/* The untrusted pool: the attestation's intermediates, then Google's. */
static STACK_OF(X509) * intermediates(const struct gcp_attestation *a)
{
	STACK_OF(X509) *st = sk_X509_new_null();
	X509 *c;

	if (st == NULL)
		return NULL;
	for (size_t i = 0; i < a->n_inter; i++)
		if ((c = x509_parse(a->inter[i], a->inter_len[i])) != NULL &&
		    !sk_X509_push(st, c))
			X509_free(c);
	for (size_t i = 0;
	     i < sizeof(gcp_intermediates) / sizeof(gcp_intermediates[0]);
	     i++) {
		c = x509_anchor(gcp_intermediates[i].file,
		                gcp_intermediates[i].pin);
		if (c != NULL && X509_up_ref(c) && !sk_X509_push(st, c))
			X509_free(c);
	}
	return st;
}

/*
 * AK certificates that chained to a pinned root, keyed by SHA-256 over
 * the certificate and the attestation's intermediates (each length-
 * prefixed). Without CRLs the result depends only on the time, so an
 * entry holds while NOT_BEFORE <= now <= NOT_AFTER: the intersection of
 * the validity of the leaf and of every certificate the chain could have
 * used (the given intermediates, Google's and the roots), narrower than
 * the chain's own and so never a pass the chain would refuse. Fixed
 * size, oldest replaced, one mutex.
 */
#define GCP_CHAIN_CACHE_SIZE 64

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint8_t key[32];
	X509 *leaf;
	int64_t not_before, not_after;
} cache[GCP_CHAIN_CACHE_SIZE];
static size_t cache_next;

static bool
cache_key(const struct gcp_attestation *a, uint8_t key[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t len[8];
	bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	for (size_t i = 0; ok && i <= a->n_inter; i++) {
		const uint8_t *d = i == 0 ? a->ak_cert : a->inter[i - 1];
		size_t n = i == 0 ? a->ak_cert_len : a->inter_len[i - 1];

		for (int b = 0; b < 8; b++)
			len[b] = (uint8_t)((uint64_t)n >> (56 - 8 * b));
		ok = EVP_DigestUpdate(ctx, len, sizeof(len)) &&
		     EVP_DigestUpdate(ctx, d, n);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, key, NULL);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The cached leaf (a new reference) for KEY at NOW, or NULL. */
static X509 *
cache_get(const uint8_t key[32], int64_t now)
{
	X509 *leaf = NULL;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < GCP_CHAIN_CACHE_SIZE; i++) {
		if (cache[i].leaf == NULL ||
		    CRYPTO_memcmp(cache[i].key, key, 32) != 0)
			continue;
		if (now >= cache[i].not_before && now <= cache[i].not_after &&
		    X509_up_ref(cache[i].leaf) == 1)
			leaf = cache[i].leaf;
		break;
	}
	pthread_mutex_unlock(&cache_lock);
	return leaf;
}

static void
cache_put(const uint8_t key[32], X509 *leaf, int64_t not_before,
          int64_t not_after)
{
	size_t slot;

	if (X509_up_ref(leaf) != 1)
		return;
	pthread_mutex_lock(&cache_lock);
	for (slot = 0; slot < GCP_CHAIN_CACHE_SIZE; slot++)
		if (cache[slot].leaf != NULL &&
		    memcmp(cache[slot].key, key, 32) == 0)
			break;
	if (slot == GCP_CHAIN_CACHE_SIZE) {
		slot = cache_next;
		cache_next = (cache_next + 1) % GCP_CHAIN_CACHE_SIZE;
	}
	X509_free(cache[slot].leaf);
	memcpy(cache[slot].key, key, 32);
	cache[slot].leaf = leaf;
	cache[slot].not_before = not_before;
	cache[slot].not_after = not_after;
	pthread_mutex_unlock(&cache_lock);
}

/* T as Unix seconds; INT64_MAX (never in a window) when unreadable. */
static int64_t
time_of(const ASN1_TIME *t)
{
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int days = 0, secs = 0;
	int64_t r = INT64_MAX;

	if (epoch != NULL && t != NULL &&
	    ASN1_TIME_diff(&days, &secs, epoch, t) == 1)
		r = (int64_t)days * 86400 + secs;
	ASN1_TIME_free(epoch);
	return r;
}

/* Narrows [*NB, *NA] to C's validity. */
static void
window_narrow(X509 *c, int64_t *nb, int64_t *na)
{
	int64_t b = time_of(X509_get0_notBefore(c));
	int64_t e = time_of(X509_get0_notAfter(c));

	if (b > *nb)
		*nb = b;
	if (e == INT64_MAX)
		*na = INT64_MIN; /* unreadable: never cached */
	else if (e < *na)
		*na = e;
}

/*
 * LEAF up to one of the pinned roots at AT. TP_ERR_none, or the code of
 * the chain's failure under the first root, with WHY.
 */
static enum tp_err
chain_check(X509 *leaf, const struct gcp_attestation *a, int64_t at, char *why,
            size_t whylen)
{
	STACK_OF(X509) *pool = intermediates(a);
	enum tp_err rc = TP_ERR_certificate_chain_invalid, code;
	uint8_t key[32];
	char w[256];
	bool first = true;

	snprintf(why, whylen, "no pinned Google root is available");
	for (size_t i = 0; i < sizeof(gcp_roots) / sizeof(gcp_roots[0]); i++) {
		X509 *root = x509_anchor(gcp_roots[i].file, gcp_roots[i].pin);

		if (root == NULL)
			continue;
		code = TP_ERR_certificate_chain_invalid;
		if (x509_chain_verify(leaf, pool, root, at, NULL, &code, w,
		                      sizeof(w))) {
			rc = TP_ERR_none;
			break;
		}
		if (first) {
			rc = code;
			snprintf(why, whylen, "%s (root %s)", w,
			         gcp_roots[i].file);
			first = false;
		}
	}
	if (rc == TP_ERR_none && cache_key(a, key)) {
		int64_t nb = INT64_MIN, na = INT64_MAX;

		window_narrow(leaf, &nb, &na);
		for (int i = 0; i < sk_X509_num(pool); i++)
			window_narrow(sk_X509_value(pool, i), &nb, &na);
		for (size_t i = 0; i < sizeof(gcp_roots) / sizeof(gcp_roots[0]);
		     i++) {
			X509 *root = x509_anchor(gcp_roots[i].file,
			                         gcp_roots[i].pin);

			if (root != NULL)
				window_narrow(root, &nb, &na);
		}
		if (nb <= na)
			cache_put(key, leaf, nb, na);
	}
	sk_X509_pop_free(pool, X509_free);
	return rc;
}

/* NAME printed RFC 2253 ("" for an empty name). */
static void
claim_name(struct verdict *v, const char *claim, const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_get_mem_data(b, &p)) >= 0) {
		char *s = malloc((size_t)n + 1);

		if (s != NULL) {
			if (n > 0)
				memcpy(s, p, (size_t)n);
			s[n] = '\0';
			verdict_claim_str(v, claim, s);
			free(s);
		}
	}
	BIO_free(b);
}

static void
claim_cert(struct verdict *v, X509 *cert)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	uint8_t md[32];

	claim_name(v, "ak_cert_subject", X509_get_subject_name(cert));
	claim_name(v, "ak_cert_issuer", X509_get_issuer_name(cert));
	if (hex != NULL) {
		char *h = hex;

		/* The integer in lower-case hex, no leading zero. */
		while (h[0] == '0' && h[1] != '\0')
			h++;
		for (char *c = h; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		verdict_claim_str(v, "ak_cert_serial", h);
	}
	if (x509_sha256(cert, md))
		verdict_claim_hex(v, "ak_cert_sha256", md, sizeof(md));
	OPENSSL_free(hex);
	BN_free(bn);
}

/* Google's GCE instance extension (go-tpm-tools server: "GCE instance
 * info", OID 1.3.6.1.4.1.11129.2.1.21): SEQUENCE { zone UTF8String,
 * project_number INTEGER, project_id UTF8String, instance_id INTEGER,
 * instance_name UTF8String, security properties [0] OPTIONAL }. */
#define GCE_INSTANCE_OID "1.3.6.1.4.1.11129.2.1.21"

static json_t *
utf8_json(const unsigned char **p, long max)
{
	ASN1_UTF8STRING *s = d2i_ASN1_UTF8STRING(NULL, p, max);
	json_t *j = NULL;

	if (s != NULL)
		j = json_stringn((const char *)ASN1_STRING_get0_data(s),
		                 (size_t)ASN1_STRING_length(s));
	ASN1_UTF8STRING_free(s);
	return j;
}

static json_t *
int_json(const unsigned char **p, long max)
{
	ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, p, max);
	int64_t v;
	json_t *j = NULL;

	if (i != NULL && ASN1_INTEGER_get_int64(&v, i) == 1)
		j = json_integer((json_int_t)v);
	ASN1_INTEGER_free(i);
	return j;
}

/*
 * claims.gce_instance from CERT's extension, when it has one that
 * decodes (best effort: a certificate without it, as non-GCE AKs, or
 * with another shape, leaves the claim out). CERT is already verified
 * up to a pinned Google root, so these are Google's words.
 */
static void
claim_gce_instance(struct verdict *v, X509 *cert)
{
	static const char *const names[] = {"zone", "project_number",
	                                    "project_id", "instance_id",
	                                    "instance_name"};
	ASN1_OBJECT *oid = OBJ_txt2obj(GCE_INSTANCE_OID, 1);
	const ASN1_OCTET_STRING *data;
	const unsigned char *p, *end;
	json_t *info = NULL, *f;
	long len;
	int loc, tag, cls, r;

	if (oid == NULL || (loc = X509_get_ext_by_OBJ(cert, oid, -1)) < 0)
		goto out;
	data = X509_EXTENSION_get_data(X509_get_ext(cert, loc));
	p = ASN1_STRING_get0_data(data);
	end = p + ASN1_STRING_length(data);
	r = ASN1_get_object(&p, &len, &tag, &cls, (long)(end - p));
	if ((r & 0x80) != 0 || r != V_ASN1_CONSTRUCTED ||
	    tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL || len > end - p)
		goto out;
	end = p + len;
	if ((info = json_object()) == NULL)
		goto out;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		f = (i == 1 || i == 3) ? int_json(&p, (long)(end - p))
		                       : utf8_json(&p, (long)(end - p));
		if (f == NULL)
			goto out;
		json_object_set_new(info, names[i], f);
	}
	verdict_claim_json(v, "gce_instance", info); /* stolen */
	info = NULL;
out:
	json_decref(info);
	ASN1_OBJECT_free(oid);
}

/* The event-log bank of TPM_ALG_ID ALG, or -1. */
static int
ev_bank_of(uint16_t alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return EV_SHA1;
	case TPM_ALG_SHA256:
		return EV_SHA256;
	case TPM_ALG_SHA384:
		return EV_SHA384;
	case TPM_ALG_SHA512:
		return EV_SHA512;
	}
	return -1;
}

/*
 * The attestation's own event log against the quoted PCRs (verified
 * quotes only): for each quote's bank the log carries, every PCR the log
 * extends and the quote covers must be the replayed value. Components
 * from the SHA-256 bank when quoted, else the first bank replayed.
 */
static void
replay_own_log(const struct gcp_attestation *a, const struct tpm_quote *quotes,
               struct verdict *v)
{
	struct ev_log log;
	char why[320], name[16], want[2 * EV_MAX_DIGEST + 1],
	        have[2 * EV_MAX_DIGEST + 1];
	enum tp_err rc;
	int comp = -1;
	size_t matched = 0;

	memset(&log, 0, sizeof(log));
	rc = ev_log_parse(a->event_log, a->event_log_len, EV_REGS_TPM_PCR, &log,
	                  why, sizeof(why));
	if (rc != TP_ERR_none) {
		verdict_fail(v, "gcp_event_log", rc,
		             "attestation.event_log: %s", why);
		goto out;
	}
	if (log.regs != EV_REGS_TPM_PCR) {
		verdict_fail(v, "gcp_event_log", TP_ERR_event_log_unsupported,
		             "attestation.event_log: not a TCG log");
		goto out;
	}
	for (size_t qi = 0; qi < a->n_quotes; qi++) {
		const struct tpm_pcrs *p = &a->quotes[qi].pcrs;
		int b = ev_bank_of(p->alg[0]);
		size_t dl;

		if (b < 0 || !log.bank[b])
			continue;
		dl = ev_bank_size((enum ev_bank)b);
		for (unsigned i = 0; i < TPM_PCR_COUNT; i++) {
			bool covered = false;

			for (size_t s = 0; s < quotes[qi].n_sel; s++)
				if (quotes[qi].sel[s].hash == p->alg[0] &&
				    tpm_pcr_selected(&quotes[qi].sel[s], i))
					covered = true;
			if (!log.extended[b][i] || !covered || !p->have[0][i])
				continue;
			if (CRYPTO_memcmp(log.reg[b][i], p->val[0][i], dl) !=
			    0) {
				ev_reg_name(&log, i, name, sizeof(name));
				codec_hex_encode_to(log.reg[b][i], dl, want);
				codec_hex_encode_to(p->val[0][i], dl, have);
				verdict_fail(v, "gcp_event_log_replay",
				             TP_ERR_event_log_replay_mismatch,
				             "%s.%s: the event log replays to "
				             "%s, the quote has %s",
				             ev_bank_name((enum ev_bank)b),
				             name, want, have);
				goto out;
			}
			matched++;
		}
		if (comp < 0 || b == EV_SHA256)
			comp = b;
	}
	if (matched == 0) {
		verdict_fail(v, "gcp_event_log_replay",
		             TP_ERR_event_log_replay_mismatch,
		             "attestation.event_log extends no PCR of a quoted "
		             "bank");
		goto out;
	}
	verdict_pass(v, "gcp_event_log_replay");
	claim_components(&log, (enum ev_bank)comp, v);
out:
	ev_log_free(&log);
}

/*
 * Each quote: parsed, signed by AK, extraData equal across quotes (and
 * to the nonce when one is given without runtime_data), pcrDigest over
 * its bank's values. False once the verdict failed.
 */
static bool
quotes_check(const struct verify_request *req, const struct gcp_attestation *a,
             EVP_PKEY *ak, struct tpm_quote *q, struct verdict *v)
{
	struct tpm_signature sig;
	json_t *pcrs = json_object();
	char why[320];
	enum tp_err rc;
	bool ok = false;

	for (size_t i = 0; i < a->n_quotes; i++) {
		const struct gcp_quote *g = &a->quotes[i];

		if (!tpm_quote_parse(g->attest, g->attest_len, &q[i], why,
		                     sizeof(why))) {
			verdict_fail(v, "gcp_quote_format",
			             TP_ERR_tpm_quote_malformed,
			             "quotes[%zu].quote: %s", i, why);
			goto out;
		}
		rc = tpm_signature_decode(g->sig, g->sig_len, ak,
		                          q[i].pcr_digest_len, &sig, why,
		                          sizeof(why));
		if (rc == TP_ERR_none)
			rc = tpm_quote_verify_signature(&q[i], &sig, ak, why,
			                                sizeof(why));
		if (rc != TP_ERR_none) {
			v->signature_valid = TP_FALSE;
			verdict_fail(v, "gcp_quote_signature", rc,
			             "quotes[%zu].raw_sig: %s", i, why);
			goto out;
		}
		/* One attestation answers one challenge: every quote must
		 * carry the same qualifyingData. */
		if (q[i].extra_len != q[0].extra_len ||
		    CRYPTO_memcmp(q[i].extra, q[0].extra, q[0].extra_len) !=
		            0) {
			v->fresh = TP_FALSE;
			verdict_fail(v, "gcp_quote_nonce",
			             TP_ERR_tpm_nonce_mismatch,
			             "quotes[%zu]: extraData differs from "
			             "quotes[0]'s",
			             i);
			goto out;
		}
		if (req->nonce != NULL && req->runtime_data == NULL &&
		    (rc = tpm_quote_check_nonce(&q[i], req->nonce,
		                                req->nonce_len, why,
		                                sizeof(why))) != TP_ERR_none) {
			v->fresh = TP_FALSE;
			verdict_fail(v, "gcp_quote_nonce", rc,
			             "quotes[%zu]: %s", i, why);
			goto out;
		}
		if ((rc = tpm_quote_check_pcrs(&q[i], sig.hash, &g->pcrs, why,
		                               sizeof(why))) != TP_ERR_none) {
			verdict_fail(v, "gcp_pcr_digest", rc,
			             "quotes[%zu].pcrs: %s", i, why);
			goto out;
		}
		if (pcrs != NULL)
			tpm_pcrs_claim_add(pcrs, &q[i], &g->pcrs);
	}
	v->signature_valid = TP_TRUE;
	verdict_pass(v, "gcp_quote_signature");
	if (req->nonce != NULL && req->runtime_data == NULL)
		verdict_pass(v, "gcp_quote_nonce");
	verdict_pass(v, "gcp_pcr_digest");
	verdict_claim_json(v, "pcrs", pcrs); /* stolen */
	pcrs = NULL;
	/* extraData is the same in every quote (checked above). */
	tpm_quote_claims(v, &q[0]);
	ok = true;
out:
	json_decref(pcrs);
	return ok;
}

static void
gcp_verify(const struct verify_request *req, struct verdict *v)
{
	struct gcp_attestation a;
	struct tpm_quote q[GCP_MAX_QUOTES];
	EVP_PKEY *ak = NULL;
	X509 *cert = NULL;
	uint8_t name[TPM_MAX_HA], key[32];
	size_t name_len = 0;
	uint32_t attrs = 0;
	enum tp_err rc;
	char why[320];

	v->hardware_verified = false;
	v->certificate_chain_valid = TP_NULL;
	if (!gcp_attestation_parse(req->evidence, req->evidence_len, &a, why,
	                           sizeof(why))) {
		verdict_fail(v, "gcp_attestation_format",
		             TP_ERR_gcp_attestation_malformed, "%s", why);
		goto out;
	}
	if ((ak = gcp_tpmt_public_key(a.ak_pub, a.ak_pub_len, &attrs, name,
	                              &name_len, why, sizeof(why))) == NULL) {
		verdict_fail(v, "gcp_attestation_format", TP_ERR_tpm_ak_invalid,
		             "%s", why);
		goto out;
	}
	/* A restricted signing key (TPM 2.0 Part 1, restricted signing
	 * keys; Part 3, TPM2_Sign's validation ticket) signs outside data
	 * only with a ticket proving it did not begin with
	 * TPM_GENERATED_VALUE: a quote it signed is the TPM's own. An
	 * unrestricted key could sign any forged TPMS_ATTEST. */
	if ((attrs & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN |
	              TPMA_OBJECT_FIXEDTPM)) !=
	    (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN |
	     TPMA_OBJECT_FIXEDTPM)) {
		verdict_fail(v, "gcp_attestation_format", TP_ERR_tpm_ak_invalid,
		             "ak_pub.objectAttributes 0x%08x: want fixedTPM, "
		             "restricted and sign",
		             attrs);
		goto out;
	}
	verdict_pass(v, "gcp_attestation_format");
	if (a.ak_cert == NULL) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "gcp_ak_cert", TP_ERR_gcp_ak_cert_missing,
		             "attestation.ak_cert: missing (an AK without "
		             "Google's certificate vouches for nothing)");
		goto out;
	}
	if (cache_key(&a, key) && (cert = cache_get(key, req->now)) != NULL)
		goto chained;
	if ((cert = x509_parse(a.ak_cert, a.ak_cert_len)) == NULL) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "gcp_ak_cert", TP_ERR_certificate_chain_invalid,
		             "attestation.ak_cert: not a DER certificate");
		goto out;
	}
	if ((rc = chain_check(cert, &a, req->now, why, sizeof(why))) !=
	    TP_ERR_none) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "gcp_ak_cert", rc, "attestation.ak_cert: %s",
		             why);
		goto out;
	}
chained:
	v->certificate_chain_valid = TP_TRUE;
	verdict_pass(v, "gcp_ak_cert");
	if (EVP_PKEY_eq(X509_get0_pubkey(cert), ak) != 1) {
		verdict_fail(v, "gcp_ak_key", TP_ERR_gcp_ak_key_mismatch,
		             "ak_pub is not the public key of ak_cert");
		goto out;
	}
	verdict_pass(v, "gcp_ak_key");
	verdict_expires_no_later_than(v, x509_not_after(cert));
	verdict_claim_hex(v, "ak_name", name, name_len);
	claim_cert(v, cert);
	claim_gce_instance(v, cert);
	if (a.tee_field != 0)
		/* Said, never vouched for: the SEV-SNP report or TD quote a
		 * Confidential VM adds is not verified by this format yet. */
		verdict_claim_json(
		        v, "tee_attestation",
		        json_pack("{s:s, s:b}", "type",
		                  a.tee_field == 8 ? "sev_snp" : "tdx",
		                  "verified", 0));
	verdict_collateral(v, "gcp_ak_cert", a.ak_cert, a.ak_cert_len);
	if (!quotes_check(req, &a, ak, q, v))
		goto out;
	/* The AK is Google's, certified to the pinned root, and signed
	 * every quote. */
	v->hardware_verified = true;
	if (a.event_log != NULL)
		replay_own_log(&a, q, v);
out:
	X509_free(cert);
	EVP_PKEY_free(ak);
}

const struct provider_ops provider_gcp_vtpm = {
        .id = TP_PROVIDER_GCP_VTPM, .detect = gcp_detect, .verify = gcp_verify};
