/*
 * Pure checks of one collateral artifact before it is cached or used:
 * signature and chain to the pinned vendor root, content matching its
 * key, validity window. Intel: SGX/TDX PCS API v4 ("Get TCB Info", "Get
 * Quoting Enclave Identity", "Get PCK Cert CRL", Intel SGX PCK Certificate
 * and CRL Profile); AMD: VCEK Certificate and KDS Interface Specification
 * (pub. 57230).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "collateral/collateral.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/core/ecdsa.h"
#include "verify/amd/snp_cert.h"
#include "verify/core/x509.h"

static bool
asn1_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* The issuer chain's first certificate, verified to the pinned Intel
 * root as of NOW (no CRLs here: verify_run checks revocation). */
static X509 *
intel_signer(const char *chain_pem, int64_t now, char *why, size_t whylen)
{
	STACK_OF(X509) *chain = NULL;
	X509 *leaf = NULL, *root = dcap_root_ca();
	enum tp_err code;
	char w[160];

	if (chain_pem == NULL || root == NULL) {
		snprintf(why, whylen, "issuer chain: %s",
		         root == NULL ? "pinned Intel SGX Root CA unavailable"
		                      : "missing (response header)");
		return NULL;
	}
	chain = x509_parse_pem_chain((const uint8_t *)chain_pem,
	                             strlen(chain_pem));
	if (chain == NULL || sk_X509_num(chain) < 1) {
		snprintf(why, whylen, "issuer chain: no PEM certificate");
		goto out;
	}
	leaf = sk_X509_shift(chain);
	if (!x509_chain_verify(leaf, chain, root, now, NULL, &code, w,
	                       sizeof(w))) {
		snprintf(why, whylen, "issuer chain: %s", w);
		X509_free(leaf);
		leaf = NULL;
	}
out:
	sk_X509_pop_free(chain, X509_free);
	return leaf;
}

/* A signed Intel document: {"<member>": {...}, "signature": "<hex>"}. */
static bool
intel_doc_check(struct db_collateral_row *r, const char *member, int64_t now,
                char *why, size_t whylen)
{
	const char *text = (const char *)r->body;
	size_t off, vlen, soff, slen;
	uint8_t sig[64];
	char sighex[129];
	X509 *signer = NULL;
	struct dcap_tcb_info *tcb = NULL;
	struct dcap_qe_identity *qe = NULL;
	bool ok = false;
	char w[160];
	json_t *doc;

	/* The whole body must be the JSON object PCS serves: the signature
	 * covers only the member, so nothing around it may be loose. */
	doc = json_loadb(text, r->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc) || json_object_size(doc) != 2 ||
	    !json_is_object(json_object_get(doc, member)) ||
	    !json_is_string(json_object_get(doc, "signature"))) {
		json_decref(doc);
		snprintf(why, whylen,
		         "body: want exactly {\"%s\": {...}, \"signature\": "
		         "\"<hex>\"}",
		         member);
		goto out;
	}
	json_decref(doc);
	if (!dcap_json_member_span(text, r->body_len, member, &off, &vlen) ||
	    !dcap_json_member_span(text, r->body_len, "signature", &soff,
	                           &slen) ||
	    slen != 130 || text[soff] != '"') {
		snprintf(why, whylen,
		         "body: want {\"%s\": {...}, \"signature\": \"<128 "
		         "hex>\"}",
		         member);
		goto out;
	}
	memcpy(sighex, text + soff + 1, 128);
	sighex[128] = '\0';
	if (!codec_hex_decode_fixed(sighex, sig, 64)) {
		snprintf(why, whylen, "signature: not 64 bytes of hex");
		goto out;
	}
	if ((signer = intel_signer(r->issuer_chain, now, why, whylen)) == NULL)
		goto out;
	if (!ecdsa_verify_raw(X509_get0_pubkey(signer), EVP_sha256(),
	                      r->body + off, vlen, sig, sig + 32, 32)) {
		snprintf(why, whylen,
		         "signature: ECDSA P-256 over %s does not verify with "
		         "the issuer chain's key",
		         member);
		goto out;
	}
	if (strcmp(member, "tcbInfo") == 0) {
		char key[32], fmspc[13];
		if ((tcb = calloc(1, sizeof(*tcb))) == NULL ||
		    !dcap_tcb_info_parse(r->body + off, vlen, tcb, w,
		                         sizeof(w))) {
			snprintf(why, whylen, "tcbInfo: %s",
			         tcb == NULL ? "out of memory" : w);
			goto out;
		}
		codec_hex_encode_to(tcb->fmspc, 6, fmspc);
		snprintf(key, sizeof(key), "%s/%s", tcb->tdx ? "tdx" : "sgx",
		         fmspc);
		/* "<tee>/<fmspc>" or, for the early update,
		 * "<tee>/<fmspc>/early". */
		if (r->key[0] == '\0')
			snprintf(r->key, sizeof(r->key), "%s", key);
		else if (strncasecmp(r->key, key, strlen(key)) != 0 ||
		         (r->key[strlen(key)] != '\0' &&
		          strcmp(r->key + strlen(key), "/early") != 0)) {
			snprintf(why, whylen,
			         "tcbInfo: is for %s, wanted for %.40s", key,
			         r->key);
			goto out;
		}
		r->issue_date = tcb->issue_date;
		r->next_update = tcb->next_update;
	} else {
		const char *key;
		if ((qe = calloc(1, sizeof(*qe))) == NULL ||
		    !dcap_qe_identity_parse(r->body + off, vlen, qe, w,
		                            sizeof(w))) {
			snprintf(why, whylen, "enclaveIdentity: %s",
			         qe == NULL ? "out of memory" : w);
			goto out;
		}
		key = qe->td_qe ? "tdx" : "sgx";
		if (r->key[0] == '\0')
			snprintf(r->key, sizeof(r->key), "%s", key);
		else if (strcmp(r->key, key) != 0) {
			snprintf(why, whylen,
			         "enclaveIdentity: is for %s, wanted for %.20s",
			         key, r->key);
			goto out;
		}
		r->issue_date = qe->issue_date;
		r->next_update = qe->next_update;
	}
	ok = true;
out:
	if (tcb != NULL)
		dcap_tcb_info_clear(tcb);
	if (qe != NULL)
		dcap_qe_identity_clear(qe);
	free(tcb);
	free(qe);
	X509_free(signer);
	return ok;
}

static bool
crl_check(struct db_collateral_row *r, bool root_crl, int64_t now, char *why,
          size_t whylen)
{
	X509_CRL *crl = x509_crl_parse(r->body, r->body_len);
	X509 *signer = NULL;
	EVP_PKEY *k;
	char cn[128] = "";
	const char *key;
	bool ok = false;

	if (crl == NULL) {
		snprintf(why, whylen, "body: not a DER or PEM CRL");
		goto out;
	}
	if (root_crl) {
		k = dcap_root_ca() != NULL ? X509_get0_pubkey(dcap_root_ca())
		                           : NULL;
		key = "root";
	} else {
		if ((signer = intel_signer(r->issuer_chain, now, why,
		                           whylen)) == NULL)
			goto out;
		k = X509_get0_pubkey(signer);
		X509_NAME_get_text_by_NID(X509_get_subject_name(signer),
		                          NID_commonName, cn, sizeof(cn));
		if (strcmp(cn, "Intel SGX PCK Platform CA") == 0)
			key = "platform";
		else if (strcmp(cn, "Intel SGX PCK Processor CA") == 0)
			key = "processor";
		else {
			snprintf(why, whylen,
			         "issuer chain: signer is not an Intel SGX PCK "
			         "Platform or Processor CA");
			goto out;
		}
		if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
		                  X509_get_subject_name(signer)) != 0) {
			snprintf(
			        why, whylen,
			        "crl: issuer is not the issuer chain's signer");
			goto out;
		}
	}
	if (k == NULL || X509_CRL_verify(crl, k) != 1) {
		snprintf(why, whylen, "crl: signature does not verify with %s",
		         root_crl ? "the pinned Intel SGX Root CA"
		                  : "the issuer chain's key");
		goto out;
	}
	if (r->key[0] == '\0')
		snprintf(r->key, sizeof(r->key), "%s", key);
	else if (strcmp(r->key, key) != 0) {
		snprintf(why, whylen, "crl: is for %s, wanted for %.20s", key,
		         r->key);
		goto out;
	}
	if (!asn1_unix(X509_CRL_get0_lastUpdate(crl), &r->issue_date) ||
	    !asn1_unix(X509_CRL_get0_nextUpdate(crl), &r->next_update)) {
		/* A CRL without nextUpdate could be used forever: refused. */
		snprintf(why, whylen, "crl: thisUpdate or nextUpdate missing");
		goto out;
	}
	ok = true;
out:
	X509_free(signer);
	X509_CRL_free(crl);
	return ok;
}

static bool
vcek_check(struct db_collateral_row *r, char *why, size_t whylen)
{
	X509 *x = x509_parse(r->body, r->body_len);
	struct snp_ek_info info;
	const struct snp_roots *roots;
	char key[sizeof(r->key)], hwid[129], w[160];
	int n;
	bool ok = false;

	if (x == NULL) {
		snprintf(why, whylen, "body: not a DER or PEM certificate");
		goto out;
	}
	if (!snp_ek_info_parse(x, &info, w, sizeof(w))) {
		snprintf(why, whylen, "vcek: %s", w);
		goto out;
	}
	if (info.is_vlek || info.hwid_len == 0 ||
	    (roots = snp_roots_get(info.product)) == NULL ||
	    roots->ask == NULL) {
		snprintf(why, whylen,
		         "vcek: not a VCEK of a product with a pinned ARK");
		goto out;
	}
	if (!snp_link_verify(x, roots->ask, w, sizeof(w))) {
		snprintf(why, whylen, "vcek: not signed by the pinned ASK: %s",
		         w);
		goto out;
	}
	codec_hex_encode_to(info.hwid, info.hwid_len, hwid);
	n = snprintf(key, sizeof(key), "%s/%s/%d.%d.%d.%d",
	             snp_product_name(info.product), hwid, info.bl, info.tee,
	             info.snp, info.microcode);
	if (info.fmc >= 0 && n > 0 && (size_t)n < sizeof(key))
		snprintf(key + n, sizeof(key) - (size_t)n, ".%d", info.fmc);
	if (r->key[0] == '\0')
		snprintf(r->key, sizeof(r->key), "%s", key);
	else if (strcasecmp(r->key, key) != 0) {
		snprintf(why, whylen,
		         "vcek: is for another chip or TCB than requested");
		goto out;
	}
	if (!snp_cert_window(x, &r->issue_date, &r->next_update)) {
		snprintf(why, whylen, "vcek: validity unreadable");
		goto out;
	}
	ok = true;
out:
	X509_free(x);
	return ok;
}

/* NVIDIA rotates its NRAS signing keys daily: a fetched key set is
 * trusted for an hour at most. */
#define NRAS_JWKS_LIFE     3600
#define NRAS_JWKS_MAX_KEYS 256

/* An x5c entry (base64 DER) as a certificate, or NULL. */
static X509 *
x5c_cert(const json_t *s)
{
	const char *b64 = json_string_value(s);
	uint8_t *der = NULL;
	size_t n;
	X509 *x = NULL;

	if (b64 != NULL && codec_base64_decode(b64, strlen(b64), &der, &n))
		x = x509_parse(der, n);
	free(der);
	return x;
}

/* One JWK of the NRAS set: EC P-384 with a kid, x and y of 48 bytes
 * each; when it carries x5c, its leaf holds that key and is valid at
 * NOW (its notAfter lowers *until). */
static bool
jwk_check(const json_t *k, size_t i, int64_t now, int64_t *until, char *why,
          size_t whylen)
{
	const char *kid = json_string_value(json_object_get(k, "kid"));
	const char *kty = json_string_value(json_object_get(k, "kty"));
	const char *crv = json_string_value(json_object_get(k, "crv"));
	const char *xs = json_string_value(json_object_get(k, "x"));
	const char *ys = json_string_value(json_object_get(k, "y"));
	json_t *x5c = json_object_get(k, "x5c");
	uint8_t pt[97], *c = NULL;
	size_t n = 0;
	EVP_PKEY *key = NULL;
	X509 *leaf = NULL;
	int64_t nb, na;
	bool ok = false;

	pt[0] = 0x04;
	if (kid == NULL || *kid == '\0' || kty == NULL ||
	    strcmp(kty, "EC") != 0 || crv == NULL ||
	    strcmp(crv, "P-384") != 0) {
		snprintf(why, whylen,
		         "keys[%zu]: want kty EC, crv P-384 and a kid", i);
		goto out;
	}
	if (xs == NULL || !codec_base64_decode(xs, strlen(xs), &c, &n) ||
	    n != 48) {
		snprintf(why, whylen, "keys[%zu].x: not 48 bytes of base64url",
		         i);
		goto out;
	}
	memcpy(pt + 1, c, 48);
	free(c);
	c = NULL;
	if (ys == NULL || !codec_base64_decode(ys, strlen(ys), &c, &n) ||
	    n != 48) {
		snprintf(why, whylen, "keys[%zu].y: not 48 bytes of base64url",
		         i);
		goto out;
	}
	memcpy(pt + 49, c, 48);
	if ((key = ecdsa_pub_from_point("P-384", pt, sizeof(pt))) == NULL) {
		snprintf(why, whylen, "keys[%zu]: x, y not a P-384 point", i);
		goto out;
	}
	if (x5c == NULL) {
		ok = true;
		goto out;
	}
	if (!json_is_array(x5c) ||
	    (leaf = x5c_cert(json_array_get(x5c, 0))) == NULL) {
		snprintf(why, whylen, "keys[%zu].x5c[0]: not a certificate", i);
		goto out;
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(leaf), key) != 1) {
		snprintf(why, whylen,
		         "keys[%zu].x5c[0]: holds another key than x, y", i);
		goto out;
	}
	if (!asn1_unix(X509_get0_notBefore(leaf), &nb) ||
	    !asn1_unix(X509_get0_notAfter(leaf), &na) || now < nb ||
	    now >= na) {
		char a[32] = "?", b[32] = "?";
		if (asn1_unix(X509_get0_notBefore(leaf), &nb))
			tptime_format(nb, a);
		if (asn1_unix(X509_get0_notAfter(leaf), &na))
			tptime_format(na, b);
		snprintf(why, whylen,
		         "keys[%zu].x5c[0]: validity [%s, %s) does not contain "
		         "the verification time",
		         i, a, b);
		goto out;
	}
	if (na < *until)
		*until = na;
	ok = true;
out:
	free(c);
	EVP_PKEY_free(key);
	X509_free(leaf);
	return ok;
}

/*
 * The NRAS JWKS: exactly {"keys": [...]} with 1..NRAS_JWKS_MAX_KEYS
 * keys, each checked by jwk_check, kids unique. The set is not signed
 * (its x5c chains end at an unpublished NVIDIA CA), so what is checked
 * is its shape and the keys' own validity; verdicts resting on it are
 * never hardware_verified.
 */
static bool
jwks_check(struct db_collateral_row *r, int64_t now, char *why, size_t whylen)
{
	json_t *doc, *keys;
	int64_t until = now + NRAS_JWKS_LIFE;
	size_t i, j, n;
	bool ok = false;

	doc = json_loadb((const char *)r->body, r->body_len,
	                 JSON_REJECT_DUPLICATES, NULL);
	keys = json_object_get(doc, "keys");
	n = json_array_size(keys);
	if (!json_is_object(doc) || json_object_size(doc) != 1 ||
	    !json_is_array(keys) || n == 0 || n > NRAS_JWKS_MAX_KEYS) {
		snprintf(why, whylen,
		         "body: want a JSON object {\"keys\": [1..%d JWKs]}",
		         NRAS_JWKS_MAX_KEYS);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *kid;
		if (!jwk_check(json_array_get(keys, i), i, now, &until, why,
		               whylen))
			goto out;
		kid = json_string_value(
		        json_object_get(json_array_get(keys, i), "kid"));
		for (j = 0; j < i; j++) {
			const char *o = json_string_value(json_object_get(
			        json_array_get(keys, j), "kid"));
			if (strcmp(o, kid) == 0) {
				snprintf(why, whylen,
				         "keys[%zu]: kid repeats keys[%zu]'s",
				         i, j);
				goto out;
			}
		}
	}
	if (r->key[0] == '\0')
		snprintf(r->key, sizeof(r->key), "nras");
	else if (strcmp(r->key, "nras") != 0) {
		snprintf(why, whylen, "jwks: wanted for %.20s, is for nras",
		         r->key);
		goto out;
	}
	/* No date in the set itself: it lives from the time it was checked
	 * for an hour, or until its first leaf expires. */
	r->issue_date = now;
	r->next_update = until;
	ok = true;
out:
	json_decref(doc);
	return ok;
}

/* The product named by KEY ("Milan", ...); UNKNOWN for any other. */
static enum snp_product
amd_product_of(const char *key)
{
	for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++)
		if (strcmp(key, snp_product_name((enum snp_product)p)) == 0)
			return (enum snp_product)p;
	return SNP_PRODUCT_UNKNOWN;
}

/*
 * KDS GET /vcek/v1/{product}/cert_chain (pub. 57230, "Certificate
 * Chain"): PEM, the ASK then the ARK. The ARK must be byte-identical to
 * the pinned ARK of the product (a look-alike with the same names is
 * refused) and the ASK must verify under it. Validity: the intersection
 * of both certificates'.
 */
static bool
amd_chain_check(struct db_collateral_row *r, char *why, size_t whylen)
{
	STACK_OF(X509) *sk = x509_parse_pem_chain(r->body, r->body_len);
	const struct snp_roots *roots = NULL;
	enum snp_product product = SNP_PRODUCT_UNKNOWN;
	X509 *ask, *ark;
	uint8_t sha[32];
	int64_t nb[2], na[2];
	char w[160];
	bool ok = false;

	if (sk == NULL || sk_X509_num(sk) != 2) {
		snprintf(why, whylen,
		         "cert_chain: want two PEM certificates (ASK, ARK)");
		goto out;
	}
	ask = sk_X509_value(sk, 0);
	ark = sk_X509_value(sk, 1);
	if (!x509_sha256(ark, sha)) {
		snprintf(why, whylen, "cert_chain: ARK unreadable");
		goto out;
	}
	for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++) {
		const struct snp_roots *o = snp_roots_get((enum snp_product)p);
		if (o != NULL && CRYPTO_memcmp(sha, o->ark_sha256, 32) == 0) {
			roots = o;
			product = (enum snp_product)p;
		}
	}
	if (roots == NULL) {
		snprintf(why, whylen,
		         "cert_chain: certificate 1 is not a pinned AMD ARK");
		goto out;
	}
	if (r->key[0] == '\0')
		snprintf(r->key, sizeof(r->key), "%s",
		         snp_product_name(product));
	else if (amd_product_of(r->key) != product) {
		snprintf(why, whylen,
		         "cert_chain: its ARK is ARK-%s, wanted "
		         "for %.20s",
		         snp_product_name(product), r->key);
		goto out;
	}
	if (!snp_link_verify(ask, roots->ark, w, sizeof(w))) {
		snprintf(why, whylen,
		         "cert_chain: ASK not signed by the pinned ARK: %s", w);
		goto out;
	}
	if (!snp_cert_window(ask, &nb[0], &na[0]) ||
	    !snp_cert_window(ark, &nb[1], &na[1])) {
		snprintf(why, whylen, "cert_chain: validity unreadable");
		goto out;
	}
	r->issue_date = nb[0] > nb[1] ? nb[0] : nb[1];
	r->next_update = na[0] < na[1] ? na[0] : na[1];
	ok = true;
out:
	sk_X509_pop_free(sk, X509_free);
	return ok;
}

/*
 * KDS GET /vcek/v1/{product}/crl (pub. 57230, "CRL"): DER, issued and
 * signed by the pinned ARK of the product, with thisUpdate and
 * nextUpdate (a CRL without nextUpdate could be used forever: refused).
 */
static bool
amd_crl_check(struct db_collateral_row *r, char *why, size_t whylen)
{
	X509_CRL *crl = x509_crl_parse(r->body, r->body_len);
	enum snp_product product = SNP_PRODUCT_UNKNOWN;
	bool ok = false;

	if (crl == NULL) {
		snprintf(why, whylen, "body: not a DER or PEM CRL");
		goto out;
	}
	for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++) {
		const struct snp_roots *o = snp_roots_get((enum snp_product)p);
		if (o == NULL ||
		    (r->key[0] != '\0' &&
		     amd_product_of(r->key) != (enum snp_product)p))
			continue;
		if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
		                  X509_get_subject_name(o->ark)) == 0 &&
		    X509_CRL_verify(crl, X509_get0_pubkey(o->ark)) == 1) {
			product = (enum snp_product)p;
			break;
		}
	}
	if (product == SNP_PRODUCT_UNKNOWN) {
		snprintf(why, whylen,
		         "crl: not signed by the pinned ARK%s%.20s",
		         r->key[0] != '\0' ? "-" : "", r->key);
		goto out;
	}
	if (r->key[0] == '\0')
		snprintf(r->key, sizeof(r->key), "%s",
		         snp_product_name(product));
	if (!asn1_unix(X509_CRL_get0_lastUpdate(crl), &r->issue_date) ||
	    !asn1_unix(X509_CRL_get0_nextUpdate(crl), &r->next_update)) {
		snprintf(why, whylen, "crl: thisUpdate or nextUpdate missing");
		goto out;
	}
	ok = true;
out:
	ERR_clear_error();
	X509_CRL_free(crl);
	return ok;
}

bool
coll_artifact_check(struct db_collateral_row *r, int64_t now, bool *stale,
                    char *why, size_t whylen)
{
	enum artifact_kind k;
	uint8_t md[32];
	bool ok;

	*stale = false;
	if (!artifact_kind_parse(r->kind, &k) || k >= COLL_KIND__COUNT ||
	    r->body == NULL || r->body_len == 0) {
		snprintf(why, whylen, "unknown kind or empty body");
		return false;
	}
	switch (k) {
	case ARTIFACT_INTEL_TCB_INFO:
		ok = intel_doc_check(r, "tcbInfo", now, why, whylen);
		break;
	case ARTIFACT_INTEL_QE_IDENTITY:
		ok = intel_doc_check(r, "enclaveIdentity", now, why, whylen);
		break;
	case ARTIFACT_INTEL_PCK_CRL:
	case ARTIFACT_INTEL_ROOT_CA_CRL:
		ok = crl_check(r, k == ARTIFACT_INTEL_ROOT_CA_CRL, now, why,
		               whylen);
		break;
	case ARTIFACT_AMD_VCEK:
		ok = vcek_check(r, why, whylen);
		break;
	case ARTIFACT_NVIDIA_NRAS_JWKS:
		ok = jwks_check(r, now, why, whylen);
		break;
	case ARTIFACT_AMD_CERT_CHAIN:
		ok = amd_chain_check(r, why, whylen);
		break;
	case ARTIFACT_AMD_CRL:
		ok = amd_crl_check(r, why, whylen);
		break;
	default:
		ok = false;
	}
	if (!ok)
		return false;
	if (r->next_update <= r->issue_date) {
		snprintf(why, whylen, "validity: next update before issue");
		return false;
	}
	/* The digest names the bytes whether or not NOW is in the window:
	 * a stale artifact is still stored (imports keep it for the time
	 * it was valid), and the cache refuses a row without one. */
	SHA256(r->body, r->body_len, md);
	codec_hex_encode_to(md, 32, r->sha256);
	if (now < r->issue_date || now >= r->next_update) {
		*stale = true;
		char a[32], b[32];
		tptime_format(r->issue_date, a);
		tptime_format(r->next_update, b);
		snprintf(why, whylen,
		         "validity: [%s, %s) does not contain the verification "
		         "time",
		         a, b);
		return false;
	}
	return true;
}
