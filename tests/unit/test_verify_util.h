/*
 * Helpers shared by the cmocka tests that run real evidence through
 * verify_run with its collateral (test_ratls.c, test_azure_tdx.c):
 * loading the collateral, a run under policy overrides, error lookup and
 * the byte-flip loop. Include after cmocka.h. Static: one copy each.
 */
#ifndef TP_TEST_VERIFY_UTIL_H
#define TP_TEST_VERIFY_UTIL_H
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "load/load.h"
#include "verify/intel/dcap_policy.h"
#include "verify/verify.h"

#define TEST_VERIFY_UTIL __attribute__((unused)) static

/* The collateral directory PATH of provider P into SET, as teepassd
 * loads it; a test never runs without its collateral. */
TEST_VERIFY_UTIL void
tu_collateral_load(enum tp_provider p, const char *path,
                   struct artifact_set *set)
{
	artifact_set_init(set);
	assert_true(load_path(p, path, set));
}

/* Does V carry the error CODE? */
TEST_VERIFY_UTIL bool
tu_has_error(const struct verdict *v, const char *code)
{
	size_t i;
	json_t *e;

	json_array_foreach(v->errors, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "code")),
		           code) == 0)
			return true;
	}
	return false;
}

/* How a run is made: the policy and the request's inputs beside the
 * evidence. DCAP: NULL-terminated "key", "value" pairs for
 * dcap_policy_set (docs/policy.md). */
struct tu_run {
	const struct artifact_set *set;
	enum tp_provider provider;
	const char *nonce; /* its bytes, or NULL */
	int64_t at;
	bool allow_debug;
	const char *const *dcap;
};

/* Verifies EV under R into V (the caller frees V). */
TEST_VERIFY_UTIL void
tu_run(const struct tu_run *r, const uint8_t *ev, size_t len, struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	char err[128];

	verify_config_defaults(&cfg);
	cfg.allow_debug = r->allow_debug;
	for (size_t i = 0; r->dcap != NULL && r->dcap[i] != NULL; i += 2)
		assert_true(dcap_policy_set(&cfg.dcap, r->dcap[i],
		                            r->dcap[i + 1], err, sizeof(err)));
	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = len;
	req.provider = r->provider;
	req.nonce = (const uint8_t *)r->nonce;
	req.nonce_len = r->nonce != NULL ? strlen(r->nonce) : 0;
	req.artifacts = r->set;
	req.now = r->at;
	req.cfg = &cfg;
	verify_run(&req, v);
	verify_config_free(&cfg);
}

/*
 * Flips bit 0 of BUF[i] for i in [FROM, TO) by STEP, runs RUN(CTX) on
 * each (it builds the evidence from BUF and verifies it) and requires
 * the verdict invalid, and with NOT_HW not hardware-verified either; the
 * byte is restored after each. WHAT names the region in a failure.
 */
TEST_VERIFY_UTIL void
tu_flip_each(uint8_t *buf, size_t from, size_t to, size_t step,
             void (*run)(void *ctx, struct verdict *v), void *ctx, bool not_hw,
             const char *what)
{
	for (size_t i = from; i < to; i += step) {
		struct verdict v;

		buf[i] ^= 0x01;
		run(ctx, &v);
		if (verdict_valid(&v))
			print_error("%s byte 0x%zx flipped: valid\n", what, i);
		assert_false(verdict_valid(&v));
		if (not_hw)
			assert_false(v.hardware_verified);
		verdict_free(&v);
		buf[i] ^= 0x01;
	}
}

#endif
