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

/* Asks about X (issued by ISSUER); adds "<serial>": base64 to OUT. */
static void
ask(X509 *x, X509 *issuer, json_t *out)
{
	OCSP_REQUEST *req = NULL;
	OCSP_CERTID *id = NULL;
	OCSP_RESPONSE *resp = NULL;
	BIGNUM *bn = NULL;
	char *serial = NULL, *b64 = NULL, url[1024];
	unsigned char *der = NULL;
	uint8_t *body = NULL;
	const unsigned char *p;
	size_t len = 0;
	int dl;

	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn == NULL || (serial = BN_bn2hex(bn)) == NULL ||
	    json_object_get(out, serial) != NULL)
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
	if ((b64 = codec_base64_encode(body, len)) != NULL)
		json_object_set_new(out, serial, json_string(b64));
out:
	OCSP_RESPONSE_free(resp);
	free(b64);
	free(body);
	OPENSSL_free(der);
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(req);
	OPENSSL_free(serial);
	BN_free(bn);
}

static void
ask_chain(const uint8_t *pem, size_t len, X509 *anchor, json_t *out)
{
	STACK_OF(X509) *chain = x509_parse_pem_chain(pem, len);
	int n = chain == NULL ? 0 : sk_X509_num(chain);

	for (int i = 0; i < n && i < MAX_CERTS; i++) {
		X509 *x = sk_X509_value(chain, i);
		if (X509_cmp(x, anchor) == 0)
			continue;
		ask(x, i + 1 < n ? sk_X509_value(chain, i + 1) : anchor, out);
	}
	sk_X509_pop_free(chain, X509_free);
}

/* ITEM's "certificate" (base64 of a PEM chain), decoded, into OUT. */
static void
ask_item(const json_t *item, X509 *anchor, json_t *out)
{
	const char *b64 =
	        json_string_value(json_object_get(item, "certificate"));
	uint8_t *pem = NULL;
	size_t n;

	if (b64 != NULL && codec_base64_decode(b64, strlen(b64), &pem, &n))
		ask_chain(pem, n, anchor, out);
	free(pem);
}

/* The RIM XML text XML's KeyInfo chain (signer first) into OUT. */
static void
ask_rim(const char *xml, X509 *anchor, json_t *out)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct rim *rim;
	char why[200];
	int n;

	if (chain == NULL ||
	    (rim = rim_parse(xml, strlen(xml), why, sizeof(why))) == NULL)
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
		ask(x, i + 1 < n ? sk_X509_value(chain, i + 1) : anchor, out);
	}
out:
	sk_X509_pop_free(chain, X509_free);
}

/* The RIMs of COLLATERAL ("rim", "rims"), each chain into OUT. */
static void
ask_rims(const json_t *collateral, X509 *anchor, json_t *out)
{
	const char *one = json_string_value(json_object_get(collateral, "rim"));
	json_t *item;
	size_t i;

	if (one != NULL)
		ask_rim(one, anchor, out);
	json_array_foreach(json_object_get(collateral, "rims"), i, item)
	{
		if (i < MAX_RIMS && json_is_string(item))
			ask_rim(json_string_value(item), anchor, out);
	}
}

json_t *
coll_gpu_ocsp(const uint8_t *ev, size_t len, enum tp_provider prov,
              const json_t *collateral)
{
	X509 *anchor;
	json_t *out = NULL, *rim_out = NULL, *doc = NULL, *merged = NULL;
	json_t *item;
	const char *chain;
	size_t i;

	if (prov == TP_PROVIDER_NONE)
		prov = provider_detect(ev, len);
	if (prov != TP_PROVIDER_NVIDIA_GPU || gpu_is_nras_eat(ev, len))
		goto out;
	/* Responses the client sent are never replaced by fetched ones. */
	if (json_object_get(collateral, "ocsp") == NULL &&
	    (anchor = x509_anchor("nvidia_device_identity_ca.pem",
	                          GPU_DEVICE_CA_PIN)) != NULL &&
	    (out = json_object()) != NULL) {
		chain = json_string_value(
		        json_object_get(collateral, "cert_chain"));
		if (chain != NULL) {
			ask_chain((const uint8_t *)chain, strlen(chain), anchor,
			          out);
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
					ask_item(item, anchor, out);
			}
		}
	}
	if (json_object_get(collateral, "rim_ocsp") == NULL &&
	    (anchor = x509_anchor("nvidia_rim_root.pem", GPU_RIM_ROOT_PIN)) !=
	            NULL &&
	    (rim_out = json_object()) != NULL)
		ask_rims(collateral, anchor, rim_out);
	if (json_object_size(out) == 0 && json_object_size(rim_out) == 0)
		goto out;
	merged = collateral != NULL ? json_copy((json_t *)collateral)
	                            : json_object();
	if (merged != NULL && json_object_size(out) > 0)
		json_object_set(merged, "ocsp", out);
	if (merged != NULL && json_object_size(rim_out) > 0)
		json_object_set(merged, "rim_ocsp", rim_out);
out:
	json_decref(doc);
	json_decref(out);
	json_decref(rim_out);
	return merged;
}
