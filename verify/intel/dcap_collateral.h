#ifndef TP_DCAP_COLLATERAL_H
#define TP_DCAP_COLLATERAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "verify/core/artifact.h"
#include "verify/intel/dcap_cache.h"
#include "verify/core/verdict.h"

/*
 * Intel PCS collateral: TCB Info v3 (SGX and TDX), QE Identity v2, the
 * PCK and Root CA CRLs and the issuer chains (Intel SGX/TDX PCS API v4,
 * "Get TCB Info", "Get Quoting Enclave Identity", "Get PCK Cert CRL").
 */

/* TCB statuses in increasing severity (the order the verdict combines). */
enum dcap_tcb_status {
	DCAP_UP_TO_DATE = 0,
	DCAP_SW_HARDENING_NEEDED,
	DCAP_CONFIGURATION_NEEDED,
	DCAP_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	DCAP_OUT_OF_DATE,
	DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED,
	DCAP_REVOKED,
	DCAP_STATUS__COUNT
};

/* "UpToDate" ...; NULL for an out-of-range value. */
const char *dcap_status_name(enum dcap_tcb_status s);
/* Parses a tcbStatus string; false for anything unknown. */
bool dcap_status_parse(const char *s, enum dcap_tcb_status *out);

#define DCAP_MAX_LEVELS  64
#define DCAP_MAX_MODULES 8

struct dcap_tcb_level {
	uint8_t sgx[16];
	uint16_t pcesvn;
	uint8_t tdx[16];
	uint16_t isvsvn; /* QE / TDX module levels */
	enum dcap_tcb_status status;
	int64_t date;
	json_t *advisories; /* array of strings, owned */
};

struct dcap_module_identity {
	char id[16]; /* "TDX_01" */
	uint8_t mrsigner[48];
	uint8_t attributes[8], attributes_mask[8];
	struct dcap_tcb_level levels[DCAP_MAX_LEVELS];
	size_t n_levels;
};

/* tcbInfo v3 (PCS API v4, "TCB Info V3"). */
struct dcap_tcb_info {
	bool tdx; /* id "TDX" (else "SGX") */
	int version;
	int64_t issue_date, next_update;
	uint8_t fmspc[6], pceid[2];
	int tcb_type, eval_number;
	struct dcap_tcb_level levels[DCAP_MAX_LEVELS];
	size_t n_levels;
	bool has_module;
	uint8_t module_mrsigner[48];
	uint8_t module_attributes[8], module_attributes_mask[8];
	struct dcap_module_identity modules[DCAP_MAX_MODULES];
	size_t n_modules;
};

/* enclaveIdentity v2 (PCS API v4, "Enclave Identity V2"). */
struct dcap_qe_identity {
	bool td_qe; /* id "TD_QE" (else "QE") */
	int version;
	int64_t issue_date, next_update;
	int eval_number;
	uint32_t miscselect, miscselect_mask;
	uint8_t attributes[16], attributes_mask[16];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	struct dcap_tcb_level levels[DCAP_MAX_LEVELS];
	size_t n_levels;
};

/* The collateral items, in the order they are hashed and reported. */
enum dcap_item {
	DCAP_TCB_INFO = 0,
	DCAP_TCB_INFO_SIGNATURE,
	DCAP_TCB_INFO_ISSUER_CHAIN,
	DCAP_QE_IDENTITY,
	DCAP_QE_IDENTITY_SIGNATURE,
	DCAP_QE_IDENTITY_ISSUER_CHAIN,
	DCAP_PCK_CRL,
	DCAP_PCK_CRL_ISSUER_CHAIN,
	DCAP_ROOT_CA_CRL,
	DCAP_ITEM__COUNT
};

/* The item's name as in the flat collateral shape ("tcb_info"). */
const char *dcap_item_name(enum dcap_item i);

/*
 * Collateral as the verifier reads it: the exact signed JSON bytes of the
 * tcbInfo / enclaveIdentity objects, signatures as 64 raw bytes, chains
 * as PEM, CRLs as DER or PEM. Items borrow from an artifact set (which
 * must outlive RAW) or are owned (OWN).
 */
struct dcap_raw_collateral {
	const uint8_t *buf[DCAP_ITEM__COUNT];
	size_t len[DCAP_ITEM__COUNT];
	uint8_t *own[DCAP_ITEM__COUNT];      /* allocations to free */
	bool reserialized[DCAP_ITEM__COUNT]; /* rebuilt from a JSON object */
	char why[200];                       /* first malformed item */
	enum dcap_item bad_item;
	bool malformed;
};

/*
 * The Intel artifacts of SET (verify/core/artifact.h; NULL: none) as
 * items: each PCS body split into the signed bytes and the signature,
 * each issuer chain beside its document. A malformed Intel item the
 * loader recorded makes RAW malformed. Absent items stay NULL. Free with
 * dcap_raw_collateral_free. Of several artifacts of a kind (a directory
 * exported from a cache that served many platforms) the one whose key
 * WANT (phase 1's needs; NULL or empty: none) names is taken, else one
 * without a key (a request's, a sample's), else the first.
 */
void dcap_raw_collateral_from_artifacts(const struct artifact_set *set,
                                        const struct artifact_needs *want,
                                        struct dcap_raw_collateral *raw);
void dcap_raw_collateral_free(struct dcap_raw_collateral *raw);

/*
 * Verified collateral: every signature checked up to the pinned Intel SGX
 * Root CA and valid in [valid_from, valid_until). Immutable once built,
 * shared between threads through the cache (reference counted).
 */
struct dcap_collateral {
	struct dcap_cached cached;         /* first member */
	uint8_t key[32];                   /* content hash of all items */
	uint8_t *copy[DCAP_ITEM__COUNT];   /* the bytes verified, for an */
	size_t copy_len[DCAP_ITEM__COUNT]; /* exact match on lookup */
	struct dcap_tcb_info tcb;
	struct dcap_qe_identity qe;
	X509_CRL *pck_crl;
	X509_CRL *root_crl;
	X509 *pck_crl_signer; /* verified pck_crl; root_crl: the root */
	uint8_t item_sha256[DCAP_ITEM__COUNT][32];
	int64_t valid_from, valid_until;
};

/*
 * Verifies RAW at NOW, recording every check in V (collateral_missing for
 * each absent item, signature, chain, CRL and validity checks). Returns
 * the verified collateral (from the cache when the same bytes were
 * verified before and are still valid at NOW; the cached checks are
 * recorded again as passed), or NULL when anything failed. Release the
 * result with dcap_cache_release().
 */
struct dcap_collateral *
dcap_collateral_verify(const struct dcap_raw_collateral *raw, int64_t now,
                       struct verdict *v);

/* Records the item hashes and the expiry of C in V. */
void dcap_collateral_record(const struct dcap_collateral *c, struct verdict *v);

/* Parsers, exposed for tests: JSON text of tcbInfo / enclaveIdentity. */
bool dcap_tcb_info_parse(const uint8_t *buf, size_t len,
                         struct dcap_tcb_info *t, char *why, size_t whylen);
void dcap_tcb_info_clear(struct dcap_tcb_info *t);
bool dcap_qe_identity_parse(const uint8_t *buf, size_t len,
                            struct dcap_qe_identity *q, char *why,
                            size_t whylen);
void dcap_qe_identity_clear(struct dcap_qe_identity *q);

/*
 * The exact bytes of member KEY's value in the top-level JSON object TEXT
 * (what Intel signs). False when TEXT is not an object or lacks KEY.
 */
/*
 * The same for the N (at most 8) KEYS in one pass: bit k of the result is
 * set when KEYS[k] was found (its first occurrence), with OFF[k], VLEN[k].
 */
unsigned dcap_json_members_span(const char *text, size_t len,
                                const char *const *keys, size_t n, size_t *off,
                                size_t *vlen);
bool dcap_json_member_span(const char *text, size_t len, const char *key,
                           size_t *off, size_t *vlen);

/* SHA-256 of the DER of config/trust/intel_sgx_root_ca.der. */
#define DCAP_ROOT_CA_PIN                                                       \
	"44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3"

/* The Intel SGX Root CA every DCAP check anchors at (borrowed): the
 * pinned real root, or the one of dcap_root_ca_override(); NULL when the
 * pinned one is unavailable. */
X509 *dcap_root_ca(void);

/*
 * Anchors every DCAP check at ROOT instead of the pinned Intel SGX Root
 * CA: a pre-production or test PKI (config keys intel_root_ca_file and
 * intel_root_ca_sha256, docs/operations.md). PIN_HEX is ROOT's SHA-256,
 * checked by the caller. Takes ownership of ROOT (NULL: the pinned root
 * again). Called once at start, before any verification runs.
 */
void dcap_root_ca_override(X509 *root, const char *pin_hex);

/* Whether dcap_root_ca_override() replaced the pinned root. */
bool dcap_root_ca_overridden(void);

/* SHA-256 (hex) of the DER of the root dcap_root_ca() returns. */
const char *dcap_root_ca_pin(void);

#endif
