#ifndef TP_SPDM_H
#define TP_SPDM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * SPDM GET_MEASUREMENTS request followed by its MEASUREMENTS response, as
 * NVIDIA GPUs (Hopper and later) return them for confidential computing.
 *
 * DMTF DSP0274 (SPDM) 1.1.0 / 1.2.x:
 *   GET_MEASUREMENTS (10.11.1, table 38):
 *     SPDMVersion u8, RequestResponseCode u8 = 0xE0,
 *     Param1 u8 (bit 0: signature requested), Param2 u8 (operation:
 *     0 = count only, 1..0xFE = one index, 0xFF = all blocks),
 *     Nonce[32] and SlotIDParam u8 (both present only when bit 0 of
 *     Param1 is set; SlotIDParam is new in 1.1).
 *   MEASUREMENTS (10.11.2, table 40):
 *     SPDMVersion u8, RequestResponseCode u8 = 0x60, Param1 u8, Param2 u8
 *     (slot id in bits 0..3), NumberOfBlocks u8,
 *     MeasurementRecordLength u24 LE, MeasurementRecord, Nonce[32],
 *     OpaqueDataLength u16 LE (<= 1024), OpaqueData,
 *     Signature (present when requested; ECDSA P-384 raw r||s = 96 bytes
 *     with the NVIDIA GPU's negotiated TPM_ALG_ECDSA_ECC_NIST_P384).
 *   Measurement block (10.11.2.1, table 41): Index u8,
 *     MeasurementSpecification u8 (bit 0 = DMTF), MeasurementSize u16 LE,
 *     Measurement; DMTF measurement (table 42):
 *     DMTFSpecMeasurementValueType u8, DMTFSpecMeasurementValueSize u16
 *     LE, DMTFSpecMeasurementValue.
 * NVIDIA opaque data (nvtrust local_gpu_verifier, OpaqueData): a sequence
 * of TLVs, type u16 LE, length u16 LE, value.
 */

#define SPDM_NONCE_LEN            32
#define SPDM_P384_SIG_LEN         96
#define SPDM_MAX_BLOCKS           255
#define SPDM_MAX_OPAQUE           1024
#define SPDM_REQ_GET_MEASUREMENTS 0xE0
#define SPDM_RSP_MEASUREMENTS     0x60

/* NVIDIA opaque-data field ids (nvtrust OpaqueDataType). */
enum nv_opaque_id {
	NV_OPAQUE_CERT_ISSUER_NAME = 1,
	NV_OPAQUE_CERT_AUTHORITY_KEY_ID = 2,
	NV_OPAQUE_DRIVER_VERSION = 3,
	NV_OPAQUE_GPU_INFO = 4,
	NV_OPAQUE_SKU = 5,
	NV_OPAQUE_VBIOS_VERSION = 6,
	NV_OPAQUE_MANUFACTURER_ID = 7,
	NV_OPAQUE_TAMPER_DETECTION = 8,
	NV_OPAQUE_SMC = 9,
	NV_OPAQUE_VPR = 10,
	NV_OPAQUE_NVDEC0_STATUS = 11,
	NV_OPAQUE_MSRSCNT = 12,
	NV_OPAQUE_CPRINFO = 13,
	NV_OPAQUE_BOARD_ID = 14,
	NV_OPAQUE_CHIP_SKU = 15,
	NV_OPAQUE_CHIP_SKU_MOD = 16,
	NV_OPAQUE_PROJECT = 17,
	NV_OPAQUE_PROJECT_SKU = 18,
	NV_OPAQUE_PROJECT_SKU_MOD = 19,
	NV_OPAQUE_FWID = 20,
	NV_OPAQUE_PROTECTED_PCIE_STATUS = 21,
	/* NVSwitch (LS10) reports (NVIDIA attestation SDK,
	 * SwitchOpaqueDataType). */
	NV_OPAQUE_DEVICE_PDI = 22,
	NV_OPAQUE_DISABLED_PORTS = 23,
	NV_OPAQUE_SWITCH_POSITION_ID = 24,
	NV_OPAQUE_SWITCH_LOCK_STATUS = 25,
	NV_OPAQUE_SWITCH_GPU_PDIS = 26,
	NV_OPAQUE_SWITCH_PORTS = 27,
	NV_OPAQUE__MAX = 64
};

struct spdm_block {
	uint8_t index;
	uint8_t spec;       /* MeasurementSpecification: 1 = DMTF */
	uint8_t value_type; /* DMTFSpecMeasurementValueType */
	const uint8_t *value;
	uint16_t value_len;
};

struct spdm_tlv {
	bool present;
	const uint8_t *value; /* borrowed from the evidence */
	uint16_t len;
};

/* Everything borrowed from the buffer given to spdm_parse. */
struct spdm_measurements {
	/* GET_MEASUREMENTS */
	uint8_t version;
	uint8_t req_param1;
	uint8_t req_param2;
	uint8_t slot_id;
	const uint8_t *requester_nonce; /* 32 bytes */
	size_t request_len;
	/* MEASUREMENTS */
	uint8_t rsp_param1;
	uint8_t rsp_param2;
	uint8_t n_blocks;
	struct spdm_block blocks[SPDM_MAX_BLOCKS];
	const uint8_t *responder_nonce; /* 32 bytes */
	const uint8_t *opaque;
	uint16_t opaque_len;
	struct spdm_tlv tlv[NV_OPAQUE__MAX];
	/* The signed bytes are buf[0 .. signed_len): request || response
	 * up to the signature. */
	size_t signed_len;
	const uint8_t *signature; /* SPDM_P384_SIG_LEN bytes: r || s */
	size_t trailing;          /* bytes after the signature */
};

/* True when BUF starts like a GET_MEASUREMENTS request (cheap). */
bool spdm_detect(const uint8_t *buf, size_t len);

/*
 * Parses request || response from BUF. Every length is checked against
 * what remains; the signature is located right after the opaque data.
 * Bytes after the signature are counted in m->trailing, not refused
 * (NVIDIA drivers have been seen to append one; they are not signed and
 * never interpreted). On failure returns false and names the field and
 * the rule it broke in WHY; *unsupported is set when the failure is an
 * unsupported version or message (not a malformed one).
 */
bool spdm_parse(const uint8_t *buf, size_t len, struct spdm_measurements *m,
                bool *unsupported, char *why, size_t whylen);

/*
 * Formats the NVIDIA VBIOS version TLV (8 bytes) as NVIDIA writes it,
 * "96.00.9F.00.01" (upper-case hex), from a GPU's 8-byte field or an
 * NVSwitch's text ("96.10.55.00.01"). OUT must hold 16 bytes. False when
 * the TLV has neither shape.
 */
bool spdm_vbios_version(const struct spdm_tlv *t, char out[16]);

/*
 * Copies a NUL-padded ASCII TLV (driver version, project, SKUs) into OUT
 * (OUTLEN bytes) up to the first NUL. False when it holds a byte outside
 * printable ASCII before the padding, a non-NUL after it, or does not fit.
 */
bool spdm_tlv_string(const struct spdm_tlv *t, char *out, size_t outlen);

#endif
