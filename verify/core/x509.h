#ifndef TP_X509_H
#define TP_X509_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/errors.h"

/*
 * The embedded trust anchor config/trust/NAME (first certificate, PEM or
 * DER), accepted only if the SHA-256 of its DER equals PIN_HEX. Parsed
 * once per process; the returned certificate is borrowed (never free it).
 * NULL when the file is missing or the pin does not match.
 */
X509 *x509_anchor(const char *name, const char *pin_hex);

/* Every certificate of the embedded file NAME, unpinned (intermediates
 * shipped beside a pinned root). Caller frees with
 * sk_X509_pop_free(.., X509_free). */
STACK_OF(X509) * x509_trust_file_certs(const char *name);

/* One certificate from DER or PEM bytes; caller frees. NULL if neither. */
X509 *x509_parse(const uint8_t *buf, size_t len);

/* Every certificate of a PEM text, in order; NULL if none parse. */
STACK_OF(X509) * x509_parse_pem_chain(const uint8_t *buf, size_t len);

/*
 * x509_parse_pem_chain where a block whose DER equals ANCHOR's (a copy
 * of the pinned root) is ANCHOR itself, up-referenced, not parsed again.
 * The same certificates, or NULL, as x509_parse_pem_chain returns.
 */
STACK_OF(X509) * x509_parse_pem_chain_anchor(const uint8_t *buf, size_t len,
                                             X509 *anchor);

/* One CRL from DER or PEM bytes; caller frees. */
X509_CRL *x509_crl_parse(const uint8_t *buf, size_t len);

/* SHA-256 of the certificate's DER encoding. */
bool x509_sha256(X509 *cert, uint8_t out[32]);

/* notAfter as Unix seconds (INT64_MAX when unreadable). */
int64_t x509_not_after(const X509 *cert);

/*
 * Verifies LEAF up to ANCHOR (the only trusted certificate) through the
 * UNTRUSTED intermediates (may be NULL) as of AT (Unix seconds), with
 * X509_V_FLAG_X509_STRICT and, when CRLS is non-NULL, CRL checks over the
 * whole chain. On failure returns false, sets *code (certificate_expired,
 * certificate_revoked, collateral_expired for a stale CRL, otherwise
 * certificate_chain_invalid) and writes the reason and depth into WHY.
 */
bool x509_chain_verify(X509 *leaf, STACK_OF(X509) * untrusted, X509 *anchor,
                       int64_t at, STACK_OF(X509_CRL) * crls, enum tp_err *code,
                       char *why, size_t whylen);

/*
 * Verifies LEAF with ISSUER as the trust anchor (X509_V_FLAG_PARTIAL_CHAIN,
 * X509_V_FLAG_X509_STRICT) as of AT: LEAF's signature, validity and
 * extensions, and that ISSUER may issue it. ISSUER itself must already
 * be verified up to a root at AT (x509_chain_verify): nothing above it
 * is checked here. Failures as x509_chain_verify reports them.
 */
bool x509_leaf_verify(X509 *leaf, X509 *issuer, int64_t at, enum tp_err *code,
                      char *why, size_t whylen);

/* What x509_crl_check found. */
enum x509_crl_result {
	X509_CRL_GOOD,        /* CERT is not listed */
	X509_CRL_BAD,         /* *code and WHY say why */
	X509_CRL_UNSUPPORTED, /* a CRL x509_chain_verify must judge */
};

/*
 * The revocation check x509_chain_verify does for one certificate of a
 * chain whose signatures are already verified, without re-verifying
 * them: CRL must name CERT's issuer as its issuer, be within its window
 * at AT, be signed by ISSUER (checked here unless SIGNATURE_CHECKED: the
 * caller verified it with this very certificate) and not list CERT.
 * DEPTH (CERT's depth in the chain) goes into WHY as x509_chain_verify
 * writes it. A CRL with an issuing distribution point, a delta CRL
 * indicator or any critical extension (of its own or of an entry) is
 * X509_CRL_UNSUPPORTED: OpenSSL's rules for those apply, so the caller
 * runs x509_chain_verify instead.
 */
enum x509_crl_result x509_crl_check(X509 *cert, X509 *issuer, X509_CRL *crl,
                                    bool signature_checked, int64_t at,
                                    int depth, enum tp_err *code, char *why,
                                    size_t whylen);

#endif
