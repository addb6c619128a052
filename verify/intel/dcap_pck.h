#ifndef TP_DCAP_PCK_H
#define TP_DCAP_PCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "verify/core/verdict.h"

/*
 * The SGX extensions of a PCK certificate (Intel SGX PCK Certificate and
 * CRL Profile, 1.3.5 "Intel SGX Extensions", OID 1.2.840.113741.1.13.1).
 */
struct dcap_pck_ext {
	uint8_t ppid[16];
	uint8_t cpusvn[16];   /* .2.18, as an octet string */
	uint8_t comp_svn[16]; /* .2.1 .. .2.16 */
	uint16_t pcesvn;      /* .2.17 */
	uint8_t pceid[2];     /* .3 */
	uint8_t fmspc[6];     /* .4 */
	int sgx_type;         /* .5: 0 Standard, 1 Scalable, 2 Scalable+ */
};

/*
 * Reads the SGX extensions of CERT. Returns false with WHY naming the
 * missing or malformed item.
 */
bool dcap_pck_ext_parse(X509 *cert, struct dcap_pck_ext *ext, char *why,
                        size_t whylen);

/* The same from the DER of the extension's value (exposed for tests). */
bool dcap_pck_ext_parse_der(const uint8_t *der, size_t len,
                            struct dcap_pck_ext *ext, char *why, size_t whylen);

/* Intel's PCK chain: PCK certificate, its CA and optionally the root. A
 * longer one is refused before any certificate is parsed. */
#define DCAP_PCK_CHAIN_MAX 3

/*
 * Verifies the PEM PCK chain of a quote's certification data (PCK leaf,
 * the CA that issued it, optionally a copy of ROOT) up to ROOT as of NOW,
 * X509_STRICT, with revocation checks through PCK_CRL and ROOT_CRL when
 * both are given (the caller has verified their signatures and windows).
 * Records the checks "pck_chain" and "pck_extensions" in V and sets
 * v->certificate_chain_valid. On success fills EXT, *PUB (the leaf key;
 * caller frees), *FROM and *UNTIL (latest notBefore and earliest
 * notAfter of leaf and CA).
 */
bool dcap_pck_chain_verify(const uint8_t *pem, size_t len, X509 *root,
                           X509_CRL *pck_crl, X509_CRL *root_crl, int64_t now,
                           struct verdict *v, struct dcap_pck_ext *ext,
                           EVP_PKEY **pub, int64_t *from, int64_t *until);

/*
 * The same, for the second phase. PARSED (borrowed; NULL: parse PEM and
 * verify everything) holds the certificates dcap_pck_chain_precheck
 * verified at NOW: their signatures are not verified again, only their
 * revocation (x509_crl_check). SIGNER (or NULL) is the certificate the
 * caller verified PCK_CRL's signature with, having verified ROOT_CRL's
 * with ROOT: those signatures are not verified again either.
 */
bool dcap_pck_chain_verify_parsed(const uint8_t *pem, size_t len,
                                  STACK_OF(X509) * parsed, X509 *root,
                                  X509_CRL *pck_crl, X509_CRL *root_crl,
                                  X509 *signer, int64_t now, struct verdict *v,
                                  struct dcap_pck_ext *ext, EVP_PKEY **pub,
                                  int64_t *from, int64_t *until);

/* The CA that issued a PCK certificate (the PCK CRL to ask for). */
enum dcap_pck_ca { DCAP_PCK_CA_PLATFORM = 0, DCAP_PCK_CA_PROCESSOR };

/*
 * A certificate issued by ROOT, as the PEM text (LEN bytes) of itself
 * optionally followed by a copy of ROOT (an Intel issuer chain: PCK CA,
 * TCB Signing), verified under ROOT at NOW (X509_STRICT, one signature)
 * without CRLs; from the shared cache when the same text verified before
 * within the validity of certificate and root. Returns a new reference
 * (X509_free it), NULL when the text is not such a chain or does not
 * verify (the caller's full chain check then names why).
 */
X509 *dcap_root_issued_verified(const uint8_t *pem, size_t len, X509 *root,
                                int64_t now);

/*
 * The first phase's check of a quote's PCK chain (PEM, LEN bytes): the
 * structure dcap_pck_chain_verify requires and every signature up to
 * ROOT at NOW, without CRLs (they are what this check lets the caller
 * fetch). Records nothing: on any failure it returns false and the
 * second phase's dcap_pck_chain_verify names the problem. On success
 * fills EXT, *CA and the validity window [*FROM, *UNTIL] of leaf and CA,
 * and, when CHAIN is not NULL, hands the parsed certificates over in
 * *CHAIN (free with sk_X509_pop_free) for the second phase.
 */
bool dcap_pck_chain_precheck(const uint8_t *pem, size_t len, X509 *root,
                             int64_t now, struct dcap_pck_ext *ext,
                             enum dcap_pck_ca *ca, int64_t *from,
                             int64_t *until, STACK_OF(X509) * *chain);

#endif
