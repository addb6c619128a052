#ifndef TP_SNP_REPORT_H
#define TP_SNP_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * SEV-SNP ATTESTATION_REPORT (AMD SEV Secure Nested Paging Firmware ABI
 * Specification, pub. 56860, "ATTESTATION_REPORT Structure", Table 23 in
 * rev. 1.57). Little-endian, 0x4A0 bytes:
 *
 *  0x000  4  VERSION (2, 3 or 5 accepted)
 *  0x004  4  GUEST_SVN
 *  0x008  8  POLICY (guest policy, "GUEST_POLICY Structure")
 *  0x010 16  FAMILY_ID
 *  0x020 16  IMAGE_ID
 *  0x030  4  VMPL
 *  0x034  4  SIGNATURE_ALGO (1 = ECDSA P-384 with SHA-384)
 *  0x038  8  CURRENT_TCB (TCB_VERSION)
 *  0x040  8  PLATFORM_INFO
 *  0x048  4  bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY
 *            (0 VCEK, 1 VLEK, 7 none)
 *  0x04C  4  reserved
 *  0x050 64  REPORT_DATA
 *  0x090 48  MEASUREMENT
 *  0x0C0 32  HOST_DATA
 *  0x0E0 48  ID_KEY_DIGEST
 *  0x110 48  AUTHOR_KEY_DIGEST
 *  0x140 32  REPORT_ID
 *  0x160 32  REPORT_ID_MA
 *  0x180  8  REPORTED_TCB
 *  0x188  1  CPUID_FAM_ID (v3+; reserved in v2)
 *  0x189  1  CPUID_MOD_ID (v3+)
 *  0x18A  1  CPUID_STEP (v3+)
 *  0x18B 21  reserved
 *  0x1A0 64  CHIP_ID
 *  0x1E0  8  COMMITTED_TCB
 *  0x1E8  4  CURRENT_BUILD, CURRENT_MINOR, CURRENT_MAJOR, reserved
 *  0x1EC  4  COMMITTED_BUILD, COMMITTED_MINOR, COMMITTED_MAJOR, reserved
 *  0x1F0  8  LAUNCH_TCB
 *  0x1F8  8  LAUNCH_MIT_VECTOR (v5; reserved before)
 *  0x200  8  CURRENT_MIT_VECTOR (v5; reserved before)
 *  0x208 152 reserved
 *  0x2A0 512 SIGNATURE ("ECDSA P-384 with SHA-384 Signature"): R (72 bytes,
 *            little-endian, zero-extended), S (72 bytes, idem), 368
 *            reserved bytes. The signature covers bytes 0x000..0x29F.
 */
#define SNP_REPORT_LEN                 0x4A0
#define SNP_REPORT_SIGNED_LEN          0x2A0
#define SNP_SIG_COMPONENT_LEN          72
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1

#define SNP_SIGNING_KEY_VCEK 0
#define SNP_SIGNING_KEY_VLEK 1
#define SNP_SIGNING_KEY_NONE 7

/* GUEST_POLICY bits (ABI spec, "GUEST_POLICY Structure"). */
#define SNP_POLICY_SMT               (1ULL << 16)
#define SNP_POLICY_RESERVED_ONE      (1ULL << 17) /* must be 1 */
#define SNP_POLICY_MIGRATE_MA        (1ULL << 18)
#define SNP_POLICY_DEBUG             (1ULL << 19)
#define SNP_POLICY_SINGLE_SOCKET     (1ULL << 20)
#define SNP_POLICY_CXL_ALLOW         (1ULL << 21)
#define SNP_POLICY_MEM_AES_256_XTS   (1ULL << 22)
#define SNP_POLICY_RAPL_DIS          (1ULL << 23)
#define SNP_POLICY_CIPHERTEXT_HIDING (1ULL << 24)
#define SNP_POLICY_PAGE_SWAP_DISABLE (1ULL << 25)

/* Processor generations with an AMD root key (ARK). */
enum snp_product {
	SNP_PRODUCT_UNKNOWN = 0,
	SNP_PRODUCT_MILAN,
	SNP_PRODUCT_GENOA,
	SNP_PRODUCT_TURIN,
};

/*
 * TCB_VERSION decoded (ABI spec, "TCB_VERSION Structure"). Milan and
 * Genoa: bits 7:0 BOOT_LOADER, 15:8 TEE, 55:48 SNP, 63:56 MICROCODE.
 * Turin: bits 7:0 FMC, 15:8 BOOT_LOADER, 23:16 TEE, 31:24 SNP,
 * 63:56 MICROCODE.
 */
struct snp_tcb {
	uint64_t raw;
	uint8_t bl, tee, snp, microcode, fmc;
	bool has_fmc;
};

struct snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t signature_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t flags; /* 0x048 */
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t cpuid_fam, cpuid_mod, cpuid_step; /* v3+ */
	uint8_t chip_id[64];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	uint64_t launch_mit_vector, current_mit_vector; /* v5 */
	uint8_t sig_r[SNP_SIG_COMPONENT_LEN]; /* little-endian as stored */
	uint8_t sig_s[SNP_SIG_COMPONENT_LEN];
};

/*
 * Parses the 0x4A0-byte report at the start of BUF (LEN >= 0x4A0 bytes).
 * Bytes after it (an extended report's certificate table) are left to
 * the caller. Returns false with the
 * failing field and rule in WHY for a short buffer, an unknown version,
 * an unknown signature algorithm, a bad VMPL or a non-zero reserved
 * signature area.
 */
bool snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *rep,
                      char *why, size_t whylen);

/* Signing key of the report: SNP_SIGNING_KEY_*. */
unsigned snp_report_signing_key(const struct snp_report *rep);

/* Product from the v3+ CPUID fields; SNP_PRODUCT_UNKNOWN for v2 reports
 * or a family/model teepass has no ARK for. */
enum snp_product snp_report_product(const struct snp_report *rep);

/* "Milan", "Genoa", "Turin" ("" for unknown). */
const char *snp_product_name(enum snp_product p);

/* Decodes RAW for PRODUCT's TCB_VERSION layout. */
void snp_tcb_decode(uint64_t raw, enum snp_product p, struct snp_tcb *out);

/*
 * The key of an ARTIFACT_AMD_VCEK (docs/collateral.md), the same for every
 * loader: "<Product>/<hwid>/<bl>.<tee>.<snp>.<ucode>[.<fmc>]", HWID the
 * lower-case hex of CHIP_ID (of its first 8 bytes on Turin) and the TCB
 * REPORTED_TCB decoded for P. False when it does not fit OUT (N bytes).
 */
bool snp_vcek_key(enum snp_product p, const char *hwid, uint64_t reported_tcb,
                  char *out, size_t n);

/* The VCEK key REP names for product P (snp_vcek_key of its CHIP_ID). */
bool snp_report_vcek_key(const struct snp_report *rep, enum snp_product p,
                         char *out, size_t n);

/* {"bl", "tee", "snp", "microcode", ["fmc"], "raw": 16 hex}. New ref. */
json_t *snp_tcb_json(const struct snp_tcb *t);

/* The guest policy decoded, with "raw". New reference. */
json_t *snp_policy_bits_json(uint64_t policy);

/* PLATFORM_INFO decoded, with "raw". New reference. */
json_t *snp_platform_info_json(uint64_t info);

#endif
