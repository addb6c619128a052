/*
 * OCSP responses about the NVIDIA device chain (RFC 6960 4.2: OCSPResponse,
 * BasicOCSPResponse; 4.2.2.2: authorized responders), checked at the
 * verification time with OpenSSL's OCSP_basic_verify.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509_vfy.h>

#include "verify/nvidia/gpu_ocsp.h"

static bool
gt_unix(const ASN1_GENERALIZEDTIME *t, int64_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

enum gpu_ocsp_result
gpu_ocsp_check(const uint8_t *der, size_t len, X509 *cert, X509 *issuer,
               STACK_OF(X509) * untrusted, X509 *anchor, int64_t now,
               int64_t skew, int64_t *next_update, char *why, size_t whylen)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id = NULL;
	X509_STORE *store = NULL;
	X509_VERIFY_PARAM *param;
	ASN1_GENERALIZEDTIME *thisupd = NULL, *nextupd = NULL, *rev = NULL;
	enum gpu_ocsp_result res = GPU_OCSP_INVALID;
	int status = -1, reason = -1, rs;
	int64_t tu, nu;

	*next_update = 0;
	if (der == NULL || len == 0 || len > 65536 || cert == NULL ||
	    issuer == NULL || anchor == NULL) {
		snprintf(why, whylen, "ocsp: no response or certificate");
		goto out;
	}
	/* d2i must consume every byte: trailing data is refused. */
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		snprintf(why, whylen, "ocsp: not one DER OCSPResponse");
		goto out;
	}
	if ((rs = OCSP_response_status(resp)) !=
	    OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(why, whylen, "ocsp: responseStatus %d (%s), want 0",
		         rs, OCSP_response_status_str(rs));
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		snprintf(why, whylen, "ocsp: not a BasicOCSPResponse");
		goto out;
	}
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, anchor) != 1) {
		snprintf(why, whylen, "ocsp: out of memory");
		goto out;
	}
	/* The signer's chain is judged at the verification time, never the
	 * wall clock. */
	param = X509_STORE_get0_param(store);
	X509_VERIFY_PARAM_set_time(param, (time_t)now);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
	/* Flags 0: the signer must be the issuer of the certificates it
	 * speaks of or carry id-kp-OCSPSigning from it (RFC 6960 4.2.2.2),
	 * and its chain must verify to ANCHOR. */
	if (OCSP_basic_verify(bs, untrusted, store, 0) != 1) {
		snprintf(why, whylen,
		         "ocsp: signature or responder does not verify to "
		         "the pinned NVIDIA CA at the verification time");
		goto out;
	}
	if ((id = OCSP_cert_to_id(EVP_sha1(), cert, issuer)) == NULL ||
	    OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd,
	                          &nextupd) != 1) {
		snprintf(why, whylen,
		         "ocsp: the response has no status for the "
		         "certificate");
		goto out;
	}
	if (!gt_unix(thisupd, &tu) || nextupd == NULL ||
	    !gt_unix(nextupd, &nu)) {
		snprintf(why, whylen, "ocsp: thisUpdate or nextUpdate missing");
		goto out;
	}
	if (tu > now + skew || now >= nu) {
		snprintf(why, whylen,
		         "ocsp: [thisUpdate %lld, nextUpdate %lld) does not "
		         "contain the verification time %lld",
		         (long long)tu, (long long)nu, (long long)now);
		goto out;
	}
	if (status == V_OCSP_CERTSTATUS_GOOD) {
		res = GPU_OCSP_GOOD;
	} else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		snprintf(why, whylen, "ocsp: revoked (reason %d)", reason);
		res = GPU_OCSP_REVOKED;
	} else {
		snprintf(why, whylen,
		         "ocsp: the responder does not know the "
		         "certificate");
		goto out;
	}
	*next_update = nu;
out:
	ERR_clear_error();
	OCSP_CERTID_free(id);
	X509_STORE_free(store);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	return res;
}

/* True when the DER OCSP response (DER, LEN) holds a SingleResponse for
 * ID. */
static bool
speaks_of(const uint8_t *der, size_t len, OCSP_CERTID *id)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	OCSP_BASICRESP *bs =
	        resp != NULL ? OCSP_response_get1_basic(resp) : NULL;
	bool yes = bs != NULL && OCSP_resp_find(bs, id, -1) >= 0;

	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return yes;
}

const struct artifact *
gpu_ocsp_find(const struct artifact_set *set, enum artifact_kind kind, X509 *x,
              X509 *issuer)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	const struct artifact *a = NULL;
	OCSP_CERTID *id = NULL;

	if (hex != NULL)
		a = artifact_set_find(set, kind, hex);
	/* A response without a key (the export layout names files, not
	 * serials) is matched by the certificate it speaks of. */
	if (a == NULL && issuer != NULL &&
	    (id = OCSP_cert_to_id(EVP_sha1(), x, issuer)) != NULL) {
		const struct artifact *c;
		for (size_t i = 0;
		     a == NULL && (c = artifact_set_nth(set, kind, i)) != NULL;
		     i++)
			if (c->key[0] == '\0' &&
			    speaks_of(c->body, c->body_len, id))
				a = c;
	}
	OCSP_CERTID_free(id);
	OPENSSL_free(hex);
	BN_free(bn);
	ERR_clear_error();
	return a;
}

size_t
gpu_ocsp_count(const struct artifact_set *set, enum artifact_kind kind)
{
	size_t n = artifact_set_count(set, kind);

	return artifact_set_find(set, kind, GPU_OCSP_GIVEN_KEY) != NULL ? n - 1
	                                                                : n;
}
