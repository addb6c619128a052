#ifndef TP_DB_TLOG_UTIL_H
#define TP_DB_TLOG_UTIL_H
#include <stdbool.h>
#include <stdint.h>

/* A growing text buffer for PostgreSQL array literals ("{1,2,3}"). */
struct tlog_buf {
	char *s;
	size_t len, cap;
};

/* Appends the formatted text; false on allocation failure. */
bool tlog_buf_printf(struct tlog_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Decodes 64 hex digits into H. */
bool tlog_hex32(const char *s, uint8_t h[32]);

#endif
