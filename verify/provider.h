#ifndef TP_PROVIDER_H
#define TP_PROVIDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The evidence formats of API.md ("provider" names). */
enum tp_provider {
	TP_PROVIDER_NONE = 0,
	TP_PROVIDER_INTEL_SGX,
	TP_PROVIDER_INTEL_TDX,
	TP_PROVIDER_AMD_SEV_SNP,
	TP_PROVIDER_AWS_NITRO,
	TP_PROVIDER_NVIDIA_GPU,
	TP_PROVIDER_ARM_PSA,
	TP_PROVIDER_ARM_CCA,
	TP_PROVIDER_MOCK,
	TP_PROVIDER_TPM,
	TP_PROVIDER_AZURE_SNP_VTPM, /* Azure SEV-SNP CVM: HCL report + vTPM */
	TP_PROVIDER_GCP_VTPM,       /* Google Compute Engine vTPM */
	TP_PROVIDER_AZURE_TDX_VTPM, /* Azure TDX CVM: HCL report + TD quote */
	TP_PROVIDER_RA_TLS,         /* X.509 certificate carrying a quote */
	TP_PROVIDER__COUNT
};

/* Canonical output name ("IntelTdx"); "" for TP_PROVIDER_NONE. */
const char *provider_name(enum tp_provider p);

/*
 * Parses a provider name as accepted on input: the canonical names and
 * spellings such as "intel-tdx", "intel_tdx", "tdx", "sev-snp", "nitro"
 * (case-insensitive). Returns false for anything else.
 */
bool provider_parse(const char *s, enum tp_provider *out);

struct verdict;
struct verify_request;
struct artifact_needs;

/*
 * One evidence format, verified in up to two phases.
 *
 * detect() looks at the bytes only (cheap, no allocation).
 *
 * needs() (optional) is the first phase: it parses the evidence once,
 * verifies what can be verified without collateral (DCAP: the PCK chain's
 * signatures up to the pinned Intel root) and lists in NEEDS the
 * artifacts the second phase will want (kind + key), so that a loader
 * fetches only for evidence whose own chain already verified. It records
 * nothing in the verdict unless the evidence cannot be verified at all
 * (then it returns NULL with the failure recorded); otherwise it returns
 * the parsed evidence, freed with parsed_free().
 *
 * verify_parsed() is the second phase, given what needs() returned and
 * the artifacts in req->artifacts; formats without a first phase have
 * verify() instead, which parses and verifies in one go. Either fills the
 * verdict: checks, errors, claims, binding fields, tcb_status, collateral
 * hashes, expiry, and must never leave the verdict valid unless every
 * check it knows of ran and passed.
 */
struct provider_ops {
	enum tp_provider id;
	bool (*detect)(const uint8_t *buf, size_t len);
	void (*verify)(const struct verify_request *req, struct verdict *v);
	void *(*needs)(const struct verify_request *req, struct verdict *v,
	               struct artifact_needs *needs);
	void (*verify_parsed)(const struct verify_request *req, void *parsed,
	                      struct verdict *v);
	void (*parsed_free)(void *parsed);
};

/* The ops of P; NULL when the format has no verifier yet. */
const struct provider_ops *provider_ops_get(enum tp_provider p);

/* Guesses the format from the bytes; TP_PROVIDER_NONE when unknown. */
enum tp_provider provider_detect(const uint8_t *buf, size_t len);

/*
 * Each format's module defines its ops; a module that is not implemented
 * yet defines none (see verify/provider.c).
 */
extern const struct provider_ops provider_mock;
extern const struct provider_ops provider_intel_sgx;
extern const struct provider_ops provider_intel_tdx;
extern const struct provider_ops provider_amd_sev_snp;
extern const struct provider_ops provider_aws_nitro;
extern const struct provider_ops provider_nvidia_gpu;
extern const struct provider_ops provider_arm_psa;
extern const struct provider_ops provider_arm_cca;
extern const struct provider_ops provider_tpm;
extern const struct provider_ops provider_azure_snp_vtpm;
extern const struct provider_ops provider_gcp_vtpm;
extern const struct provider_ops provider_azure_tdx_vtpm;
extern const struct provider_ops provider_ra_tls;

#endif
