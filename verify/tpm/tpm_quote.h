#ifndef TP_TPM_QUOTE_H
#define TP_TPM_QUOTE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/errors.h"

/*
 * TPM 2.0 quotes: the TPMS_ATTEST structure a TPM2_Quote returns, its
 * signature by an attestation key (AK), and the PCR values it commits
 * to. Pure and bounded: no I/O, every length checked before use. All
 * integers are big-endian (TPM 2.0 Library, Part 1, §9.2 / Part 2 §5).
 */

/* TPM 2.0 Part 2, §6.2: TPM_GENERATED_VALUE; §6.9 TPM_ST_ATTEST_QUOTE. */
#define TPM_GENERATED_VALUE 0xff544347u
#define TPM_ST_ATTEST_QUOTE 0x8018u

/* TPM 2.0 Part 2, §6.3 (TPM_ALG_ID): the algorithms this module knows. */
#define TPM_ALG_SHA1   0x0004u
#define TPM_ALG_SHA256 0x000bu
#define TPM_ALG_SHA384 0x000cu
#define TPM_ALG_SHA512 0x000du
#define TPM_ALG_NULL   0x0010u
#define TPM_ALG_RSASSA 0x0014u
#define TPM_ALG_RSAPSS 0x0016u
#define TPM_ALG_ECDSA  0x0018u

#define TPM_PCR_COUNT  24 /* PC Client: PCR 0..23 */
#define TPM_MAX_BANKS  8  /* TPML_PCR_SELECTION entries accepted */
#define TPM_MAX_SELECT 4  /* sizeofSelect: PCR_SELECT_MAX for 32 PCRs */
#define TPM_MAX_DIGEST 64 /* SHA-512 */
#define TPM_MAX_HA     (2 + TPM_MAX_DIGEST) /* sizeof(TPMT_HA) */
#define TPM_MAX_ATTEST 2048                 /* a quote is ~100..300 bytes */

/* TPMS_PCR_SELECTION (Part 2, §10.6.2). */
struct tpm_pcr_selection {
	uint16_t hash;
	uint8_t size; /* sizeofSelect, 0..TPM_MAX_SELECT */
	uint8_t select[TPM_MAX_SELECT];
};

/*
 * A parsed TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE (Part 2, §10.12.12,
 * with TPMS_CLOCK_INFO §10.11.1 and TPMS_QUOTE_INFO §10.12.4).
 */
struct tpm_quote {
	const uint8_t *attest; /* the signed bytes, borrowed */
	size_t attest_len;
	uint8_t signer[TPM_MAX_HA]; /* qualifiedSigner (TPM2B_NAME) */
	size_t signer_len;
	uint8_t extra[TPM_MAX_HA]; /* extraData (TPM2B_DATA) */
	size_t extra_len;
	uint64_t clock; /* ms the TPM has been powered since TPM2_Clear */
	uint32_t reset_count;
	uint32_t restart_count;
	bool safe;
	uint64_t firmware_version;
	struct tpm_pcr_selection sel[TPM_MAX_BANKS];
	size_t n_sel;
	uint8_t pcr_digest[TPM_MAX_DIGEST];
	size_t pcr_digest_len;
};

/*
 * Parses BUF (LEN bytes) as a quote's TPMS_ATTEST into *Q (which borrows
 * BUF). On failure returns false and says in WHY which field failed, at
 * which byte offset and why (the code is tpm_quote_malformed): a
 * truncated field, a TPM2B larger than its type allows, a magic or type
 * that is not a quote's, a selection larger than TPM_MAX_SELECT or of
 * more than TPM_MAX_BANKS banks, trailing bytes.
 */
bool tpm_quote_parse(const uint8_t *buf, size_t len, struct tpm_quote *q,
                     char *why, size_t whylen);

/* The digest of TPM_ALG_ID ALG (SHA-1/256/384/512), or NULL. */
const EVP_MD *tpm_alg_md(uint16_t alg);
/* "sha256", …, or "unknown". */
const char *tpm_alg_name(uint16_t alg);

/*
 * A quote's signature as it came: a TPMT_SIGNATURE (Part 2, §11.3.4) or
 * a raw signature (RSA: the modulus-size bytes; ECDSA: r||s or DER).
 */
struct tpm_signature {
	bool raw;          /* no TPMT_SIGNATURE header */
	uint16_t sig_alg;  /* TPM_ALG_RSASSA / RSAPSS / ECDSA */
	uint16_t hash;     /* the scheme's hash (raw: from the pcrDigest's
	                   * size, Part 3 §18.4: the quote's digest uses the
	                   * signing scheme's hash) */
	uint8_t sig[1024]; /* RSA: the signature (modulus size) */
	size_t sig_len;
	uint8_t r[66], s[66]; /* ECDSA: left-padded to the curve's size */
	size_t rs_len;
};

/*
 * Decodes SIG (LEN bytes) for the attestation key AK: a TPMT_SIGNATURE
 * when it parses exactly as one whose scheme fits AK (RSASSA or RSAPSS
 * for an RSA key, the signature the modulus size; ECDSA for an EC key,
 * r and s at most the curve size), else a raw signature by its length
 * (RSA: the modulus size, RSASSA-PKCS1-v1_5; EC: r||s of twice the
 * curve size, or a DER ECDSA-Sig-Value), the hash then being the one
 * whose size is PCR_DIGEST_LEN. Returns TP_ERR_none, or
 * tpm_signature_unsupported (another scheme such as ECDAA, SM2, HMAC;
 * another hash) or tpm_signature_invalid (neither shape), with WHY.
 */
enum tp_err tpm_signature_decode(const uint8_t *sig, size_t len, EVP_PKEY *ak,
                                 size_t pcr_digest_len,
                                 struct tpm_signature *out, char *why,
                                 size_t whylen);

/*
 * The attestation key from BUF (LEN bytes): a DER SubjectPublicKeyInfo
 * or a PEM public key, RSA of 2048..8192 bits or EC P-256 / P-384. NULL
 * with WHY otherwise (tpm_ak_invalid). The caller frees the key.
 */
EVP_PKEY *tpm_ak_parse(const uint8_t *buf, size_t len, char *why,
                       size_t whylen);

/*
 * Where an AK comes from (ARTIFACT_TPM_AK, load/tpm.c): the request's
 * collateral member, the file of a provisioned directory, and the note a
 * collateral path that yields no AK leaves (artifact_set_malformed).
 */
#define TPM_AK_MEMBER    "tpm_ak"
#define TPM_AK_FILE      "tpm_ak.pem"
#define TPM_AK_NOTE_FILE "collateral_path: no TPM AK can be read from it"

/* The DER SPKI of KEY (*OUT malloc'd); false on failure. */
bool tpm_ak_spki(EVP_PKEY *key, uint8_t **out, size_t *outlen);

/*
 * Verifies SIG over the exact bytes Q->attest with AK: RSASSA-PKCS1-v1_5,
 * RSA-PSS (MGF1 with the same hash, any salt length, so the digest
 * length too) or ECDSA, with SIG->hash. Returns TP_ERR_none, or
 * tpm_signature_invalid with WHY.
 */
enum tp_err tpm_quote_verify_signature(const struct tpm_quote *q,
                                       const struct tpm_signature *sig,
                                       EVP_PKEY *ak, char *why, size_t whylen);

/*
 * PCR values by bank: have[b][i] says value val[b][i] (the bank's digest
 * size) was given for PCR i of bank alg[b].
 */
struct tpm_pcrs {
	uint16_t alg[TPM_MAX_BANKS];
	bool have[TPM_MAX_BANKS][TPM_PCR_COUNT];
	uint8_t val[TPM_MAX_BANKS][TPM_PCR_COUNT][TPM_MAX_DIGEST];
	size_t n;
};

/* The bank of ALG in P, or -1. */
int tpm_pcrs_bank(const struct tpm_pcrs *p, uint16_t alg);

/*
 * Recomputes the quote's pcrDigest: HASH (the signing scheme's hash) over
 * the concatenation of the selected values, banks in the order the
 * selection lists them and PCRs in ascending index within each (Part 3,
 * §18.4 TPM2_Quote; Part 1, §17.6.2). Returns TP_ERR_none, or
 * tpm_pcr_digest_mismatch with WHY (a selected PCR whose value is not
 * given or does not exist, or a digest that differs).
 */
enum tp_err tpm_quote_check_pcrs(const struct tpm_quote *q, uint16_t hash,
                                 const struct tpm_pcrs *pcrs, char *why,
                                 size_t whylen);

/* True when PCR I of bank entry SEL is selected. */
bool tpm_pcr_selected(const struct tpm_pcr_selection *sel, unsigned i);

/*
 * extraData against the expected NONCE (NONCE_LEN bytes): equal, byte
 * for byte (TPM2_Quote's qualifyingData is returned verbatim). Returns
 * TP_ERR_none or tpm_nonce_mismatch with WHY.
 */
enum tp_err tpm_quote_check_nonce(const struct tpm_quote *q,
                                  const uint8_t *nonce, size_t nonce_len,
                                  char *why, size_t whylen);

#endif
