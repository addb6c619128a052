#ifndef TP_READER_H
#define TP_READER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bounded reader over untrusted bytes. Every getter returns false instead
 * of reading past the end and leaves the reader unchanged on failure. All
 * parsing of raw evidence goes through it: no pointer arithmetic on input
 * elsewhere.
 */
struct reader {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

void reader_init(struct reader *r, const uint8_t *buf, size_t len);
size_t reader_remaining(const struct reader *r);
size_t reader_offset(const struct reader *r);
bool reader_u8(struct reader *r, uint8_t *v);
bool reader_u16le(struct reader *r, uint16_t *v);
bool reader_u32le(struct reader *r, uint32_t *v);
bool reader_u64le(struct reader *r, uint64_t *v);
bool reader_u16be(struct reader *r, uint16_t *v);
bool reader_u32be(struct reader *r, uint32_t *v);
/* Points *p at the next N bytes (borrowed from the buffer) and advances. */
bool reader_bytes(struct reader *r, size_t n, const uint8_t **p);
/* Copies the next N bytes into DST and advances. */
bool reader_copy(struct reader *r, void *dst, size_t n);
bool reader_skip(struct reader *r, size_t n);
/* A reader over the next N bytes; the parent advances past them. */
bool reader_sub(struct reader *r, size_t n, struct reader *sub);
/* True when every remaining byte is zero (padding). */
bool reader_rest_is_zero(const struct reader *r);

#endif
