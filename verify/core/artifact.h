#ifndef TP_ARTIFACT_H
#define TP_ARTIFACT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The typed collateral boundary (STYLE.md, "Collateral"). A verifier
 * never reads a file, a JSON member or a cache: loaders (the request's
 * "collateral" member, a --collateral file or directory, the PostgreSQL
 * cache, the vendor fetch; load/ and collateral/resolve.c)
 * fill one artifact set with the exact bytes the vendor served, and the
 * verifier checks them once.
 */

/*
 * Artifact kinds. The names (artifact_kind_name) are stored in the
 * collateral cache and used as directory names by `teepass collateral
 * export`: never rename one. The body of each kind is the vendor's wire
 * format:
 */
enum artifact_kind {
	ARTIFACT_INTEL_TCB_INFO = 0, /* key "sgx|tdx/<fmspc>": the PCS body
	                              * {"tcbInfo": …, "signature": "…"};
	                              * chain: TCB-Info-Issuer-Chain (PEM) */
	ARTIFACT_INTEL_QE_IDENTITY,  /* key "sgx|tdx": {"enclaveIdentity": …,
	                              * "signature": "…"}; chain (PEM) */
	ARTIFACT_INTEL_PCK_CRL,      /* key "platform|processor": DER (or
	                              * PEM); chain: SGX-PCK-CRL-Issuer-Chain */
	ARTIFACT_INTEL_ROOT_CA_CRL,  /* key "root": DER (or PEM) */
	ARTIFACT_AMD_VCEK,           /* key "<Product>/<hwid>/<tcb>": DER */
	ARTIFACT_NVIDIA_NRAS_JWKS,   /* key "nras": the JWKS JSON text */
	ARTIFACT_AMD_CERT_CHAIN,     /* key "<Product>": KDS cert_chain (PEM
	                              * ASK then ARK) */
	ARTIFACT_AMD_CRL,            /* key "<Product>": KDS crl (DER) */
	/* Kinds that come only from a request or a directory: */
	ARTIFACT_AMD_VLEK,            /* DER, or PEM */
	ARTIFACT_NVIDIA_DEVICE_CHAIN, /* the GPU's device chain (PEM) */
	ARTIFACT_NVIDIA_RIM,          /* a RIM (SWID XML); one per RIM */
	ARTIFACT_NVIDIA_OCSP,         /* key "<serial hex>": DER OCSP response
	                               * for a device-chain certificate */
	ARTIFACT_NVIDIA_RIM_OCSP,     /* key "<serial hex>": DER OCSP response
	                               * for a RIM-chain certificate */
	ARTIFACT_ARM_KEY,             /* a PSA IAK / CCA CPAK: the PEM text
	                               * of an EC public key (load/arm.c).
	                               * Keys: "iak", "cpak" (the request's
	                               * member); "iak/<id>", "cpak/<id>" (an
	                               * entry of the request's store, <id>
	                               * the instance id in lower-case hex;
	                               * an empty store is "iak/" with body
	                               * "{}"); "iak_pub.pem", "cpak_pub.pem"
	                               * (files of a directory); "" (a
	                               * single key file, or DIR/arm_key/:
	                               * either format). Source "directory"
	                               * or "file": provisioned by the
	                               * operator; "request": it vouches for
	                               * nothing. A member that is not a
	                               * non-empty string is kept as its
	                               * JSON text, ARTIFACT_RESERIALIZED,
	                               * and refused as no PEM key; a path
	                               * that yields no key is noted as
	                               * malformed with PSA_KEY_NOTE_DIR /
	                               * _FILE (verify/arm/psa_claims.h),
	                               * which the verifier reports as a
	                               * missing key */
	ARTIFACT_TPM_AK,              /* a TPM attestation key: a PEM or DER
	                               * public key (load/tpm.c). Keys:
	                               * "tpm_ak" (the request's member),
	                               * "tpm_ak.pem" (a directory's file),
	                               * "" (a single key file, or
	                               * DIR/tpm_ak/). Source "directory" or
	                               * "file": provisioned by the operator;
	                               * "request": it vouches for nothing */
	ARTIFACT_KIND__COUNT
};

/* "intel_tcb_info", …; NULL when out of range. */
const char *artifact_kind_name(enum artifact_kind k);
/* Parses a kind name; false for anything else. */
bool artifact_kind_parse(const char *s, enum artifact_kind *out);

/* Artifact flags. */
#define ARTIFACT_RESERIALIZED                                                  \
	0x1u /* rebuilt from a JSON object by a
                                    * loader: the bytes may differ from
                                    * what the vendor signed */

/* One artifact. Every buffer is owned by the set. */
struct artifact {
	enum artifact_kind kind;
	char key[160]; /* "" when the loader could not name it */
	uint8_t *body; /* NUL-terminated beyond body_len */
	size_t body_len;
	char *chain; /* issuer chain (PEM) or NULL */
	size_t chain_len;
	char source[32]; /* "request", "directory", "file", "cache",
	                        * "intel_pcs", "amd_kds", "import", … */
	unsigned flags;
};

#define ARTIFACT_SET_MAX 64

/*
 * The artifacts one verification may use. A loader that meets a member
 * it cannot read records it once (malformed, why): the verifier of the
 * family then fails with collateral_malformed naming it, rather than
 * reporting the item as missing.
 */
struct artifact_set {
	struct artifact items[ARTIFACT_SET_MAX];
	size_t n;
	bool malformed;
	enum artifact_kind malformed_kind;
	char why[200];
};

/* An empty set. */
void artifact_set_init(struct artifact_set *s);
/* Frees every artifact; the set is empty again. NULL-safe. */
void artifact_set_clear(struct artifact_set *s);

/*
 * Adds a copy of BODY (LEN bytes) and CHAIN (CHAINLEN bytes, or NULL) as
 * KIND with KEY (NULL: "") from SOURCE. An artifact of the same kind and
 * the same non-empty key already present is kept (the first loader
 * wins: the request over the directory over the cache). False when the
 * set is full, LEN is 0 or memory runs out.
 */
bool artifact_set_add(struct artifact_set *s, enum artifact_kind kind,
                      const char *key, const void *body, size_t len,
                      const char *chain, size_t chainlen, const char *source,
                      unsigned flags);

/* Records the first malformed item (printf-style WHY). */
void artifact_set_malformed(struct artifact_set *s, enum artifact_kind kind,
                            const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * The first artifact of KIND whose key is KEY (NULL: any key); NULL when
 * there is none. Borrowed from the set.
 */
const struct artifact *artifact_set_find(const struct artifact_set *s,
                                         enum artifact_kind kind,
                                         const char *key);

/* How many artifacts of KIND the set holds. */
size_t artifact_set_count(const struct artifact_set *s,
                          enum artifact_kind kind);

/* The I-th artifact of KIND (0-based), or NULL. */
const struct artifact *artifact_set_nth(const struct artifact_set *s,
                                        enum artifact_kind kind, size_t i);

/* True when the set holds any artifact of a kind in KINDS (N kinds). */
bool artifact_set_has_any(const struct artifact_set *s,
                          const enum artifact_kind *kinds, size_t n);

/*
 * What a provider's first phase says the evidence needs (kind + key),
 * for the collateral service to obtain. Optional needs (AMD cert_chain
 * and CRL) may be left unmet; alternatives (an SNP v2 report names no
 * product: Milan, Genoa or Turin) share a group number, and the first
 * one that can be had is enough.
 */
struct artifact_need {
	enum artifact_kind kind;
	char key[160];
	bool optional;
	int group; /* 0: none; needs with the same group are alternatives */
};

#define ARTIFACT_MAX_NEEDS 8

struct artifact_needs {
	struct artifact_need items[ARTIFACT_MAX_NEEDS];
	size_t n;
};

/* Appends a need; false when the list is full. */
bool artifact_needs_add(struct artifact_needs *n, enum artifact_kind kind,
                        const char *key, bool optional, int group);

#endif
