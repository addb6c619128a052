#ifndef TP_COSE_H
#define TP_COSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/errors.h"
#include "verify/core/reader.h"

/*
 * A bounded CBOR pull reader (RFC 8949) on verify/reader.h, and COSE_Sign1
 * (RFC 9052 §4.2, §4.4) on top of it. Nothing here allocates while
 * parsing: every item is a view into the caller's buffer, every declared
 * length is checked against the bytes that remain before it is used, and
 * nesting is bounded by COSE_CBOR_MAX_DEPTH. Indefinite lengths (RFC 8949
 * §3.2) and the reserved additional-information values 28..30 are refused:
 * the formats verified here (Nitro, PSA, CCA) use definite lengths only.
 */

/* RFC 8949 §3.1 major types. */
enum cose_cbor_major {
	COSE_CBOR_UINT = 0,
	COSE_CBOR_NINT = 1,
	COSE_CBOR_BSTR = 2,
	COSE_CBOR_TSTR = 3,
	COSE_CBOR_ARRAY = 4,
	COSE_CBOR_MAP = 5,
	COSE_CBOR_TAG = 6,
	COSE_CBOR_SIMPLE = 7,
};

#define COSE_CBOR_MAX_DEPTH 16
/* RFC 8949 §3.3: simple values false, true, null. */
#define COSE_CBOR_FALSE 20
#define COSE_CBOR_TRUE  21
#define COSE_CBOR_NULL  22

/* The initial byte and argument of one data item. */
struct cose_cbor_head {
	uint8_t major; /* enum cose_cbor_major */
	uint8_t info;  /* additional information, 0..27 */
	uint64_t arg;  /* value, length, count, tag or simple value */
};

/*
 * Reads one item head. For byte/text strings, arrays and maps the
 * declared length/count is checked against what remains (a count of N
 * array items needs at least N bytes, a map 2N). Returns false and leaves
 * R unchanged on truncation, indefinite length or reserved encodings.
 */
bool cose_cbor_head(struct reader *r, struct cose_cbor_head *h);

/* The major type of the next item, without consuming it. */
bool cose_cbor_peek(const struct reader *r, uint8_t *major);

/* Skips one complete item, nested at most DEPTH more levels. */
bool cose_cbor_skip(struct reader *r, int depth);

/* Typed getters; each returns false (R unchanged) on a different type. */
bool cose_cbor_uint(struct reader *r, uint64_t *v);
bool cose_cbor_int(struct reader *r, int64_t *v); /* major 0 or 1 */
bool cose_cbor_bstr(struct reader *r, const uint8_t **p, size_t *n);
bool cose_cbor_tstr(struct reader *r, const uint8_t **p, size_t *n);
bool cose_cbor_array(struct reader *r, size_t *n);
bool cose_cbor_map(struct reader *r, size_t *n);
bool cose_cbor_tag(struct reader *r, uint64_t *tag);
bool cose_cbor_bool(struct reader *r, bool *b);
/* Consumes a null (0xf6) and returns true; false (R unchanged) otherwise. */
bool cose_cbor_null(struct reader *r);

/*
 * A map key as COSE labels are (RFC 9052 §1.4: int / tstr), or as a
 * claims map has them. Two keys are equal when type and value are.
 */
struct cose_cbor_key {
	uint8_t major; /* COSE_CBOR_UINT, COSE_CBOR_NINT or COSE_CBOR_TSTR */
	uint64_t arg;  /* integer value (NINT: -1 - arg) */
	const uint8_t *p;
	size_t n; /* text of a TSTR key */
};

/* Reads an int or tstr key; false for any other type. */
bool cose_cbor_key(struct reader *r, struct cose_cbor_key *k);
bool cose_cbor_key_eq(const struct cose_cbor_key *a,
                      const struct cose_cbor_key *b);
/* True when K is the integer V, or the text S (NUL-terminated). */
bool cose_cbor_key_is_int(const struct cose_cbor_key *k, int64_t v);
bool cose_cbor_key_is_str(const struct cose_cbor_key *k, const char *s);
/* Writes a printable name of K ("1", "-65537", "\"nonce\"") into OUT. */
void cose_cbor_key_name(const struct cose_cbor_key *k, char *out,
                        size_t outlen);

/* Appends the head of an item (major, argument) in preferred encoding to
 * OUT (9 bytes at most); returns its length. */
size_t cose_cbor_put_head(uint8_t out[9], uint8_t major, uint64_t arg);

/* RFC 9053 §2.1 ECDSA algorithm identifiers. */
#define COSE_ALG_ES256 (-7)
#define COSE_ALG_ES384 (-35)
#define COSE_ALG_ES512 (-36)

/* RFC 9052 §4.2 tag of COSE_Sign1. */
#define COSE_TAG_SIGN1 18

/* At most this many labels in one header map. */
#define COSE_MAX_HEADER_LABELS 32

/*
 * RFC 9052 §4.2:
 *   COSE_Sign1 = [ protected : bstr .cbor header_map / bstr .size 0,
 *                  unprotected : header_map, payload : bstr / nil,
 *                  signature : bstr ]
 * All pointers borrow the parsed buffer.
 */
struct cose_sign1 {
	bool tagged;         /* wrapped in tag 18 */
	int64_t alg;         /* protected label 1 */
	const uint8_t *prot; /* protected bstr contents (serialized map) */
	size_t prot_len;
	const uint8_t *kid; /* label 4 in either header; NULL if absent */
	size_t kid_len;
	bool has_content_type; /* label 3 present */
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *signature;
	size_t signature_len;
};

/*
 * Parses BUF (all of it: trailing bytes are refused) as a COSE_Sign1,
 * tagged 18 or untagged. The protected header must be a map holding
 * `alg` as an integer of a supported algorithm (ES256, ES384, ES512);
 * `crit`, when present, must be protected, non-empty and name only
 * labels this code understands (1 alg, 3 content type, 4 kid) that are
 * present; duplicate labels and labels in both headers are refused; a
 * detached (nil) payload is refused. On failure returns false, sets
 * *CODE (cose_parse_error, cose_alg_unsupported, cose_crit_unsupported)
 * and names the rule broken in WHY.
 */
bool cose_sign1_parse(const uint8_t *buf, size_t len, struct cose_sign1 *s,
                      enum tp_err *code, char *why, size_t whylen);

/*
 * As cose_sign1_parse, on the item at R (which advances past it) rather
 * than a whole buffer: for COSE_Sign1 messages nested in a collection.
 */
bool cose_sign1_read(struct reader *r, struct cose_sign1 *s, enum tp_err *code,
                     char *why, size_t whylen);

/*
 * The RFC 9052 §4.4 Sig_structure
 *   ["Signature1", body_protected, external_aad = h'', payload]
 * in *OUT (malloc'd; the caller frees). False on OOM or overflow.
 */
bool cose_sig_structure(const struct cose_sign1 *s, uint8_t **out,
                        size_t *outlen);

/*
 * Verifies the signature of S with PUB: the digest and the raw r||s size
 * follow S->alg (ES256: SHA-256, 2x32; ES384: SHA-384, 2x48; ES512:
 * SHA-512, 2x66), and PUB must be an EC key on the matching curve.
 * Returns false with the reason in WHY.
 */
bool cose_sign1_verify(const struct cose_sign1 *s, EVP_PKEY *pub, char *why,
                       size_t whylen);

#endif
