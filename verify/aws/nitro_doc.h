#ifndef TP_NITRO_DOC_H
#define TP_NITRO_DOC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The payload of an AWS Nitro Enclaves attestation document.
 * AWS Nitro Enclaves User Guide, "Verifying the root of trust" (attestation
 * document specification and syntactical validation), and
 * aws/aws-nitro-enclaves-nsm-api docs/attestation_process.md §3.2:
 *
 *   AttestationDocument = {
 *     module_id: text,              ; non-empty
 *     digest: "SHA384",
 *     timestamp: uint .size 8,      ; ms since the Unix epoch
 *     pcrs: { + index => pcr },     ; 1..32 entries, index 0..31,
 *                                   ; pcr = bstr .size (32/48/64)
 *     certificate: bstr,            ; DER, 1..1024 bytes
 *     cabundle: [* bstr],           ; DER, root first, 1..1024 bytes each
 *     ? public_key: bstr / nil,     ; 1..1024 bytes
 *     ? user_data: bstr / nil,      ; 0..512 bytes
 *     ? nonce: bstr / nil,          ; 0..512 bytes
 *   }
 *
 * The three optional fields are taken as absent when nil or empty: NSM
 * itself has emitted public_key = h'' (hf/nitrite's 2021 test document),
 * so an empty public_key is accepted although the specification says
 * 1..1024 bytes.
 *
 * Every pointer borrows the payload buffer.
 */
#define NITRO_MAX_PCRS      32
#define NITRO_MAX_CABUNDLE  8
#define NITRO_MAX_CERT      1024
#define NITRO_MAX_PUBKEY    1024
#define NITRO_MAX_USERDATA  512
#define NITRO_MAX_MODULE_ID 256

struct nitro_blob {
	const uint8_t *p; /* NULL when absent, nil or empty (then n == 0) */
	size_t n;
};

struct nitro_doc {
	char module_id[NITRO_MAX_MODULE_ID + 1];
	char digest[8]; /* "SHA384" */
	uint64_t timestamp_ms;
	struct {
		bool present;
		const uint8_t *p;
		size_t n; /* 32, 48 or 64 */
	} pcrs[NITRO_MAX_PCRS];
	struct nitro_blob certificate;
	struct nitro_blob cabundle[NITRO_MAX_CABUNDLE];
	size_t n_cabundle;
	struct nitro_blob public_key;
	struct nitro_blob user_data;
	struct nitro_blob nonce;
};

/*
 * Parses and syntactically validates a Nitro attestation document payload
 * (all of BUF; trailing bytes refused). Unknown keys, duplicate keys,
 * missing required keys, wrong types and sizes are refused. Returns false
 * with the field and the rule it broke in WHY.
 */
bool nitro_doc_parse(const uint8_t *buf, size_t len, struct nitro_doc *d,
                     char *why, size_t whylen);

#endif
