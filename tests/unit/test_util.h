#ifndef TP_TEST_UTIL_H
#define TP_TEST_UTIL_H
/* Shared by the unit tests and benchmarks: reading sample files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The whole file PATH (relative to the source root, where ctest runs the
 * tests), NUL-terminated (the NUL not counted in *len). A missing or
 * unreadable sample aborts the test: it can never pass without its data.
 */
static inline uint8_t *
tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		abort();
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		abort();
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
