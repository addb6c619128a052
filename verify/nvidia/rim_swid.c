/* NVIDIA RIMs (TCG RIM IM / ISO/IEC 19770-2 SWID tags): the elements
 * teepass uses, the enveloped XML-DSig signature (W3C XML Signature 1.1,
 * Canonical XML 1.1, ECDSA-SHA384 per RFC 6931), the RIM's X.509 chain to
 * the pinned NVIDIA RIM root, and the comparison with the SPDM blocks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/codec.h"
#include "verify/core/ecdsa.h"
#include "verify/nvidia/gpu.h"
#include "verify/nvidia/gpu_ocsp.h"
#include "verify/nvidia/rim_swid.h"
#include "verify/nvidia/rim_xml.h"
#include "verify/core/x509.h"

#define RIM_MAX_CERTS 8
#define RIM_MAX_LEN   (1u << 20)

#define NS_DSIG      "http://www.w3.org/2000/09/xmldsig#"
#define C14N11       "http://www.w3.org/2006/12/xml-c14n11"
#define ENVELOPED    NS_DSIG "enveloped-signature"
#define ECDSA384     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
#define SHA384_URI_A "http://www.w3.org/2001/04/xmldsig-more#sha384"
#define SHA384_URI_B "http://www.w3.org/2001/04/xmlenc#sha384"

static bool
parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool
parse_resource(const struct xml_tok *t, struct rim *rim, char *why,
               size_t whylen)
{
	struct rim_measurement *m;
	const char *type = xml_attr_get(t, "type"), *active;
	char name[16];

	if (type == NULL || strcmp(type, "Measurement") != 0)
		return true; /* other resource types are not golden values */
	if (rim->n == RIM_MAX_MEASUREMENTS) {
		snprintf(why, whylen, "more than %d measurements",
		         RIM_MAX_MEASUREMENTS);
		return false;
	}
	m = &rim->m[rim->n];
	if (!parse_uint(xml_attr_get(t, "index"), 254, &m->index)) {
		snprintf(why, whylen, "Resource %zu: index missing or > 254",
		         rim->n);
		return false;
	}
	for (size_t i = 0; i < rim->n; i++) {
		if (rim->m[i].index == m->index) {
			snprintf(why, whylen, "Resource index %u repeated",
			         m->index);
			return false;
		}
	}
	active = xml_attr_get(t, "active");
	if (active == NULL ||
	    (strcmp(active, "True") != 0 && strcmp(active, "False") != 0)) {
		snprintf(why, whylen,
		         "Resource %u: active must be True or False", m->index);
		return false;
	}
	m->active = strcmp(active, "True") == 0;
	if (!parse_uint(xml_attr_get(t, "alternatives"), RIM_MAX_ALTERNATIVES,
	                &m->n_alt) ||
	    m->n_alt == 0) {
		snprintf(why, whylen, "Resource %u: alternatives must be 1..%d",
		         m->index, RIM_MAX_ALTERNATIVES);
		return false;
	}
	for (unsigned a = 0; a < m->n_alt; a++) {
		const char *h;
		snprintf(name, sizeof(name), "Hash%u", a);
		h = xml_attr_get(t, name);
		if (h == NULL ||
		    !codec_hex_decode_fixed(h, m->alt[a], RIM_HASH_LEN)) {
			snprintf(why, whylen,
			         "Resource %u: %s missing or not 48 bytes of "
			         "hex",
			         m->index, name);
			return false;
		}
	}
	rim->n++;
	return true;
}

/* The character data directly inside START token I, whitespace removed
 * (base64 element content). malloc'd. */
static char *
element_b64(const struct xml_doc *d, size_t i, size_t *n)
{
	size_t cap = 1;
	char *s;

	for (size_t k = i + 1; k < d->t[i].end; k++)
		if (d->t[k].type == XML_TEXT)
			cap += d->t[k].text_len;
	if ((s = malloc(cap)) == NULL)
		return NULL;
	*n = 0;
	for (size_t k = i + 1; k < d->t[i].end; k++) {
		if (d->t[k].type != XML_TEXT)
			continue;
		for (size_t j = 0; j < d->t[k].text_len; j++)
			if (!isspace((unsigned char)d->t[k].text[j]))
				s[(*n)++] = d->t[k].text[j];
	}
	s[*n] = '\0';
	return s;
}

static bool
read_cert(const struct xml_doc *d, size_t i, struct rim *rim, char *why,
          size_t whylen)
{
	char *b64;
	uint8_t *der = NULL;
	size_t n, dl;

	if (rim->n_certs == RIM_MAX_CERTS) {
		snprintf(why, whylen, "more than %d certificates",
		         RIM_MAX_CERTS);
		return false;
	}
	if ((b64 = element_b64(d, i, &n)) == NULL ||
	    !codec_base64_decode(b64, n, &der, &dl)) {
		free(b64);
		snprintf(why, whylen, "X509Certificate %zu is not base64",
		         rim->n_certs);
		return false;
	}
	free(b64);
	rim->certs[rim->n_certs] = der;
	rim->cert_lens[rim->n_certs++] = dl;
	return true;
}

static bool
has_ancestor(const struct xml_doc *d, size_t i, const char *local)
{
	for (i = d->t[i].parent; i != SIZE_MAX; i = d->t[i].parent)
		if (strcmp(d->t[i].local, local) == 0)
			return true;
	return false;
}

struct rim *
rim_parse(const char *xml, size_t len, char *why, size_t whylen)
{
	struct rim *rim = NULL, *res = NULL;
	struct xml_doc *d;
	int metas = 0;

	snprintf(why, whylen, "out of memory");
	if (len > RIM_MAX_LEN) {
		snprintf(why, whylen, "larger than %u bytes", RIM_MAX_LEN);
		goto out;
	}
	if ((rim = calloc(1, sizeof(*rim))) == NULL ||
	    (rim->certs = calloc(RIM_MAX_CERTS, sizeof(*rim->certs))) == NULL ||
	    (rim->cert_lens = calloc(RIM_MAX_CERTS, sizeof(size_t))) == NULL)
		goto out;
	if ((rim->doc = d = xml_parse(xml, len, why, whylen)) == NULL)
		goto out;
	if (d->n == 0 || strcmp(d->t[0].local, "SoftwareIdentity") != 0) {
		snprintf(why, whylen, "root element is not SoftwareIdentity");
		goto out;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct xml_tok *t = &d->t[i];
		const char *v, *p;
		if (t->type != XML_START)
			continue;
		if (strcmp(t->local, "Meta") == 0 && t->parent == 0) {
			metas++;
			v = xml_attr_get(t, "colloquialVersion");
			p = xml_attr_get(t, "product");
			if (v == NULL || p == NULL ||
			    strlen(v) >= sizeof(rim->version) ||
			    strlen(p) >= sizeof(rim->product)) {
				snprintf(why, whylen,
				         "Meta: colloquialVersion and product "
				         "are required");
				goto out;
			}
			strcpy(rim->version, v);
			strcpy(rim->product, p);
			if ((v = xml_attr_get(t, "edition")) != NULL &&
			    strlen(v) < sizeof(rim->edition))
				strcpy(rim->edition, v);
		} else if (strcmp(t->local, "Resource") == 0 &&
		           t->parent != SIZE_MAX &&
		           strcmp(d->t[t->parent].local, "Payload") == 0 &&
		           d->t[t->parent].parent == 0) {
			if (!parse_resource(t, rim, why, whylen))
				goto out;
		} else if (strcmp(t->local, "X509Certificate") == 0 &&
		           has_ancestor(d, i, "KeyInfo")) {
			if (!read_cert(d, i, rim, why, whylen))
				goto out;
		}
	}
	if (metas != 1 || rim->n == 0 || rim->n_certs == 0) {
		snprintf(
		        why, whylen,
		        "want one Meta, measurements and a KeyInfo chain; have "
		        "%d, %zu, %zu",
		        metas, rim->n, rim->n_certs);
		goto out;
	}
	res = rim;
	rim = NULL;
out:
	rim_free(rim);
	return res;
}

void
rim_free(struct rim *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; r->certs != NULL && i < r->n_certs; i++)
		free(r->certs[i]);
	free(r->certs);
	free(r->cert_lens);
	xml_doc_free(r->doc);
	free(r);
}

/* The only START child of I named LOCAL in the XML-DSig namespace;
 * SIZE_MAX when there is none or more than one. */
static size_t
dsig_child(const struct xml_doc *d, size_t i, const char *local)
{
	size_t found = SIZE_MAX;
	const char *ns;

	for (size_t k = i + 1; k < d->t[i].end; k++) {
		const struct xml_tok *t = &d->t[k];
		if (t->type != XML_START || t->parent != i ||
		    strcmp(t->local, local) != 0)
			continue;
		ns = xml_ns_of(d, k, t->qname);
		if (ns == NULL || strcmp(ns, NS_DSIG) != 0)
			continue;
		if (found != SIZE_MAX)
			return SIZE_MAX;
		found = k;
	}
	return found;
}

static bool
alg_is(const struct xml_doc *d, size_t i, const char *a, const char *b)
{
	const char *alg;

	if (i == SIZE_MAX)
		return false;
	alg = xml_attr_get(&d->t[i], "Algorithm");
	return alg != NULL &&
	       (strcmp(alg, a) == 0 || (b != NULL && strcmp(alg, b) == 0));
}

static bool
b64_element(const struct xml_doc *d, size_t i, uint8_t *out, size_t want)
{
	char *b64;
	uint8_t *bin = NULL;
	size_t n, bl;
	bool ok;

	if (i == SIZE_MAX || (b64 = element_b64(d, i, &n)) == NULL)
		return false;
	ok = codec_base64_decode(b64, n, &bin, &bl) && bl == want;
	if (ok)
		memcpy(out, bin, want);
	free(b64);
	free(bin);
	return ok;
}

int
rim_signature_verify(const struct rim *rim, char *why, size_t whylen)
{
	const struct xml_doc *d = rim->doc;
	size_t sig = SIZE_MAX, si, ref, tr, t0, t1, sv, n_sig = 0;
	uint8_t digest[48], want[48], value[96], *c14n = NULL;
	size_t c14n_len;
	X509 *signer = NULL;
	const char *uri;
	int rc = -1;

	/* The one enveloped signature: ds:Signature under the root. */
	for (size_t k = 1; k < d->n; k++) {
		const char *ns;
		if (d->t[k].type != XML_START ||
		    strcmp(d->t[k].local, "Signature") != 0)
			continue;
		ns = xml_ns_of(d, k, d->t[k].qname);
		if (ns != NULL && strcmp(ns, NS_DSIG) == 0) {
			n_sig++;
			sig = k;
		}
	}
	if (n_sig != 1 || d->t[sig].parent != 0) {
		snprintf(why, whylen,
		         "want exactly one ds:Signature, a child of the root");
		goto out;
	}
	si = dsig_child(d, sig, "SignedInfo");
	sv = dsig_child(d, sig, "SignatureValue");
	ref = si == SIZE_MAX ? SIZE_MAX : dsig_child(d, si, "Reference");
	tr = ref == SIZE_MAX ? SIZE_MAX : dsig_child(d, ref, "Transforms");
	if (si == SIZE_MAX || sv == SIZE_MAX || ref == SIZE_MAX ||
	    tr == SIZE_MAX) {
		snprintf(why, whylen,
		         "SignedInfo, one Reference with Transforms and "
		         "SignatureValue are required");
		goto out;
	}
	/* Only the profile NVIDIA uses is accepted: one same-document
	 * reference, enveloped-signature then C14N 1.1, SHA-384, signed
	 * with ECDSA P-384 over C14N 1.1 of SignedInfo. */
	t0 = t1 = SIZE_MAX;
	for (size_t k = tr + 1, n = 0; k < d->t[tr].end; k++) {
		if (d->t[k].type != XML_START || d->t[k].parent != tr)
			continue;
		if (n == 0)
			t0 = k;
		else if (n == 1)
			t1 = k;
		else
			t0 = SIZE_MAX; /* a third transform */
		n++;
	}
	uri = xml_attr_get(&d->t[ref], "URI");
	if (uri == NULL || uri[0] != '\0' || !alg_is(d, t0, ENVELOPED, NULL) ||
	    !alg_is(d, t1, C14N11, NULL) ||
	    !alg_is(d, dsig_child(d, si, "CanonicalizationMethod"), C14N11,
	            NULL) ||
	    !alg_is(d, dsig_child(d, si, "SignatureMethod"), ECDSA384, NULL) ||
	    !alg_is(d, dsig_child(d, ref, "DigestMethod"), SHA384_URI_A,
	            SHA384_URI_B)) {
		snprintf(why, whylen,
		         "signature profile is not URI=\"\", enveloped + "
		         "C14N 1.1, SHA-384, ECDSA-SHA384");
		goto out;
	}
	if (!b64_element(d, dsig_child(d, ref, "DigestValue"), want, 48) ||
	    !b64_element(d, sv, value, 96)) {
		snprintf(why, whylen,
		         "DigestValue (48 bytes) or SignatureValue (96 bytes "
		         "r||s) is not base64 of that size");
		goto out;
	}
	if ((signer = x509_parse(rim->certs[0], rim->cert_lens[0])) == NULL) {
		snprintf(why, whylen, "the signer certificate does not parse");
		goto out;
	}
	if (!xml_c14n11(d, 0, sig, &c14n, &c14n_len)) {
		snprintf(why, whylen, "document cannot be canonicalised");
		goto out;
	}
	SHA384(c14n, c14n_len, digest);
	free(c14n);
	c14n = NULL;
	rc = 0;
	if (CRYPTO_memcmp(digest, want, 48) != 0) {
		snprintf(why, whylen,
		         "SHA-384 of the canonical RIM differs from "
		         "DigestValue: the RIM was altered");
		goto out;
	}
	if (!xml_c14n11(d, si, SIZE_MAX, &c14n, &c14n_len)) {
		rc = -1;
		snprintf(why, whylen, "SignedInfo cannot be canonicalised");
		goto out;
	}
	if (!ecdsa_verify_raw(X509_get0_pubkey(signer), EVP_sha384(), c14n,
	                      c14n_len, value, value + 48, 48)) {
		snprintf(why, whylen,
		         "SignatureValue does not verify over SignedInfo with "
		         "the signer certificate's key");
		goto out;
	}
	rc = 1;
out:
	free(c14n);
	X509_free(signer);
	ERR_clear_error();
	return rc;
}

/* The RIM's KeyInfo chain (signer first) to the pinned NVIDIA RIM root;
 * on success *CHAIN holds it (signer first), for the caller to free. */
static bool
rim_chain(const struct rim *rim, const struct verify_request *req,
          struct verdict *v, const char *check, STACK_OF(X509) * *chain)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *anchor, *leaf = NULL;
	enum tp_err code;
	char why[256];
	bool ok = false;

	if (sk == NULL)
		goto out;
	for (size_t i = 0; i < rim->n_certs; i++) {
		X509 *x = x509_parse(rim->certs[i], rim->cert_lens[i]);
		if (x == NULL || !sk_X509_push(sk, x)) {
			X509_free(x);
			verdict_fail(v, check, TP_ERR_rim_invalid,
			             "RIM certificate %zu does not parse", i);
			goto out;
		}
	}
	if ((anchor = x509_anchor("nvidia_rim_root.pem", GPU_RIM_ROOT_PIN)) ==
	    NULL) {
		verdict_fail(v, check, TP_ERR_certificate_chain_invalid,
		             "the pinned NVIDIA RIM root is not available");
		goto out;
	}
	leaf = sk_X509_shift(sk);
	if (!x509_chain_verify(leaf, sk, anchor, req->now, NULL, &code, why,
	                       sizeof(why))) {
		verdict_fail(
		        v, check, code,
		        "RIM signer chain to the NVIDIA CoRIM signing Root "
		        "CA: %s",
		        why);
		goto out;
	}
	verdict_expires_no_later_than(v, x509_not_after(leaf));
	verdict_pass(v, check);
	if (!sk_X509_unshift(sk, leaf)) {
		verdict_fail(v, check, TP_ERR_internal_error, "out of memory");
		goto out;
	}
	leaf = NULL; /* owned by SK now */
	*chain = sk;
	sk = NULL;
	ok = true;
out:
	ERR_clear_error();
	X509_free(leaf);
	sk_X509_pop_free(sk, X509_free);
	return ok;
}

enum rim_ocsp_status
rim_ocsp_chain(const struct artifact_set *set, STACK_OF(X509) * chain,
               X509 *anchor, const struct verify_request *req,
               struct verdict *v, const char *item, char *why, size_t whylen)
{
	int n = chain == NULL ? 0 : sk_X509_num(chain), asked = 0;
	enum rim_ocsp_status res = RIM_OCSP_UNCHECKED;
	const char *bad = gpu_malformed(set, ARTIFACT_NVIDIA_RIM_OCSP);
	bool missing = false;
	char name[80], reason[256];

	if (anchor == NULL)
		goto out;
	/* A response the loader could not read (not base64, ...). */
	if (bad != NULL) {
		snprintf(why, whylen, "RIM chain OCSP: %s", bad);
		res = RIM_OCSP_INVALID;
		goto out;
	}
	if (gpu_ocsp_count(set, ARTIFACT_NVIDIA_RIM_OCSP) == 0)
		goto out;
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		X509 *issuer = i + 1 < n ? sk_X509_value(chain, i + 1) : anchor;
		const struct artifact *a;
		int64_t nu;
		enum gpu_ocsp_result r;

		if (X509_cmp(x, anchor) == 0)
			break; /* the root is pinned, not revocable here */
		asked++;
		if ((a = gpu_ocsp_find(set, ARTIFACT_NVIDIA_RIM_OCSP, x,
		                       issuer)) == NULL) {
			missing = true;
			continue;
		}
		snprintf(name, sizeof(name), "%s.%d", item, i);
		verdict_collateral(v, name, a->body, a->body_len);
		r = gpu_ocsp_check(a->body, a->body_len, x, issuer, chain,
		                   anchor, req->now, req->cfg->clock_skew, &nu,
		                   reason, sizeof(reason));
		if (r != GPU_OCSP_GOOD) {
			snprintf(why, whylen, "RIM chain certificate %d: %s", i,
			         reason);
			res = r == GPU_OCSP_REVOKED ? RIM_OCSP_REVOKED
			                            : RIM_OCSP_INVALID;
			goto out;
		}
		verdict_expires_no_later_than(v, nu);
	}
	/* "passed" needs a verified response for every certificate below
	 * the root, and at least one such certificate. */
	if (!missing && asked > 0)
		res = RIM_OCSP_PASSED;
out:
	return res;
}

/* Revocation of RIM I's verified CHAIN by the RIM-chain OCSP responses
 * of req->artifacts (ARTIFACT_NVIDIA_RIM_OCSP): records
 * check ITEM_ocsp when responses were judged, and INFO's ocsp_status. */
static enum rim_ocsp_status
rim_ocsp(STACK_OF(X509) * chain, const struct verify_request *req,
         struct verdict *v, const char *item, size_t i, json_t *info)
{
	X509 *anchor = x509_anchor("nvidia_rim_root.pem", GPU_RIM_ROOT_PIN);
	char check[80], why[320];
	enum rim_ocsp_status r;

	snprintf(check, sizeof(check), "%s_ocsp", item);
	r = rim_ocsp_chain(req->artifacts, chain, anchor, req, v, item, why,
	                   sizeof(why));
	switch (r) {
	case RIM_OCSP_PASSED:
		verdict_pass(v, check);
		json_object_set_new(info, "ocsp_status", json_string("passed"));
		break;
	case RIM_OCSP_REVOKED:
		verdict_fail(v, check, TP_ERR_certificate_revoked,
		             "RIM %zu: %s", i, why);
		json_object_set_new(info, "ocsp_status",
		                    json_string("revoked"));
		break;
	case RIM_OCSP_INVALID:
		verdict_fail(v, check, TP_ERR_gpu_ocsp_invalid, "RIM %zu: %s",
		             i, why);
		break;
	case RIM_OCSP_UNCHECKED:
		break;
	}
	return r;
}

static const struct spdm_block *
block_of(const struct spdm_measurements *m, unsigned index)
{
	for (unsigned i = 0; i < m->n_blocks; i++)
		if (m->blocks[i].index == index)
			return &m->blocks[i];
	return NULL;
}

/* Every active RIM measurement i against SPDM block i + 1. */
static bool
rim_compare(const struct rim *rim, const struct spdm_measurements *m,
            struct verdict *v, const char *check, json_t *info)
{
	json_t *bad = json_array();
	unsigned active = 0;
	bool ok;

	for (size_t i = 0; i < rim->n; i++) {
		const struct rim_measurement *r = &rim->m[i];
		const struct spdm_block *b = block_of(m, r->index + 1);
		bool match = false;
		if (!r->active)
			continue;
		active++;
		for (unsigned a = 0; b != NULL && a < r->n_alt; a++)
			if (b->value_len == RIM_HASH_LEN &&
			    CRYPTO_memcmp(b->value, r->alt[a], RIM_HASH_LEN) ==
			            0)
				match = true;
		if (!match)
			json_array_append_new(bad, json_integer(r->index + 1));
	}
	json_object_set_new(info, "active_measurements", json_integer(active));
	ok = json_array_size(bad) == 0;
	if (!ok) {
		char *s = json_dumps(bad, JSON_COMPACT);
		verdict_fail(v, check, TP_ERR_measurement_mismatch,
		             "RIM %s: SPDM blocks %s differ from every golden "
		             "value",
		             rim->version, s ? s : "?");
		free(s);
	} else {
		verdict_pass(v, check);
	}
	json_object_set_new(info, "mismatched_blocks", bad);
	return ok;
}

/* Records RIM's active indices under KIND; false when one is already
 * owned by the other kind. */
static bool
no_conflict(const struct rim *rim, uint8_t kind, uint8_t owner[256])
{
	bool ok = true;

	for (size_t i = 0; i < rim->n; i++) {
		uint8_t *o = &owner[rim->m[i].index & 0xFF];
		if (!rim->m[i].active)
			continue;
		if (*o != 0 && *o != kind)
			ok = false;
		*o = kind;
	}
	return ok;
}

bool
rim_appraise(const struct spdm_measurements *m, json_t *claims,
             const struct verify_request *req, struct verdict *v,
             const char *prefix)
{
	const struct artifact_set *set = req->artifacts;
	const char *bad = gpu_malformed(set, ARTIFACT_NVIDIA_RIM);
	size_t n_rims = artifact_set_count(set, ARTIFACT_NVIDIA_RIM);
	const char *driver =
	        json_string_value(json_object_get(claims, "driver_version"));
	const char *vbios =
	        json_string_value(json_object_get(claims, "vbios_version"));
	const char *model =
	        json_string_value(json_object_get(claims, "gpu_model"));
	const char *dkind =
	        json_string_value(json_object_get(claims, "device_kind"));
	bool nvswitch = dkind != NULL && strcmp(dkind, "nvswitch") == 0;
	json_t *out = json_array();
	uint8_t owner[256] = {0}; /* active index -> 1 vbios, 2 driver */
	unsigned kinds = 0;
	size_t passed = 0, revoked = 0;
	bool all = true;

	/* A RIM the loader could not read (a member that is no string). */
	if (bad != NULL) {
		char check[64];
		all = false;
		snprintf(check, sizeof(check), "%srim_collateral", prefix);
		verdict_fail(v, check, TP_ERR_rim_invalid, "RIM collateral: %s",
		             bad);
	}
	for (size_t i = 0; i < n_rims; i++) {
		const struct artifact *a =
		        artifact_set_nth(set, ARTIFACT_NVIDIA_RIM, i);
		const char *xml = (const char *)a->body;
		json_t *info = json_object();
		char check[64], why[200], item_name[32];
		struct rim *rim;
		STACK_OF(X509) *chain = NULL;
		const char *kind;

		snprintf(item_name, sizeof(item_name), "%srim%zu", prefix, i);
		verdict_collateral(v, item_name, a->body, a->body_len);
		snprintf(check, sizeof(check), "%s_format", item_name);
		if ((rim = rim_parse(xml, a->body_len, why, sizeof(why))) ==
		    NULL) {
			all = false;
			verdict_fail(v, check, TP_ERR_rim_invalid,
			             "RIM %zu: %s", i, why);
			json_array_append_new(out, info);
			continue;
		}
		verdict_pass(v, check);
		json_object_set_new(info, "version", json_string(rim->version));
		json_object_set_new(info, "ocsp_status",
		                    json_string("unchecked"));
		snprintf(check, sizeof(check), "%s_chain", item_name);
		if (!rim_chain(rim, req, v, check, &chain)) {
			all = false;
		} else {
			/* A revoked RIM signer vouches for no golden value. */
			switch (rim_ocsp(chain, req, v, item_name, i, info)) {
			case RIM_OCSP_PASSED:
				passed++;
				break;
			case RIM_OCSP_REVOKED:
				revoked++;
				all = false;
				break;
			default:
				break;
			}
		}
		sk_X509_pop_free(chain, X509_free);
		/* The signature binds the golden values to NVIDIA's RIM
		 * signer: without it a RIM is only a caller's claim. */
		snprintf(check, sizeof(check), "%s_signature", item_name);
		switch (rim_signature_verify(rim, why, sizeof(why))) {
		case 1:
			verdict_pass(v, check);
			json_object_set_new(info, "signature",
			                    json_string("valid"));
			break;
		case 0:
			all = false;
			verdict_fail(v, check, TP_ERR_rim_signature_invalid,
			             "RIM %zu: %s", i, why);
			json_object_set_new(info, "signature",
			                    json_string("invalid"));
			break;
		default:
			all = false;
			verdict_fail(v, check, TP_ERR_rim_invalid,
			             "RIM %zu signature: %s", i, why);
			json_object_set_new(info, "signature",
			                    json_string("unsupported"));
		}
		/* A RIM for another driver or VBIOS is a clear error: its
		 * golden values say nothing about this GPU. */
		snprintf(check, sizeof(check), "%s_version", item_name);
		kind = vbios != NULL && strcasecmp(rim->version, vbios) == 0
		               ? "vbios"
		       : driver != NULL && strcmp(rim->version, driver) == 0
		               ? "driver"
		               : NULL;
		if (kind == NULL) {
			all = false;
			verdict_fail(v, check, TP_ERR_rim_version_mismatch,
			             "RIM %zu is for version %s; the evidence "
			             "has driver %s and VBIOS %s",
			             i, rim->version, driver ? driver : "?",
			             vbios ? vbios : "?");
		} else if (model != NULL && strcmp(rim->product, model) != 0) {
			all = false;
			verdict_fail(v, check, TP_ERR_rim_version_mismatch,
			             "RIM %zu is for %s; the GPU is %s", i,
			             rim->product, model);
		} else {
			verdict_pass(v, check);
			json_object_set_new(info, "kind", json_string(kind));
			snprintf(check, sizeof(check), "%s_measurements",
			         item_name);
			if (!rim_compare(rim, m, v, check, info))
				all = false;
			kinds |= kind[0] == 'v' ? 1u : 2u;
			/* nvtrust "vbios-index-no-conflict": a block is
			 * measured by the VBIOS or by the driver, not both. */
			snprintf(check, sizeof(check), "%s_index_conflict",
			         item_name);
			if (!no_conflict(rim, kind[0] == 'v' ? 1 : 2, owner)) {
				all = false;
				verdict_fail(
				        v, check, TP_ERR_rim_invalid,
				        "RIM %zu marks active a block that "
				        "a RIM of the other kind also marks "
				        "active",
				        i);
			}
		}
		json_array_append_new(out, info);
		rim_free(rim);
	}
	json_object_set_new(claims, "rims", out);
	/* Never "passed" unless every RIM's chain was answered "good". */
	json_object_set_new(claims, "rim_ocsp_status",
	                    json_string(revoked > 0 ? "revoked"
	                                : passed > 0 && passed == n_rims
	                                        ? "passed"
	                                        : "unchecked"));
	json_object_set_new(claims, "rim_coverage",
	                    json_string(nvswitch && kinds == 1 ? "bios"
	                                : kinds == 3           ? "driver+vbios"
	                                : kinds == 1           ? "vbios"
	                                : kinds == 2           ? "driver"
	                                                       : "none"));
	/* NVIDIA measures some blocks by the VBIOS and the rest by the
	 * driver: with one RIM kind only, part of the GPU was not compared
	 * with anything, so the verdict is at most "warning". */
	/* An NVSwitch has its BIOS RIM only: that is all of it. */
	if (kinds != (nvswitch ? 1u : 3u))
		v->warning = true;
	v->measurements_valid = all ? TP_TRUE : TP_FALSE;
	return all;
}
