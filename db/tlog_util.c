#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "db/tlog_util.h"

bool
tlog_buf_printf(struct tlog_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt,
		              ap);
		va_end(ap);
		if (n < 0)
			return false;
		if (b->s != NULL && (size_t)n < room) {
			b->len += (size_t)n;
			return true;
		}
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (s == NULL)
			return false;
		b->s = s;
		b->cap = cap;
	}
}

bool
tlog_hex32(const char *s, uint8_t h[32])
{
	return strlen(s) == 64 && codec_hex_decode_fixed(s, h, 32);
}
