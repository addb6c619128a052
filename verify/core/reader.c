#include <string.h>

#include "verify/core/reader.h"

void
reader_init(struct reader *r, const uint8_t *buf, size_t len)
{
	r->buf = buf;
	r->len = buf == NULL ? 0 : len;
	r->off = 0;
}

size_t
reader_remaining(const struct reader *r)
{
	return r->len - r->off;
}

size_t
reader_offset(const struct reader *r)
{
	return r->off;
}

bool
reader_bytes(struct reader *r, size_t n, const uint8_t **p)
{
	if (n > reader_remaining(r))
		return false;
	*p = r->buf + r->off;
	r->off += n;
	return true;
}

bool
reader_copy(struct reader *r, void *dst, size_t n)
{
	const uint8_t *p;

	if (!reader_bytes(r, n, &p))
		return false;
	if (n > 0)
		memcpy(dst, p, n);
	return true;
}

bool
reader_skip(struct reader *r, size_t n)
{
	const uint8_t *p;

	return reader_bytes(r, n, &p);
}

bool
reader_sub(struct reader *r, size_t n, struct reader *sub)
{
	const uint8_t *p;

	if (!reader_bytes(r, n, &p))
		return false;
	reader_init(sub, p, n);
	return true;
}

static bool
read_uint(struct reader *r, size_t n, bool le, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;

	if (!reader_bytes(r, n, &p))
		return false;
	for (size_t i = 0; i < n; i++)
		x |= (uint64_t)p[le ? i : n - 1 - i] << (8 * i);
	*v = x;
	return true;
}

bool
reader_u8(struct reader *r, uint8_t *v)
{
	uint64_t x;

	if (!read_uint(r, 1, true, &x))
		return false;
	*v = (uint8_t)x;
	return true;
}

bool
reader_u16le(struct reader *r, uint16_t *v)
{
	uint64_t x;

	if (!read_uint(r, 2, true, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

bool
reader_u32le(struct reader *r, uint32_t *v)
{
	uint64_t x;

	if (!read_uint(r, 4, true, &x))
		return false;
	*v = (uint32_t)x;
	return true;
}

bool
reader_u64le(struct reader *r, uint64_t *v)
{
	return read_uint(r, 8, true, v);
}

bool
reader_u16be(struct reader *r, uint16_t *v)
{
	uint64_t x;

	if (!read_uint(r, 2, false, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

bool
reader_u32be(struct reader *r, uint32_t *v)
{
	uint64_t x;

	if (!read_uint(r, 4, false, &x))
		return false;
	*v = (uint32_t)x;
	return true;
}

bool
reader_rest_is_zero(const struct reader *r)
{
	for (size_t i = r->off; i < r->len; i++)
		if (r->buf[i] != 0)
			return false;
	return true;
}
