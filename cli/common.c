#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

bool
cli_read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	bool ok = false;

	*out = NULL;
	*len = 0;
	if (f == NULL) {
		fprintf(stderr, "teepass: %s: %s\n", path, strerror(errno));
		return false;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			uint8_t *nb = realloc(buf, cap);
			if (nb == NULL)
				goto out;
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > max) {
			fprintf(stderr, "teepass: %s: larger than %zu bytes\n",
			        path, max);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "teepass: %s: read error\n", path);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	ok = true;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return ok;
}

bool
cli_load_config(struct tp_config *c)
{
	const char *path = getenv("TEEPASS_CONFIG");
	char err[512];

	config_defaults(c);
	if ((path != NULL && *path != '\0' &&
	     !config_load_file(c, path, err, sizeof(err))) ||
	    !config_load_env(c, err, sizeof(err)) ||
	    !config_intel_root_apply(c, err, sizeof(err))) {
		fprintf(stderr, "teepass: %s\n", err);
		config_free(
		        c); /* callers return at once; a second free is a no-op */
		return false;
	}
	return true;
}
