#ifndef TP_MOCK_H
#define TP_MOCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/*
 * teepass Mock evidence, version 1 (docs/mock-evidence.md). Software
 * evidence for development, never hardware. Little-endian, fixed size:
 *
 *   0   8  magic "TEEPMOCK"
 *   8   2  version (1)
 *  10   2  flags (bit 0: debug)
 *  12   4  reserved, zero
 *  16   8  timestamp, Unix seconds
 *  24  32  attestation key id: SHA-256 of the key's DER SubjectPublicKeyInfo
 *  56 192  mr0..mr3, 48 bytes each
 * 248  64  report_data
 * 312  64  ECDSA P-256 signature r||s over SHA-256(bytes 0..311)
 */
#define MOCK_EVIDENCE_LEN 376
#define MOCK_SIGNED_LEN   312
#define MOCK_VERSION      1
#define MOCK_FLAG_DEBUG   0x0001
#define MOCK_MR_COUNT     4
#define MOCK_MR_LEN       48

struct mock_evidence {
	uint16_t version;
	uint16_t flags;
	uint64_t timestamp;
	uint8_t key_id[32];
	uint8_t mr[MOCK_MR_COUNT][MOCK_MR_LEN];
	uint8_t report_data[64];
	uint8_t signature[64];
};

/* True when BUF has the Mock magic and size. */
bool mock_detect(const uint8_t *buf, size_t len);

/*
 * Parses Mock evidence. Returns false with the broken rule in WHY.
 */
bool mock_parse(const uint8_t *buf, size_t len, struct mock_evidence *out,
                char *why, size_t whylen);

/*
 * Builds and signs Mock evidence with PRIV (P-256): fills key_id and the
 * signature of EV, writes MOCK_EVIDENCE_LEN bytes into OUT.
 */
bool mock_build(EVP_PKEY *priv, struct mock_evidence *ev,
                uint8_t out[MOCK_EVIDENCE_LEN]);

#endif
