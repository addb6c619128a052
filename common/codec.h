#ifndef TP_CODEC_H
#define TP_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes hex (optional "0x", either case). Returns false on odd length or
 * a non-hex character. *out is malloc'd; the caller frees it.
 */
bool codec_hex_decode(const char *s, size_t slen, uint8_t **out,
                      size_t *outlen);

/* Decodes hex into a fixed buffer; false unless exactly WANT bytes. */
bool codec_hex_decode_fixed(const char *s, uint8_t *buf, size_t want);

/* Lower-case hex of BUF. Returns a malloc'd string (NULL on OOM). */
char *codec_hex_encode(const uint8_t *buf, size_t len);

/* Writes lower-case hex and a NUL into OUT (2*len+1 bytes). */
void codec_hex_encode_to(const uint8_t *buf, size_t len, char *out);

/*
 * Decodes base64 or base64url, padded or not; whitespace is refused.
 * *out is malloc'd; the caller frees it.
 */
bool codec_base64_decode(const char *s, size_t slen, uint8_t **out,
                         size_t *outlen);

/* base64url without padding (JOSE). Returns a malloc'd string. */
char *codec_base64url_encode(const uint8_t *buf, size_t len);

/* Standard base64 with padding. Returns a malloc'd string. */
char *codec_base64_encode(const uint8_t *buf, size_t len);

/*
 * Decodes evidence as the API accepts it: "0x" prefix or all-hex of even
 * length is hex; anything else must be base64 or base64url. Surrounding
 * whitespace is trimmed. Returns false when neither decodes.
 */
bool codec_evidence_decode(const char *s, size_t slen, uint8_t **out,
                           size_t *outlen);

#endif
