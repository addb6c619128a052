#ifndef TP_SNP_TINFOIL_H
#define TP_SNP_TINFOIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"

/*
 * Tinfoil attestation bundles (tinfoilsh/tinfoil-js, the
 * "attestation-bundle" of its verifier): a JSON object
 *
 *   {"enclaveAttestationReport": {
 *        "format": "https://tinfoil.sh/predicate/sev-snp-guest/v2",
 *        "body": base64(gzip(SEV-SNP attestation report))},
 *    "vcek": base64(VCEK DER), ...}
 *
 * Only the report and the VCEK are read; the bundle's other members
 * (domain, digest, sigstoreBundle, enclaveCert) are not verified here.
 */

/* The largest bundle read, and the bound on the inflated report: a report
 * is 1184 bytes; anything inflating past this is refused unread. */
#define SNP_TINFOIL_MAX_BUNDLE   (1024u * 1024u)
#define SNP_TINFOIL_MAX_INFLATED (16u * 1024u)
#define SNP_TINFOIL_FORMAT       "https://tinfoil.sh/predicate/sev-snp-guest/"

/* True when BUF is a JSON object whose enclaveAttestationReport names a
 * Tinfoil SEV-SNP guest format (bytes only). */
bool snp_tinfoil_detect(const uint8_t *buf, size_t len);

/*
 * The bundle BUF as an extended report: the inflated report, then (when
 * the bundle has a "vcek") a certificate table holding the VCEK (SEV-SNP
 * ABI: the VCEK GUID entry, an all-zero entry, the DER), in *OUT
 * (malloc'd, caller frees). False with *CODE (snp_bundle_invalid,
 * snp_bundle_too_large) and WHY.
 */
bool snp_tinfoil_unpack(const uint8_t *buf, size_t len, uint8_t **out,
                        size_t *outlen, enum tp_err *code, char *why,
                        size_t whylen);

#endif
