#ifndef TP_FUZZ_H
#define TP_FUZZ_H
/*
 * Shared by the fuzz targets of tests/fuzz/ (docs/testing.md, "Fuzzing"):
 * the libFuzzer entry point every target defines, and the whole
 * verification of one evidence under a fixed time with an empty artifact
 * set (no network, no file: verify/ reads nothing but its arguments).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "verify/core/artifact.h"
#include "verify/core/policy.h"
#include "verify/core/verdict.h"
#include "verify/verify.h"

/* The verification time of every target: 2026-06-29T02:12:49Z, inside
 * the validity of the newest samples' certificates, so that mutated
 * evidence reaches the checks behind the chains. */
#define FUZZ_NOW ((int64_t)1782699169)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of DATA with a NUL after SIZE bytes (for parsers of text that
 * take a C string); the caller frees it. Aborts on OOM. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * verify_run of DATA as provider P (TP_PROVIDER_NONE: detection) with
 * the production defaults, at FUZZ_NOW, with SET (NULL: an empty set) as
 * the collateral; the verdict is also serialised, then everything freed.
 */
static inline void
fuzz_verify_with(enum tp_provider p, const uint8_t *data, size_t size,
                 const struct artifact_set *set)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set empty;
	struct verdict v;
	json_t *j;

	verify_config_defaults(&cfg);
	artifact_set_init(&empty);
	memset(&req, 0, sizeof(req));
	req.evidence = data;
	req.evidence_len = size;
	req.provider = p;
	req.artifacts = set != NULL ? set : &empty;
	req.now = FUZZ_NOW;
	req.cfg = &cfg;
	verify_run(&req, &v);
	j = verdict_to_json(&v);
	json_decref(j);
	verdict_free(&v);
	artifact_set_clear(&empty);
	verify_config_free(&cfg);
}

static inline void
fuzz_verify(enum tp_provider p, const uint8_t *data, size_t size)
{
	fuzz_verify_with(p, data, size, NULL);
}

#endif
