#ifndef TP_HCL_REPORT_H
#define TP_HCL_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/errors.h"

/*
 * Azure's HCL (paravisor) attestation report, the "IGVM attestation
 * report" the vTPM exposes at NV index 0x01400001: a 32-byte header, the
 * hardware report (SEV-SNP ATTESTATION_REPORT, 1184 bytes; or the TDX
 * TDREPORT_STRUCT, 1024 bytes, followed by zeros), a runtime-data
 * header and the variable data, a JSON document whose SHA-256 the
 * paravisor put in REPORT_DATA[0:32]. Layout as in Microsoft's
 * azure-cvm-tooling (az-cvm-vtpm/src/hcl) and its test reports; all
 * integers little-endian.
 *
 *   0x000 signature "HCLA", version, report_size, request_type, status,
 *         reserved[3]                                   (u32 each)
 *   0x020 hardware report                               (1184 bytes)
 *   0x4C0 data_size, version, report_type (2 SNP, 4 TDX), hash_type
 *         (1 SHA-256), variable_data_size               (u32 each)
 *   0x4D4 variable data                                 (variable_data_size)
 *
 * data_size is 20 + variable_data_size and report_size 0x4C0 + data_size;
 * the buffer may go on (the vTPM's is 2600 bytes) with zeros only.
 */
#define HCL_SIGNATURE       0x414c4348u /* "HCLA" */
#define HCL_HEADER_LEN      0x20
#define HCL_HW_REPORT_LEN   0x4A0
#define HCL_RUNTIME_OFF     0x4C0
#define HCL_RUNTIME_HDR_LEN 20
#define HCL_VAR_DATA_OFF    0x4D4
#define HCL_REPORT_TYPE_SNP 2
#define HCL_REPORT_TYPE_TDX 4
#define HCL_HASH_SHA256     1
#define HCL_MAX_REPORT      (64 * 1024)

struct hcl_report {
	uint32_t version;
	uint32_t report_size;
	uint32_t request_type;
	const uint8_t *hw_report; /* HCL_HW_REPORT_LEN bytes, borrowed */
	uint32_t report_type;
	uint32_t hash_type;
	const uint8_t *var_data; /* borrowed */
	size_t var_len;
};

/*
 * Parses BUF (LEN bytes) into *R (which borrows BUF). Returns
 * TP_ERR_none, or with WHY naming the field and offset:
 * azure_hcl_truncated (the buffer ends before a declared length),
 * azure_hcl_malformed (signature, inconsistent lengths, non-zero bytes
 * after the report), azure_hcl_unsupported (version other than 1..2,
 * report type other than SNP, hash type other than SHA-256).
 */
enum tp_err hcl_report_parse(const uint8_t *buf, size_t len,
                             struct hcl_report *r, char *why, size_t whylen);

/*
 * As hcl_report_parse, for a report whose report_type must be WANT
 * (HCL_REPORT_TYPE_SNP or HCL_REPORT_TYPE_TDX; for TDX the hardware-report
 * slot holds the 1024-byte TDREPORT_STRUCT followed by zeros).
 */
enum tp_err hcl_report_parse_type(const uint8_t *buf, size_t len, uint32_t want,
                                  struct hcl_report *r, char *why,
                                  size_t whylen);

/* The variable data, parsed. */
struct hcl_runtime {
	EVP_PKEY *ak;  /* HCLAkPub */
	uint8_t *spki; /* its DER SubjectPublicKeyInfo */
	size_t spki_len;
	json_t *vm_config; /* "vm-configuration" object, or NULL */
	json_t *user_data; /* "user-data" string, or NULL */
};

/*
 * Parses the variable data (a JSON object): "keys", a JWK array holding
 * an RSA key of kid "HCLAkPub" (2048..8192 bits, as tpm_ak_parse
 * accepts; *RT also gets its DER SPKI), and the optional
 * "vm-configuration" object and "user-data" string. Returns
 * TP_ERR_none, azure_hcl_malformed or tpm_ak_invalid with WHY. Free *RT
 * with hcl_runtime_free.
 */
enum tp_err hcl_runtime_parse(const uint8_t *buf, size_t len,
                              struct hcl_runtime *rt, char *why, size_t whylen);

/* NULL-safe. */
void hcl_runtime_free(struct hcl_runtime *rt);

#endif
