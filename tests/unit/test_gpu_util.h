/* Helpers shared by the NVIDIA GPU tests (header only, static). */
#ifndef TEST_GPU_UTIL_H
#define TEST_GPU_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/tptime.h"
#include "load/load.h"
#include "verify/nvidia/gpu.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

#define NV "tests/data/nvidia/"

/* A request as the daemon would build it; collateral and expected are
 * borrowed. NOW in Unix seconds. */
struct gpu_case {
	const uint8_t *ev;
	size_t len;
	json_t *collateral;
	const char *path;
	json_t *expected;
	int64_t now;
	const uint8_t *nonce;
	size_t nonce_len;
};

/* The artifact set the daemon's loaders would build from collateral
 * COLL (the request member; NULL: none) and PATH (a --collateral file or
 * directory; NULL: none), in that order. */
static inline void
gpu_load(struct artifact_set *set, const json_t *coll, const char *path)
{
	artifact_set_init(set);
	load_json(TP_PROVIDER_NVIDIA_GPU, coll, set);
	if (path != NULL)
		load_path(TP_PROVIDER_NVIDIA_GPU, path, set);
}

/* What verify_run does for NvidiaGpu once the provider is registered in
 * verify/provider.c: the loaders, the provider's verify, then the common
 * appraisal. */
static inline void
gpu_run(const struct gpu_case *c, struct verdict *v)
{
	static struct verify_config cfg;
	static struct artifact_set set;
	static int init;
	struct verify_request req;

	if (!init) {
		verify_config_defaults(&cfg);
		init = 1;
	}
	memset(&req, 0, sizeof(req));
	req.evidence = c->ev;
	req.evidence_len = c->len;
	req.provider = TP_PROVIDER_NVIDIA_GPU;
	gpu_load(&set, c->collateral, c->path);
	req.artifacts = &set;
	req.expected = c->expected;
	req.now = c->now ? c->now : 1790000000; /* 2026-09 */
	req.nonce = c->nonce;
	req.nonce_len = c->nonce_len;
	req.cfg = &cfg;
	verdict_init(v, TP_PROVIDER_NVIDIA_GPU, req.now);
	provider_nvidia_gpu.verify(&req, v);
	verify_appraise(&req, v);
	artifact_set_clear(&set);
}

/* The code of the first error, or "" when none. */
static inline const char *
first_code(const struct verdict *v)
{
	const char *c = json_string_value(
	        json_object_get(json_array_get(v->errors, 0), "code"));
	return c ? c : "";
}

static inline const char *
claim_s(const struct verdict *v, const char *name)
{
	const char *s = json_string_value(json_object_get(v->claims, name));
	return s ? s : "(none)";
}

static inline void
dump_errors(const struct verdict *v)
{
	char *s = json_dumps(v->errors, 0);
	fprintf(stderr, "errors: %s\n", s);
	free(s);
}

#endif
