#ifndef TP_TRUST_BLOBS_H
#define TP_TRUST_BLOBS_H
#include <stddef.h>
#include <stdint.h>

/* Files of config/trust/, embedded at build time (cmake/embed_trust.cmake). */
struct trust_blob {
	const char *name;
	const uint8_t *data;
	size_t len;
};

extern const struct trust_blob trust_blobs[]; /* NULL-name terminated */

/* Returns the embedded file NAME or NULL when there is none. */
const struct trust_blob *trust_blob_find(const char *name);

#endif
