#ifndef TP_SNP_CERT_H
#define TP_SNP_CERT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/errors.h"
#include "verify/amd/snp_report.h"

/*
 * AMD's pinned roots and the intermediates shipped beside them
 * (config/trust/ask_ark_*.pem: ASK then ARK; asvk_ark_*_vlek.pem: ASVK
 * then the same ARK). Loaded once; everything borrowed.
 */
struct snp_roots {
	X509 *ark;
	X509 *ask;  /* signs VCEKs */
	X509 *asvk; /* signs VLEKs */
	uint8_t ark_sha256[32], ask_sha256[32], asvk_sha256[32];
};

/*
 * The roots of product P: the ARK only if its DER SHA-256 equals the pin
 * compiled in here, the ASK/ASVK only if they verify under it. NULL for
 * an unknown product or when the embedded files fail those checks.
 */
const struct snp_roots *snp_roots_get(enum snp_product p);

/* VCEK/VLEK extensions (AMD "Versioned Chip Endorsement Key (VCEK)
 * Certificate and KDS Interface Specification", pub. 57230, Table 8). */
struct snp_ek_info {
	bool is_vlek;             /* issuer is an ASVK (SEV-VLEK-*) */
	enum snp_product product; /* from the issuer CN */
	char product_name[32];    /* 1.3.6.1.4.1.3704.1.2, e.g. "Milan-B0" */
	int bl, tee, snp, microcode, fmc; /* .3.1 .3.2 .3.3 .3.8 .3.9; -1 */
	uint8_t hwid[64];                 /* 1.3.6.1.4.1.3704.1.4 */
	size_t hwid_len;                  /* 0 when absent (VLEK) */
	char csp_id[64];                  /* .5 (VLEK), "" when absent */
};

/*
 * Reads the issuer product and the AMD extensions of the VCEK/VLEK X.
 * Returns false with the offending extension and rule in WHY.
 */
bool snp_ek_info_parse(X509 *x, struct snp_ek_info *out, char *why,
                       size_t whylen);

/*
 * One checked link: CHILD's issuer name is ISSUER's subject, ISSUER is a
 * CA allowed to sign certificates, CHILD is signed RSASSA-PSS/SHA-384
 * by ISSUER's key. Time is not checked here. Returns false with WHY.
 */
bool snp_link_verify(X509 *child, X509 *issuer, char *why, size_t whylen);

/* notBefore/notAfter of X as Unix seconds; false when unreadable. */
bool snp_cert_window(const X509 *x, int64_t *not_before, int64_t *not_after);

/*
 * A VCEK/VLEK whose chain to the pinned ARK was verified: what a report
 * verification needs, kept in a cache keyed by SHA-256 of the leaf and
 * intermediate. Valid for reuse only inside [valid_from, valid_until].
 */
struct snp_ek {
	EVP_PKEY *pub; /* owned reference */
	struct snp_ek_info info;
	int64_t valid_from, valid_until; /* intersection over the chain */
	int64_t leaf_not_after;
	uint8_t leaf_sha256[32], inter_sha256[32], ark_sha256[32];
};

/* Releases what E owns; NULL-safe. */
void snp_ek_clear(struct snp_ek *e);

/*
 * Cache of verified chains (thread-safe), keyed per chip (the leaf's and
 * supplied chain's bytes, the product and key kind): a bounded LRU of
 * SNP_CACHE_CHIPS_DEFAULT entries. snp_cache_get
 * copies the entry for KEY into OUT (with its own key reference) when
 * one exists and AT lies inside its validity window. snp_cache_put
 * stores a copy of E. The pinned ARK/ASK are not entries: no number of
 * chips evicts them.
 */
#define SNP_CACHE_CHIPS_DEFAULT 16384
bool snp_cache_get(const uint8_t key[32], int64_t at, struct snp_ek *out);
void snp_cache_put(const uint8_t key[32], const struct snp_ek *e);
/* New maximum (0: cache nothing); empties; what it holds and did. */
void snp_cache_configure(size_t chips);
void snp_cache_clear(void);
struct lru_stats;
void snp_cache_stats(struct lru_stats *out);

/*
 * ECDSA P-384 / SHA-384 over MSG with big-endian R and S (48 bytes each).
 * Same result as ecdsa_verify_raw; SHA-384 is fetched once per process
 * rather than per call (about 5% of a report's cost). True only when the
 * signature verifies.
 */
bool snp_ecdsa_p384_verify(EVP_PKEY *pub, const uint8_t *msg, size_t len,
                           const uint8_t r[48], const uint8_t s[48]);

#endif
