#ifndef TP_RATLS_CERT_H
#define TP_RATLS_CERT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/errors.h"

/*
 * RA-TLS certificates: an X.509 certificate whose extension carries the
 * TEE evidence of the key in its SubjectPublicKeyInfo. Two forms:
 *
 *  - Interoperable RA-TLS (CCC-Attestation/interoperable-ra-tls, "X.509
 *    Cert and Evidence Formats" and "SGX/TDX Evidence Tags and Formats";
 *    Gramine >= 1.6, Intel SGX SDK, rats-tls): extension
 *    tcg-dice-conceptual-message-wrapper (2.23.133.5.4.9) whose value is
 *    the CBOR item 60000([bstr quote, bstr claims-buffer]); claims-buffer
 *    is a CBOR map of text keys to byte strings with "pubkey-hash"
 *    (CBOR [hash-alg-id, bstr hash of the certificate's SPKI DER]; ids
 *    1 sha-256, 7 sha-384, 8 sha-512) and optionally "nonce"; the quote's
 *    REPORTDATA[0:32] is SHA-256(claims-buffer). Tags 60001/60002 (local
 *    reports) cannot be verified remotely.
 *  - Gramine's legacy form: extension 1.2.840.113741.1337.6 whose value
 *    is the raw SGX quote, REPORTDATA[0:32] = SHA-256(SPKI DER) (Gramine,
 *    tools/sgx/ra-tls/ra_tls_verify_common.c,
 *    cmp_crt_pk_against_quote_report_data: SHA-256 over
 *    mbedtls_pk_write_pubkey_der, i.e. the SubjectPublicKeyInfo).
 *    Gramine writes this OID's DER encoding (06 09 2A…) as the OID's
 *    content (its verifier searches the extensions for those bytes), so
 *    it is matched in both encodings.
 */
enum ratls_form {
	RATLS_FORM_DICE = 1,   /* 2.23.133.5.4.9, CBOR tag 60000 */
	RATLS_FORM_LEGACY = 2, /* 1.2.840.113741.1337.6, raw quote */
};

/* Largest extension value accepted: a quote with its PCK chain is ~5 KB. */
#define RATLS_MAX_EXT (64 * 1024)

struct ratls_cert {
	X509 *x509;
	uint8_t *spki; /* DER SubjectPublicKeyInfo (malloc'd) */
	size_t spki_len;
	enum ratls_form form;
	const uint8_t *quote; /* borrowed from x509's extension */
	size_t quote_len;
	/* DICE form only: */
	const uint8_t *claims; /* the claims-buffer bytes */
	size_t claims_len;
	int hash_alg; /* pubkey-hash algorithm id: 1, 7 or 8 */
	const uint8_t *pubkey_hash;
	size_t pubkey_hash_len;
	const uint8_t *nonce; /* or NULL */
	size_t nonce_len;
};

/*
 * Parses BUF (LEN bytes): one certificate, DER (the whole buffer) or PEM
 * (one CERTIFICATE block, nothing after it but white space), and its
 * RA-TLS extension into *C (the interoperable form when both are
 * present). Returns TP_ERR_none, or with WHY: ratls_cert_malformed,
 * ratls_extension_missing, ratls_extension_malformed (CBOR, lengths,
 * duplicate extension or claim, a missing or wrong-sized pubkey-hash),
 * ratls_evidence_unsupported (a local-report tag, an unknown tag or hash
 * algorithm). Free *C with ratls_cert_free (also after a failure).
 */
enum tp_err ratls_cert_parse(const uint8_t *buf, size_t len,
                             struct ratls_cert *c, char *why, size_t whylen);

/* NULL-safe; leaves *C zeroed. */
void ratls_cert_free(struct ratls_cert *c);

/* True when BUF looks like a certificate with an RA-TLS extension's OID
 * (PEM header, or DER holding one of the OIDs): detection only. */
bool ratls_cert_detect(const uint8_t *buf, size_t len);

#endif
