#ifndef TP_GCP_ATTEST_H
#define TP_GCP_ATTEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "verify/tpm/tpm_quote.h"

/*
 * Google Compute Engine vTPM evidence: go-tpm-tools' attest.Attestation
 * protobuf (proto/attest.proto: 1 ak_pub, 2 quotes, 3 event_log,
 * 6 ak_cert, 7 intermediate_certs; tpm.proto: Quote {1 quote, 2 raw_sig,
 * 3 pcrs}, PCRs {1 hash, 2 map<uint32, bytes> pcrs}), read with a bounded
 * protobuf wire-format reader (varint and length-delimited fields; other
 * fields skipped, groups refused). Pure: no I/O. Every pointer borrows
 * the input buffer.
 */

#define GCP_MAX_QUOTES        8 /* one per bank: sha1, sha256, sha384, … */
#define GCP_MAX_INTERMEDIATES 4 /* intermediate_certs accepted */

struct gcp_quote {
	const uint8_t *attest; /* TPMS_ATTEST */
	size_t attest_len;
	const uint8_t *sig; /* TPMT_SIGNATURE */
	size_t sig_len;
	struct tpm_pcrs pcrs; /* one bank: PCRs.hash */
};

struct gcp_attestation {
	const uint8_t *ak_pub; /* TPMT_PUBLIC */
	size_t ak_pub_len;
	struct gcp_quote quotes[GCP_MAX_QUOTES];
	size_t n_quotes;
	const uint8_t *event_log; /* NULL when absent */
	size_t event_log_len;
	const uint8_t *ak_cert; /* DER, NULL when absent */
	size_t ak_cert_len;
	const uint8_t *inter[GCP_MAX_INTERMEDIATES];
	size_t inter_len[GCP_MAX_INTERMEDIATES];
	size_t n_inter;
	/* The Confidential VM's own attestation (the oneof tee_attestation:
	 * 8 sev_snp_attestation, 9 tdx_attestation), seen but not verified;
	 * 0 when absent. */
	unsigned tee_field;
};

/*
 * Parses BUF (LEN bytes) as an Attestation into *OUT. False with WHY
 * (field path, byte offset and the rule broken) on a truncated varint or
 * field, a length past the end, a field number 0, a group or unknown
 * wire type, a singular field given twice, more than GCP_MAX_QUOTES
 * quotes or GCP_MAX_INTERMEDIATES intermediates, a PCR index above 23,
 * a PCR value not of its bank's digest size, a PCR given twice, an
 * unknown PCR bank, or a missing ak_pub or quote.
 */
bool gcp_attestation_parse(const uint8_t *buf, size_t len,
                           struct gcp_attestation *out, char *why,
                           size_t whylen);

/* True when BUF starts as an Attestation does (field 1 holding a
 * TPMT_PUBLIC of an RSA or ECC key, then field 2). Cheap, no allocation. */
bool gcp_attestation_detect(const uint8_t *buf, size_t len);

/* TPMA_OBJECT bits (TPM 2.0 Part 2, §8.3.2). */
#define TPMA_OBJECT_FIXEDTPM   0x00000002u
#define TPMA_OBJECT_RESTRICTED 0x00010000u
#define TPMA_OBJECT_SIGN       0x00040000u

/*
 * The public key of TPMT_PUBLIC BUF (TPM 2.0 Part 2, §12.2.4: RSA
 * TPMS_RSA_PARMS §12.2.3.5 with a 2048..8192-bit modulus, or ECC
 * TPMS_ECC_PARMS §12.2.3.6 on NIST P-256 / P-384), its objectAttributes
 * in *ATTRS and its Name (nameAlg || H(BUF), §16) in NAME (*NAME_LEN,
 * TPM_MAX_HA bytes room). NULL with WHY when malformed (truncated,
 * trailing bytes, another type or curve). The caller frees the key.
 */
EVP_PKEY *gcp_tpmt_public_key(const uint8_t *buf, size_t len, uint32_t *attrs,
                              uint8_t *name, size_t *name_len, char *why,
                              size_t whylen);

#endif
