/*
 * Online OCSP (RFC 6960) for the NVIDIA GPU device chains and the signing
 * chains of the RIMs the request carries: one request per certificate
 * below the pinned root (NVIDIA Device Identity CA, NVIDIA RIM root), to the responder its Authority
 * Information Access names (id-ad-ocsp) or the configured one. What comes
 * back is handed to verify/ untouched but for a DER parse; verify/ judges
 * it (signature, responder, CertID, window at the verification time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "collateral/service.h"
#include "common/codec.h"
#include "verify/nvidia/gpu.h"
#include "verify/nvidia/rim_swid.h"
#include "verify/core/x509.h"

#define MAX_CHAINS 8 /* one per GPU of a JSON evidence */
#define MAX_CERTS  8
#define MAX_RIMS   8

/* The first http(s) OCSP URL of X's AIA, copied into URL. */
static bool
aia_ocsp_url(X509 *x, char *url, size_t n)
{
	STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(x);
	bool ok = false;

	for (int i = 0; i < sk_OPENSSL_STRING_num(urls) && !ok; i++) {
		const char *u = sk_OPENSSL_STRING_value(urls, i);
		if ((strncmp(u, "http://", 7) == 0 ||
		     strncmp(u, "https://", 8) == 0) &&
		    strlen(u) < n) {
			snprintf(url, n, "%s", u);
			ok = true;
		}
	}
	X509_email_free(urls);
	return ok;
}

/* Asks about X (issued by ISSUER); adds the DER response to OUT as KIND
 * keyed by X's serial (hex). */
static void
ask(X509 *x, X509 *issuer, enum artifact_kind kind, struct artifact_set *out)
{
	OCSP_REQUEST *req = NULL;
	OCSP_CERTID *id = NULL;
	OCSP_RESPONSE *resp = NULL;
	BIGNUM *bn = NULL;
	char *serial = NULL, url[1024];
	unsigned char *der = NULL;
	uint8_t *body = NULL;
	const unsigned char *p;
	size_t len = 0;
	int dl;

	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn == NULL || (serial = BN_bn2hex(bn)) == NULL ||
	    artifact_set_find(out, kind, serial) != NULL)
		goto out;
	if (coll_nvidia_ocsp_url() != NULL)
		snprintf(url, sizeof(url), "%s", coll_nvidia_ocsp_url());
	else if (!aia_ocsp_url(x, url, sizeof(url)))
		goto out;
	if ((req = OCSP_REQUEST_new()) == NULL ||
	    (id = OCSP_cert_to_id(EVP_sha1(), x, issuer)) == NULL ||
	    OCSP_request_add0_id(req, id) == NULL)
		goto out;
	id = NULL; /* owned by REQ now */
	if ((dl = i2d_OCSP_REQUEST(req, &der)) <= 0)
		goto out;
	if (!coll_ocsp_post(url, der, (size_t)dl, &body, &len))
		goto out;
	/* Something that is not one DER OCSPResponse (a proxy's error
	 * page), or a responder's unsigned refusal (tryLater, internalError,
	 * ...), is no response: the status stays "unchecked". */
	p = body;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
	    p != body + len ||
	    OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
		goto out;
	artifact_set_add(out, kind, serial, body, len, NULL, 0, "nvidia_ocsp",
	                 0);
out:
	OCSP_RESPONSE_free(resp);
	free(body);
	OPENSSL_free(der);
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(req);
	OPENSSL_free(serial);
	BN_free(bn);
}

static void
ask_chain(const uint8_t *pem, size_t len, X509 *anchor,
          struct artifact_set *out)
{
	STACK_OF(X509) *chain = x509_parse_pem_chain(pem, len);
	int n = chain == NULL ? 0 : sk_X509_num(chain);

	for (int i = 0; i < n && i < MAX_CERTS; i++) {
		X509 *x = sk_X509_value(chain, i);
		if (X509_cmp(x, anchor) == 0)
			continue;
		ask(x, i + 1 < n ? sk_X509_value(chain, i + 1) : anchor,
		    ARTIFACT_NVIDIA_OCSP, out);
	}
	sk_X509_pop_free(chain, X509_free);
}

/* ITEM's "certificate" (base64 of a PEM chain), decoded, into OUT. */
static void
ask_item(const json_t *item, X509 *anchor, struct artifact_set *out)
{
	const char *b64 =
	        json_string_value(json_object_get(item, "certificate"));
	uint8_t *pem = NULL;
	size_t n;

	if (b64 != NULL && codec_base64_decode(b64, strlen(b64), &pem, &n))
		ask_chain(pem, n, anchor, out);
	free(pem);
}

/* The KeyInfo chain (signer first) of the RIM XML (LEN bytes) into OUT. */
static void
ask_rim(const uint8_t *xml, size_t len, X509 *anchor, struct artifact_set *out)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct rim *rim;
	char why[200];
	int n;

	if (chain == NULL ||
	    (rim = rim_parse((const char *)xml, len, why, sizeof(why))) == NULL)
		goto out;
	for (size_t i = 0; i < rim->n_certs && i < MAX_CERTS; i++) {
		X509 *x = x509_parse(rim->certs[i], rim->cert_lens[i]);
		if (x == NULL || !sk_X509_push(chain, x)) {
			X509_free(x);
			break;
		}
	}
	rim_free(rim);
	n = sk_X509_num(chain);
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		if (X509_cmp(x, anchor) == 0)
			break;
		ask(x, i + 1 < n ? sk_X509_value(chain, i + 1) : anchor,
		    ARTIFACT_NVIDIA_RIM_OCSP, out);
	}
out:
	sk_X509_pop_free(chain, X509_free);
}

size_t
coll_gpu_ocsp(const uint8_t *ev, size_t len, enum tp_provider prov,
              struct artifact_set *set)
{
	const struct artifact *a;
	X509 *anchor;
	json_t *doc = NULL, *item;
	size_t i, before;

	if (prov == TP_PROVIDER_NONE)
		prov = provider_detect(ev, len);
	if (prov != TP_PROVIDER_NVIDIA_GPU || gpu_is_nras_eat(ev, len))
		return 0;
	before = artifact_set_count(set, ARTIFACT_NVIDIA_OCSP) +
	         artifact_set_count(set, ARTIFACT_NVIDIA_RIM_OCSP);
	/* Responses the client or a directory supplied are never replaced
	 * by fetched ones. */
	if (artifact_set_count(set, ARTIFACT_NVIDIA_OCSP) == 0 &&
	    (anchor = x509_anchor("nvidia_device_identity_ca.pem",
	                          GPU_DEVICE_CA_PIN)) != NULL) {
		if ((a = artifact_set_find(set, ARTIFACT_NVIDIA_DEVICE_CHAIN,
		                           NULL)) != NULL) {
			ask_chain(a->body, a->body_len, anchor, set);
		} else if ((doc = json_loadb((const char *)ev, len, 0, NULL)) !=
		           NULL) {
			/* The SDK array, or the NRAS request's
			 * evidence_list. */
			json_t *list =
			        json_is_array(doc)
			                ? doc
			                : json_object_get(doc, "evidence_list");
			json_array_foreach(list, i, item)
			{
				if (i < MAX_CHAINS)
					ask_item(item, anchor, set);
			}
		}
	}
	if (artifact_set_count(set, ARTIFACT_NVIDIA_RIM_OCSP) == 0 &&
	    (anchor = x509_anchor("nvidia_rim_root.pem", GPU_RIM_ROOT_PIN)) !=
	            NULL) {
		size_t n = artifact_set_count(set, ARTIFACT_NVIDIA_RIM);
		for (i = 0; i < n && i < MAX_RIMS; i++) {
			a = artifact_set_nth(set, ARTIFACT_NVIDIA_RIM, i);
			ask_rim(a->body, a->body_len, anchor, set);
		}
	}
	json_decref(doc);
	return artifact_set_count(set, ARTIFACT_NVIDIA_OCSP) +
	       artifact_set_count(set, ARTIFACT_NVIDIA_RIM_OCSP) - before;
}
