#ifndef TP_RIM_SWID_H
#define TP_RIM_SWID_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "verify/nvidia/rim_xml.h"
#include "verify/nvidia/spdm.h"
#include "verify/verify.h"

/*
 * NVIDIA Reference Integrity Manifests: TCG PC Client RIM / ISO 19770-2
 * SWID tags (SoftwareIdentity XML) with an enveloped XML-DSig signature
 * whose KeyInfo carries the X.509 chain to the NVIDIA CoRIM signing Root
 * CA. Each <Resource type="Measurement" index="i" active="True|False"
 * alternatives="n" Hash0=".." .. Hash(n-1)=".."/> is a golden value for
 * SPDM measurement block index i + 1.
 */

#define RIM_MAX_MEASUREMENTS 255
#define RIM_MAX_ALTERNATIVES 8
#define RIM_HASH_LEN         48

struct rim_measurement {
	unsigned index; /* RIM index (SPDM block index - 1) */
	bool active;
	unsigned n_alt;
	uint8_t alt[RIM_MAX_ALTERNATIVES][RIM_HASH_LEN];
};

struct rim {
	char version[64]; /* Meta colloquialVersion */
	char product[32]; /* Meta product ("GH100") */
	char edition[32]; /* Meta edition ("GPU" for VBIOS, "driver"...) */
	struct rim_measurement m[RIM_MAX_MEASUREMENTS];
	size_t n;
	uint8_t **certs; /* DER of each ds:X509Certificate, in order */
	size_t *cert_lens;
	size_t n_certs;
	struct xml_doc *doc; /* the parsed RIM, for its signature */
};

/*
 * Parses the parts of a RIM teepass relies on. Returns NULL and a reason
 * in WHY when the XML is not a RIM of the expected shape. Free with
 * rim_free.
 */
struct rim *rim_parse(const char *xml, size_t len, char *why, size_t whylen);
void rim_free(struct rim *r);

/*
 * Verifies the RIM's enveloped XML-DSig signature with the key of its
 * first KeyInfo certificate (the signer; rim_appraise checks its chain):
 * DigestValue over Canonical XML 1.1 of the document without the
 * signature, then ECDSA-SHA384 over Canonical XML 1.1 of SignedInfo.
 * Only NVIDIA's profile is accepted. Returns 1 valid, 0 invalid, -1
 * malformed or another profile; WHY says which.
 */
int rim_signature_verify(const struct rim *rim, char *why, size_t whylen);

/*
 * Appraises the verified SPDM measurements M against the RIMs of
 * req->artifacts (ARTIFACT_NVIDIA_RIM, SWID XML; a RIM the loader could
 * not read fails check rim_collateral with rim_invalid): each RIM's chain
 * to the pinned NVIDIA RIM root at req->now, its XML signature, its
 * version against the evidence's driver or VBIOS version (CLAIMS), then
 * every active measurement.
 * Then the revocation of each verified RIM chain by the OCSP responses of
 * req->artifacts (ARTIFACT_NVIDIA_RIM_OCSP, keyed by serial hex): per RIM
 * "ocsp_status", and the claim "rim_ocsp_status", "passed" only when every
 * certificate below the root of every RIM chain has a verified "good"
 * response, "revoked" (certificate_revoked) when one is revoked, otherwise
 * "unchecked"; a response that does not verify fails (gpu_ocsp_invalid).
 * Sets v->measurements_valid. Returns true when every check passed.
 */
bool rim_appraise(const struct spdm_measurements *m, json_t *claims,
                  const struct verify_request *req, struct verdict *v,
                  const char *prefix);

enum rim_ocsp_status {
	RIM_OCSP_UNCHECKED = 0, /* a certificate has no response */
	RIM_OCSP_PASSED,        /* every certificate: verified "good" */
	RIM_OCSP_REVOKED,       /* an authentic response says "revoked" */
	RIM_OCSP_INVALID,       /* a response that does not verify */
};

/*
 * Judges the OCSP responses of SET (ARTIFACT_NVIDIA_RIM_OCSP, may be NULL;
 * a response the loader could not read is INVALID) about every
 * certificate of CHAIN (signer first, already verified to ANCHOR; the
 * issuer of the last one below ANCHOR is ANCHOR) with gpu_ocsp_check at
 * req->now. Records each response relied on as collateral ITEM.<i> and
 * its nextUpdate as an expiry bound in V; records no check. On REVOKED
 * and INVALID, WHY names the certificate and reason.
 */
enum rim_ocsp_status rim_ocsp_chain(const struct artifact_set *set,
                                    STACK_OF(X509) * chain, X509 *anchor,
                                    const struct verify_request *req,
                                    struct verdict *v, const char *item,
                                    char *why, size_t whylen);

#endif
