/*
 * RA-TLS certificates as evidence (provider "RaTls", issue 18): an X.509
 * certificate whose extension carries an SGX or TDX quote that binds the
 * certificate's public key (verify/ratls/ratls_cert.h for the two forms).
 *
 * The quote is verified by the IntelSgx / IntelTdx provider itself, in
 * its two phases (PCK chain to the pinned Intel root, then the TCB Info,
 * QE Identity and CRLs of its FMSPC, TCB and policy). Then: the
 * certificate is self-issued and its signature verifies with its own key
 * (the key the quote vouches for signed it), it is within its validity
 * period, and the binding holds — legacy form: REPORTDATA[0:32] ==
 * SHA-256(SPKI DER); interoperable form: pubkey-hash == H(SPKI DER) and
 * REPORTDATA[0:32] == SHA-256(claims-buffer). A "nonce" claim is offered
 * to the request's nonce as a binding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/core/artifact.h"
#include "verify/core/x509.h"
#include "verify/intel/dcap_quote.h"
#include "verify/ratls/ratls_cert.h"
#include "verify/verify.h"

struct ratls_parsed {
	struct ratls_cert cert;
	const struct provider_ops *inner_ops; /* IntelSgx or IntelTdx */
	void *inner; /* its parsed quote; NULL when it failed */
};

static void
ratls_parsed_free(void *parsed)
{
	struct ratls_parsed *p = parsed;

	if (p == NULL)
		return;
	if (p->inner != NULL)
		p->inner_ops->parsed_free(p->inner);
	ratls_cert_free(&p->cert);
	free(p);
}

static struct verify_request
inner_request(const struct verify_request *req, const struct ratls_parsed *p)
{
	struct verify_request inner = *req;

	inner.evidence = p->cert.quote;
	inner.evidence_len = p->cert.quote_len;
	inner.provider = p->inner_ops->id;
	return inner;
}

/* Phase 1: the certificate parsed, and its quote's own first phase. */
static void *
ratls_needs(const struct verify_request *req, struct verdict *v,
            struct artifact_needs *needs)
{
	struct ratls_parsed *p = calloc(1, sizeof(*p));
	struct verify_request inner;
	enum tp_err rc;
	char why[320];

	if (p == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		return NULL;
	}
	v->hardware_verified = false;
	if ((rc = ratls_cert_parse(req->evidence, req->evidence_len, &p->cert,
	                           why, sizeof(why))) != TP_ERR_none) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "ratls_cert_format", rc, "RaTls evidence: %s",
		             why);
		ratls_parsed_free(p);
		return NULL;
	}
	verdict_pass(v, "ratls_cert_format");
	verdict_claim_str(v, "ratls_format",
	                  p->cert.form == RATLS_FORM_DICE ? "interoperable"
	                                                  : "gramine-legacy");
	p->inner_ops = dcap_quote_detect(p->cert.quote, p->cert.quote_len,
	                                 DCAP_TEE_TDX)
	                       ? &provider_intel_tdx
	                       : &provider_intel_sgx;
	inner = inner_request(req, p);
	/* The DCAP provider checks that the verdict is for its TEE. */
	v->provider = p->inner_ops->id;
	p->inner = p->inner_ops->needs(&inner, v, needs);
	v->provider = TP_PROVIDER_RA_TLS;
	return p;
}

/* Self-issued, signed by its own key, and valid at NOW. */
static bool
cert_check(const struct ratls_cert *c, int64_t now, struct verdict *v)
{
	EVP_PKEY *pub = X509_get0_pubkey(c->x509);
	const ASN1_TIME *nb = X509_get0_notBefore(c->x509),
	                *na = X509_get0_notAfter(c->x509);
	bool ok = true;
	int cmp_nb, cmp_na;

	/* The key the quote vouches for must have made the certificate:
	 * a CA-signed one would need a CA nobody here trusts. */
	if (pub == NULL || X509_check_issued(c->x509, c->x509) != X509_V_OK ||
	    X509_verify(c->x509, pub) != 1) {
		verdict_fail(v, "ratls_cert_signature",
		             TP_ERR_ratls_cert_signature_invalid,
		             "the certificate is not self-issued or its "
		             "signature does not verify with its own public "
		             "key");
		ok = false;
	} else {
		verdict_pass(v, "ratls_cert_signature");
	}
	cmp_nb = nb != NULL ? ASN1_TIME_cmp_time_t(nb, (time_t)now) : -2;
	cmp_na = na != NULL ? ASN1_TIME_cmp_time_t(na, (time_t)now) : -2;
	if (cmp_nb == -2 || cmp_na == -2 || cmp_nb > 0 || cmp_na < 0) {
		char at[32];

		tptime_format(now, at);
		verdict_fail(v, "ratls_cert_validity",
		             TP_ERR_ratls_cert_expired,
		             "the certificate is not valid at %s (notBefore "
		             "%s it, notAfter %s it)",
		             at, cmp_nb > 0 ? "after" : "not after",
		             cmp_na < 0 ? "before" : "not before");
		ok = false;
	} else {
		verdict_pass(v, "ratls_cert_validity");
		verdict_expires_no_later_than(v, x509_not_after(c->x509));
	}
	return ok;
}

/* H(spki) with the pubkey-hash's algorithm into MD; its length. */
static size_t
spki_hash(const struct ratls_cert *c, uint8_t md[64])
{
	switch (c->hash_alg) {
	case 7:
		SHA384(c->spki, c->spki_len, md);
		return 48;
	case 8:
		SHA512(c->spki, c->spki_len, md);
		return 64;
	default:
		SHA256(c->spki, c->spki_len, md);
		return 32;
	}
}

/* The quote binds the certificate's key (see the comment on top); its
 * REPORTDATA[32:64] into UPPER. */
static bool
binding_check(const struct ratls_cert *c, struct verdict *v, uint8_t upper[32])
{
	struct dcap_quote q;
	const uint8_t *rd;
	uint8_t md[64], want[32];
	char why[240], hex[129];
	size_t n;

	if (dcap_quote_parse(c->quote, c->quote_len, &q, why, sizeof(why)) !=
	    TP_ERR_none)
		return false; /* the DCAP provider named why */
	rd = q.hdr.tee_type == DCAP_TEE_TDX ? q.td.report_data
	                                    : q.sgx.report_data;
	memcpy(upper, rd + 32, 32);
	if (c->form == RATLS_FORM_DICE) {
		n = spki_hash(c, md);
		if (CRYPTO_memcmp(md, c->pubkey_hash, n) != 0) {
			codec_hex_encode_to(md, n, hex);
			verdict_fail(v, "ratls_key_binding",
			             TP_ERR_ratls_key_binding_mismatch,
			             "claims.pubkey-hash: want H(certificate "
			             "SPKI) %s",
			             hex);
			return false;
		}
		SHA256(c->claims, c->claims_len, want);
	} else {
		SHA256(c->spki, c->spki_len, want);
	}
	if (CRYPTO_memcmp(rd, want, 32) != 0) {
		codec_hex_encode_to(want, 32, hex);
		verdict_fail(v, "ratls_key_binding",
		             TP_ERR_ratls_key_binding_mismatch,
		             "quote REPORTDATA[0:32]: want SHA-256(%s) %s",
		             c->form == RATLS_FORM_DICE ? "claims-buffer"
		                                        : "certificate SPKI",
		             hex);
		return false;
	}
	verdict_pass(v, "ratls_key_binding");
	return true;
}

static void
ratls_verify_parsed(const struct verify_request *req, void *parsed,
                    struct verdict *v)
{
	struct ratls_parsed *p = parsed;
	struct verify_request inner;
	bool quote_ok = false, cert_ok, bound;
	uint8_t md[32], upper[32];

	v->hardware_verified = false;
	if (p->inner != NULL) {
		inner = inner_request(req, p);
		v->provider = p->inner_ops->id;
		p->inner_ops->verify_parsed(&inner, p->inner, v);
		v->provider = TP_PROVIDER_RA_TLS;
		quote_ok = verdict_valid(v) && v->signature_valid == TP_TRUE &&
		           v->certificate_chain_valid == TP_TRUE;
	} else {
		v->signature_valid = TP_FALSE;
	}
	/* REPORTDATA[0:32] carries the key's (or the claims') hash,
	 * checked below; runtime_data can be bound only as SHA-256 in
	 * REPORTDATA[32:64] (Gramine leaves it zero: then none is). */
	v->n_bindings = 0;
	cert_ok = cert_check(&p->cert, req->now, v);
	bound = binding_check(&p->cert, v, upper);
	if (bound) {
		verdict_add_binding(v, "REPORTDATA[32:64]", upper, 32);
		v->bindings[v->n_bindings - 1].half = true;
	}
	if (!cert_ok)
		v->signature_valid = TP_FALSE;
	SHA256(p->cert.spki, p->cert.spki_len, md);
	verdict_claim_hex(v, "tls_public_key_sha256", md, 32);
	verdict_collateral(v, "ratls_spki", p->cert.spki, p->cert.spki_len);
	if (p->cert.nonce != NULL && p->cert.nonce_len > 0) {
		verdict_claim_hex(v, "ratls_nonce", p->cert.nonce,
		                  p->cert.nonce_len);
		if (bound && p->cert.nonce_len <= 64)
			verdict_add_binding(v, "ratls_nonce", p->cert.nonce,
			                    p->cert.nonce_len);
	}
	/* The key is the TEE's only through a verified quote that binds it
	 * and a certificate it signed itself. */
	v->hardware_verified = quote_ok && cert_ok && bound;
}

static void
ratls_verify(const struct verify_request *req, struct verdict *v)
{
	struct artifact_needs needs = {0};
	void *p = ratls_needs(req, v, &needs);

	if (p == NULL)
		return;
	ratls_verify_parsed(req, p, v);
	ratls_parsed_free(p);
}

const struct provider_ops provider_ra_tls = {.id = TP_PROVIDER_RA_TLS,
                                             .detect = ratls_cert_detect,
                                             .verify = ratls_verify,
                                             .needs = ratls_needs,
                                             .verify_parsed =
                                                     ratls_verify_parsed,
                                             .parsed_free = ratls_parsed_free};
