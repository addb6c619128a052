/*
 * AWS Nitro Enclaves attestation documents (issue 5): COSE_Sign1 (RFC 9052
 * §4.2) signed ES384 by the enclave's leaf certificate, chained to the AWS
 * Nitro Enclaves Root G1. AWS Nitro Enclaves User Guide, "Verifying the
 * root of trust"; aws/aws-nitro-enclaves-nsm-api docs/attestation_process.md.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "verify/core/cose.h"
#include "verify/aws/nitro_chain.h"
#include "verify/aws/nitro_doc.h"
#include "verify/verify.h"
#include "verify/core/x509.h"

#define NITRO_ROOT_FILE "aws_nitro_root_g1.pem"
/* AWS documents this SHA-256 fingerprint of the root's DER encoding. */
#define NITRO_ROOT_PIN                                                         \
	"641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b"

/*
 * Untagged or tag-18 COSE_Sign1 whose protected header is exactly
 * {1: -35} (ES384) and whose payload map starts with "module_id", as the
 * NSM writes it. PSA (ES256, tag 18) and CCA (tag 399) never match.
 */
static bool
nitro_detect(const uint8_t *buf, size_t len)
{
	static const uint8_t head[] = {0x84, 0x44, 0xa1, 0x01, 0x38, 0x22};
	static const uint8_t key[] = {0x69, 'm', 'o', 'd', 'u',
	                              'l',  'e', '_', 'i', 'd'};
	struct reader r;
	const uint8_t *p;
	uint8_t b;

	reader_init(&r, buf, len);
	if (len > 0 && buf[0] == 0xd2 && !reader_skip(&r, 1))
		return false;
	if (!reader_bytes(&r, sizeof(head), &p) ||
	    memcmp(p, head, sizeof(head)) != 0)
		return false;
	/* Unprotected map (empty as the NSM writes it), payload bstr head
	 * (1..9 bytes), payload map head (1..2 bytes), then the key. */
	for (int i = 0; i < 12; i++) {
		struct reader t = r;
		if (reader_bytes(&t, sizeof(key), &p) &&
		    memcmp(p, key, sizeof(key)) == 0)
			return true;
		if (!reader_u8(&r, &b))
			return false;
	}
	return false;
}

/* cabundle[0] must be the pinned root itself, byte for byte. */
static bool
root_matches(X509 *anchor, const struct nitro_blob *b)
{
	unsigned char *der = NULL;
	int n;
	bool ok;

	if ((n = i2d_X509(anchor, &der)) <= 0)
		return false;
	ok = (size_t)n == b->n && CRYPTO_memcmp(der, b->p, b->n) == 0;
	OPENSSL_free(der);
	return ok;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static void
add_claims(const struct nitro_doc *d, struct verdict *v)
{
	char name[16];

	for (int i = 0; i < NITRO_MAX_PCRS; i++) {
		if (!d->pcrs[i].present)
			continue;
		snprintf(name, sizeof(name), "pcr%d", i);
		verdict_claim_hex(v, name, d->pcrs[i].p, d->pcrs[i].n);
	}
	verdict_claim_str(v, "module_id", d->module_id);
	verdict_claim_str(v, "digest", d->digest);
	verdict_claim_int(v, "timestamp", (int64_t)d->timestamp_ms);
	if (d->public_key.p != NULL)
		verdict_claim_hex(v, "public_key", d->public_key.p,
		                  d->public_key.n);
	if (d->user_data.p != NULL)
		verdict_claim_hex(v, "user_data", d->user_data.p,
		                  d->user_data.n);
	if (d->nonce.p != NULL)
		verdict_claim_hex(v, "nonce", d->nonce.p, d->nonce.n);
	/* Binding fields (API.md): runtime-data hashes fit in 64 bytes. */
	if (d->user_data.p != NULL && d->user_data.n > 0 &&
	    d->user_data.n <= 64)
		verdict_add_binding(v, "user_data", d->user_data.p,
		                    d->user_data.n);
	if (d->nonce.p != NULL && d->nonce.n > 0 && d->nonce.n <= 64)
		verdict_add_binding(v, "nonce", d->nonce.p, d->nonce.n);
}

/*
 * AWS: an enclave started in debug mode reports PCR0, PCR1 and PCR2 as
 * all zeros (Nitro Enclaves User Guide, "Where to get an enclave's
 * measurements"). Missing PCRs count as unknown, hence not debug-free.
 */
static void
check_debug(const struct verify_request *req, const struct nitro_doc *d,
            struct verdict *v)
{
	const struct nitro_policy *np = &req->cfg->nitro;
	bool allow = np->allow_debug < 0 ? req->cfg->allow_debug
	                                 : np->allow_debug == 1;
	bool debug = true;

	for (int i = 0; i < 3; i++)
		if (d->pcrs[i].present && !all_zero(d->pcrs[i].p, d->pcrs[i].n))
			debug = false;
	if (!d->pcrs[0].present || !d->pcrs[1].present || !d->pcrs[2].present)
		debug = true;
	verdict_claim_bool(v, "debug", debug);
	if (debug && !allow)
		verdict_fail(v, "debug_policy", TP_ERR_debug_not_allowed,
		             "pcrs: PCR0, PCR1 and PCR2 are all zero (or "
		             "missing): a debug-mode enclave, which the policy "
		             "refuses");
	else
		verdict_pass(v, "debug_policy");
}

static void
nitro_verify(const struct verify_request *req, struct verdict *v)
{
	struct cose_sign1 cose;
	struct nitro_doc doc;
	enum tp_err code;
	X509 *anchor, *leaf = NULL;
	int64_t not_after = INT64_MAX, ts;
	char why[256];
	bool chain_ok, sig_ok;

	v->hardware_verified = false;
	if (!cose_sign1_parse(req->evidence, req->evidence_len, &cose, &code,
	                      why, sizeof(why))) {
		verdict_fail(v, "cose_format", code, "COSE_Sign1: %s", why);
		goto out;
	}
	verdict_pass(v, "cose_format");
	/* Nitro documents are ES384 only (AWS, attestation document
	 * specification: "alg: ECDSA 384"). */
	if (cose.alg != COSE_ALG_ES384) {
		verdict_fail(v, "cose_alg", TP_ERR_cose_alg_unsupported,
		             "alg: want ES384 (-35), have %lld",
		             (long long)cose.alg);
		goto out;
	}
	verdict_pass(v, "cose_alg");
	if (!nitro_doc_parse(cose.payload, cose.payload_len, &doc, why,
	                     sizeof(why))) {
		verdict_fail(v, "nitro_document", TP_ERR_nitro_payload_invalid,
		             "attestation document: %s", why);
		goto out;
	}
	verdict_pass(v, "nitro_document");

	if ((anchor = x509_anchor(NITRO_ROOT_FILE, NITRO_ROOT_PIN)) == NULL) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "nitro_root", TP_ERR_certificate_chain_invalid,
		             "the pinned AWS Nitro Enclaves Root G1 (%s) is "
		             "missing or does not match its pin",
		             NITRO_ROOT_FILE);
		goto out;
	}
	if (!root_matches(anchor, &doc.cabundle[0])) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "nitro_root", TP_ERR_nitro_root_mismatch,
		             "cabundle[0]: want the AWS Nitro Enclaves Root G1 "
		             "(DER SHA-256 %s) byte for byte",
		             NITRO_ROOT_PIN);
		goto out;
	}
	verdict_pass(v, "nitro_root");
	verdict_collateral(v, "aws_nitro_root_g1", doc.cabundle[0].p,
	                   doc.cabundle[0].n);

	chain_ok = nitro_chain_verify(&doc, anchor, req->now, &leaf, &not_after,
	                              &code, why, sizeof(why));
	if (!chain_ok) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "nitro_chain", code, "%s", why);
		/* The signature is still checked when the leaf parses, so
		 * that an expired document is reported as only that. */
		if (doc.certificate.p[0] == 0x30)
			leaf = x509_parse(doc.certificate.p, doc.certificate.n);
		if (leaf == NULL)
			goto out;
	} else {
		v->certificate_chain_valid = TP_TRUE;
		verdict_pass(v, "nitro_chain");
		verdict_expires_no_later_than(v, not_after);
	}

	sig_ok = cose_sign1_verify(&cose, X509_get0_pubkey(leaf), why,
	                           sizeof(why));
	if (!sig_ok) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "cose_signature", TP_ERR_cose_signature_invalid,
		             "COSE_Sign1 by the certificate's key: %s", why);
		goto out;
	}
	v->signature_valid = TP_TRUE;
	verdict_pass(v, "cose_signature");
	/* Genuine Nitro hardware only when the key chains to AWS's root. */
	v->hardware_verified = chain_ok;

	add_claims(&doc, v);
	ts = (int64_t)(doc.timestamp_ms / 1000);
	v->evidence_time = ts;
	if (req->cfg->nitro.max_future_skew >= 0 &&
	    ts > req->now + req->cfg->nitro.max_future_skew)
		verdict_fail(v, "nitro_future_skew",
		             TP_ERR_evidence_from_future,
		             "timestamp: %lld s after the verification time; "
		             "nitro.max_future_skew allows %lld s",
		             (long long)(ts - req->now),
		             (long long)req->cfg->nitro.max_future_skew);
	check_debug(req, &doc, v);
out:
	X509_free(leaf);
}

const struct provider_ops provider_aws_nitro = {.id = TP_PROVIDER_AWS_NITRO,
                                                .detect = nitro_detect,
                                                .verify = nitro_verify};
