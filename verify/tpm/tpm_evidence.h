#ifndef TP_TPM_EVIDENCE_H
#define TP_TPM_EVIDENCE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/core/verdict.h"
#include "verify/tpm/tpm_quote.h"

/*
 * Shared by the formats that carry a TPM quote (Tpm, AzureSnpVtpm,
 * GcpVtpm): JSON members, PCR values and the claims of a verified quote.
 */

/*
 * Member NAME of O (PATH prefixes the name in WHY): a base64, base64url or
 * hex string, decoded into *OUT (malloc'd, *LEN > 0). False with WHY.
 */
bool tpm_json_bytes(const json_t *o, const char *path, const char *name,
                    uint8_t **out, size_t *len, char *why, size_t whylen);

/*
 * "pcrs": an array of SHA-256 values (index = PCR), or an object of banks
 * {"sha256": {"0": "<hex>", …}}, into *P. False with WHY (a value of the
 * wrong size, a PCR given twice, an unknown bank or index).
 */
bool tpm_json_pcrs(const json_t *j, struct tpm_pcrs *p, char *why,
                   size_t whylen);

/*
 * Adds to ALL ({"<bank>": {"pcr<i>": "<hex>"}}) the PCRs of PCRS that
 * quote Q selected (and so its verified pcrDigest covers) only: a value
 * the evidence lists but the quote does not select is attested by
 * nothing. NULL-safe on ALL.
 */
void tpm_pcrs_claim_add(json_t *all, const struct tpm_quote *q,
                        const struct tpm_pcrs *pcrs);

/* The "pcrs" claim of one verified quote (tpm_pcrs_claim_add). */
void tpm_claim_pcrs(struct verdict *v, const struct tpm_quote *q,
                    const struct tpm_pcrs *pcrs);

/*
 * The claims of signed quote Q (clock, reset and restart counts,
 * firmware version, qualified signer, extra_data, pcr_digest) and its
 * binding field "extra_data", through which runtime_data or the nonce is
 * bound.
 */
void tpm_quote_claims(struct verdict *v, const struct tpm_quote *q);

#endif
