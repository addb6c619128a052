/*
 * Fuzz target: common/fastjson.h against jansson, the reference. Any
 * input that one accepts and the other rejects, or that both read into
 * different trees (members in order), aborts; so does a tree that
 * fastjson_dumps serialises otherwise than json_dumps.
 */
#include "common/fastjson.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/json_same.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = size > 0 ? (const char *)data : "";
	json_t *ref = json_loadb(buf, size, JSON_REJECT_DUPLICATES, NULL);
	json_t *fast = fastjson_parse_subset(buf, size);
	json_t *got = fastjson_loadb(buf, size);

	if (fast != NULL && (ref == NULL || !same_tree(fast, ref)))
		abort();
	if ((ref == NULL) != (got == NULL) ||
	    (ref != NULL && !same_tree(got, ref)))
		abort();
	for (int f = 0; ref != NULL && f < 2; f++) {
		size_t flags = JSON_COMPACT | (f ? JSON_ENSURE_ASCII : 0);
		char *want = json_dumps(ref, flags);
		char *have = fastjson_dumps(ref, flags);

		if ((want == NULL) != (have == NULL) ||
		    (want != NULL && strcmp(want, have) != 0))
			abort();
		free(want);
		free(have);
	}
	json_decref(ref);
	json_decref(fast);
	json_decref(got);
	return 0;
}
