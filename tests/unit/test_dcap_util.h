/* Helpers shared by the test_dcap*.c programs (static: one copy each). */
#ifndef TP_TEST_DCAP_UTIL_H
#define TP_TEST_DCAP_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "load/load.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

/* Each program uses a subset of the helpers. */
#define TEST_DCAP_UTIL __attribute__((unused)) static

/* The collateral of a request (COLL) or a path, as teepassd loads it. */
TEST_DCAP_UTIL void
tu_load(enum tp_provider p, const json_t *coll, const char *path,
        struct artifact_set *set)
{
	artifact_set_init(set);
	if (coll != NULL)
		load_json(p, coll, set);
	else if (path != NULL)
		load_path(p, path, set);
}

#define ZERO48                                                                 \
	"000000000000000000000000000000000000000000000000000000000000000000"   \
	"000000000000000000000000000000"

struct sample {
	uint8_t *quote;
	size_t len;
	json_t *collateral; /* collateral.json, or NULL */
};

TEST_DCAP_UTIL void
sample_load(struct sample *s, const char *dir, bool with_json)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/quote.bin", dir);
	s->quote = tu_read_file(path, &s->len);
	s->collateral = NULL;
	if (with_json) {
		snprintf(path, sizeof(path), "%s/collateral.json", dir);
		s->collateral = json_load_file(path, 0, NULL);
		if (s->collateral == NULL)
			abort();
	}
}

TEST_DCAP_UTIL void
sample_free(struct sample *s)
{
	free(s->quote);
	json_decref(s->collateral);
}

static struct verify_config test_cfg;
static bool test_cfg_ready;

TEST_DCAP_UTIL const struct verify_config *
cfg(void)
{
	if (!test_cfg_ready) {
		verify_config_defaults(&test_cfg);
		test_cfg_ready = true;
	}
	return &test_cfg;
}

TEST_DCAP_UTIL void
run_bytes(const uint8_t *q, size_t len, const json_t *coll, const char *path,
          enum tp_provider p, int64_t now, const struct verify_config *c,
          struct verdict *v)
{
	struct verify_request req;
	struct artifact_set set;

	memset(&req, 0, sizeof(req));
	req.evidence = q;
	req.evidence_len = len;
	req.provider = p;
	req.now = now;
	req.cfg = c;
	tu_load(p != TP_PROVIDER_NONE ? p : provider_detect(q, len), coll, path,
	        &set);
	req.artifacts = &set;
	verify_run(&req, v);
	artifact_set_clear(&set);
}

TEST_DCAP_UTIL void
run(const struct sample *s, enum tp_provider p, int64_t now, const char *path,
    struct verdict *v)
{
	run_bytes(s->quote, s->len, path != NULL ? NULL : s->collateral, path,
	          p, now, cfg(), v);
}

TEST_DCAP_UTIL void
dump(const struct verdict *v)
{
	json_t *j = verdict_to_json(v);
	char *s = json_dumps(j, JSON_INDENT(1));

	fprintf(stderr, "%s\n", s);
	free(s);
	json_decref(j);
}

TEST_DCAP_UTIL void
expect_valid(const struct verdict *v, const char *status)
{
	if (!verdict_valid(v) || strcmp(v->tcb_status, status) != 0)
		dump(v);
	assert_true(verdict_valid(v));
	assert_string_equal(v->tcb_status, status);
	assert_true(v->hardware_verified);
	assert_int_equal(v->signature_valid, TP_TRUE);
	assert_int_equal(v->certificate_chain_valid, TP_TRUE);
}

TEST_DCAP_UTIL void
expect_error(const struct verdict *v, enum tp_err code)
{
	if (!verdict_has_error(v, code)) {
		fprintf(stderr, "want error %s\n", tp_err_code(code));
		dump(v);
	}
	assert_false(verdict_valid(v));
	assert_true(verdict_has_error(v, code));
}

TEST_DCAP_UTIL void
expect_error_mentions(const struct verdict *v, const char *word)
{
	size_t i;
	json_t *e;
	bool found = false;

	json_array_foreach(v->errors, i, e)
	{
		const char *m =
		        json_string_value(json_object_get(e, "message"));
		if (m != NULL && strstr(m, word) != NULL)
			found = true;
	}
	if (!found) {
		fprintf(stderr, "want an error naming %s\n", word);
		dump(v);
	}
	assert_true(found);
}

TEST_DCAP_UTIL void
expect_check_ok(const struct verdict *v, const char *name)
{
	size_t i;
	json_t *c;
	bool ok = false, seen = false;

	json_array_foreach(v->checks, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "check")),
		           name) != 0)
			continue;
		seen = true;
		ok = json_is_true(json_object_get(c, "ok"));
		if (!ok)
			break;
	}
	if (!seen || !ok) {
		fprintf(stderr, "want check %s ok\n", name);
		dump(v);
	}
	assert_true(seen && ok);
}

TEST_DCAP_UTIL void
expect_claim(const struct verdict *v, const char *name, const char *want)
{
	const char *have = json_string_value(json_object_get(v->claims, name));

	if (have == NULL || strcmp(have, want) != 0)
		fprintf(stderr, "claim %s: want %s have %s\n", name, want,
		        have != NULL ? have : "(none)");
	assert_non_null(have);
	assert_string_equal(have, want);
}

/* The advisory ids, in order, NULL-terminated. */
TEST_DCAP_UTIL void
expect_advisories(const struct verdict *v, ...)
{
	va_list ap;
	const char *id;
	size_t n = 0;

	va_start(ap, v);
	while ((id = va_arg(ap, const char *)) != NULL) {
		const char *have =
		        json_string_value(json_array_get(v->advisory_ids, n));
		assert_non_null(have);
		assert_string_equal(have, id);
		n++;
	}
	va_end(ap);
	assert_int_equal(json_array_size(v->advisory_ids), n);
}

#endif
