#ifndef TP_AZURE_VTPM_H
#define TP_AZURE_VTPM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/azure/hcl_report.h"
#include "verify/tpm/tpm_evidence.h"

struct verdict;
struct verify_request;

/*
 * What the Azure vTPM providers (AzureSnpVtpm, AzureTdxVtpm) share: the
 * evidence bundle's "tpm_quote" member, the vTPM quote checked with the
 * HCL report's HCLAkPub, and the claims of the HCL runtime data. Only the
 * hardware report differs (an SNP report with its VCEK, or a TD report
 * with the TD quote sent beside it).
 */

/* The "tpm_quote" member, decoded. */
struct azure_tpm_quote {
	uint8_t *msg; /* TPMS_ATTEST */
	size_t msg_len;
	uint8_t *sig; /* raw RSASSA signature or TPMT_SIGNATURE */
	size_t sig_len;
	struct tpm_pcrs pcrs;
};

/*
 * True when BUF (after white space) is a JSON object that names every
 * member of NAMES (NULL-terminated) and none of NOT (NULL-terminated, or
 * NULL): the cheap byte test of provider detection.
 */
bool azure_detect_members(const uint8_t *buf, size_t len,
                          const char *const *names, const char *const * not );

/*
 * The bundle's "version" (absent, or 1..MAX_VERSION) and its "tpm_quote"
 * object {"message", "signature", "pcrs"} from DOC into *Q. False with
 * WHY. Free *Q with azure_tpm_quote_free (also after a failure).
 */
bool azure_tpm_quote_parse(const json_t *doc, int max_version,
                           struct azure_tpm_quote *q, char *why, size_t whylen);

/* NULL-safe; leaves *Q zeroed. */
void azure_tpm_quote_free(struct azure_tpm_quote *q);

/*
 * The vTPM quote with HCLAkPub AK: signature, nonce (req->nonce, when
 * given without runtime_data, is extraData byte for byte) and PCR
 * digest, with checks tpm_quote_format, tpm_signature, tpm_nonce and
 * tpm_pcr_digest. True when the signature verified.
 */
bool azure_tpm_quote_check(const struct verify_request *req,
                           const struct azure_tpm_quote *q, EVP_PKEY *ak,
                           struct verdict *v);

/* SHA-256(var data) == REPORT_DATA[0:32] (32 bytes at RD), as check
 * hcl_binding; WHERE names the field in the message. */
bool azure_hcl_binding_check(const struct hcl_report *hcl, const uint8_t *rd,
                             const char *where, struct verdict *v);

/*
 * The claims of the HCL runtime data: attestation_key_sha256 and the
 * hcl_ak collateral item (when QUOTE_OK), vm_configuration and
 * hcl_user_data.
 */
void azure_runtime_claims(struct verdict *v, const struct hcl_runtime *rt,
                          bool quote_ok);

#endif
