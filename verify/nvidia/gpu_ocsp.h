#ifndef TP_GPU_OCSP_H
#define TP_GPU_OCSP_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "verify/core/artifact.h"

/*
 * OCSP (RFC 6960) responses for the certificates of the NVIDIA device
 * chain, checked offline: the responses come as collateral, fetched by
 * the collateral layer or the caller; nothing here opens a connection.
 */

enum gpu_ocsp_result {
	GPU_OCSP_GOOD = 0,
	GPU_OCSP_REVOKED, /* an authentic response says "revoked" */
	GPU_OCSP_INVALID, /* not a usable, authentic response for CERT */
};

/*
 * Checks the DER OCSPResponse (DER, LEN) about CERT issued by ISSUER at
 * NOW: responseStatus successful; a BasicOCSPResponse whose signature
 * verifies with a signer that is ISSUER or a responder ISSUER delegated
 * (id-kp-OCSPSigning), its chain verified to ANCHOR at NOW (UNTRUSTED:
 * other certificates that may complete it); a SingleResponse for CERT's
 * CertID; thisUpdate <= NOW + SKEW and NOW < nextUpdate (a response
 * without nextUpdate is refused: it could be replayed forever). On GOOD
 * and REVOKED, *NEXT_UPDATE is its nextUpdate. WHY says what failed.
 */
enum gpu_ocsp_result gpu_ocsp_check(const uint8_t *der, size_t len, X509 *cert,
                                    X509 *issuer, STACK_OF(X509) * untrusted,
                                    X509 *anchor, int64_t now, int64_t skew,
                                    int64_t *next_update, char *why,
                                    size_t whylen);

/*
 * The key of the artifact (ARTIFACT_NVIDIA_OCSP or _RIM_OCSP, body "{}")
 * by which a loader says the caller gave that map of responses but no
 * response came of it (an empty "ocsp": {}): the collateral service then
 * asks nothing for that chain, as for a map that holds responses. Never a
 * serial (BN_bn2hex prints upper-case hex), never a response.
 */
#define GPU_OCSP_GIVEN_KEY "none"

/* How many responses of KIND SET holds (the GPU_OCSP_GIVEN_KEY marker is
 * none). */
size_t gpu_ocsp_count(const struct artifact_set *set, enum artifact_kind kind);

/*
 * The DER OCSP response SET holds as KIND (ARTIFACT_NVIDIA_OCSP or
 * ARTIFACT_NVIDIA_RIM_OCSP) for X (issued by ISSUER): the one keyed by
 * X's serial as BN_bn2hex prints it (upper-case hex; the loaders
 * normalise the request's keys), else a keyless one that holds a
 * SingleResponse for X's CertID; NULL when none. Borrowed from SET.
 */
const struct artifact *gpu_ocsp_find(const struct artifact_set *set,
                                     enum artifact_kind kind, X509 *x,
                                     X509 *issuer);

#endif
