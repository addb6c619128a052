#include <string.h>

#include "common/trust_blobs.h"

const struct trust_blob *
trust_blob_find(const char *name)
{
	for (const struct trust_blob *b = trust_blobs; b->name != NULL; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}
