#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/core/verdict.h"

static json_t *
must(json_t *j)
{
	if (j == NULL)
		abort(); /* out of memory: nothing sensible left to do */
	return j;
}

void
verdict_init(struct verdict *v, enum tp_provider provider, int64_t now)
{
	memset(v, 0, sizeof(*v));
	v->provider = provider;
	v->certificate_chain_valid = TP_NULL;
	v->signature_valid = TP_NULL;
	v->measurements_valid = TP_NULL;
	v->binding_valid = TP_NULL;
	v->fresh = TP_NULL;
	v->advisory_ids = must(json_array());
	v->claims = must(json_object());
	v->checks = must(json_array());
	v->errors = must(json_array());
	v->collateral = must(json_object());
	v->evidence_time = -1;
	v->expires_at = INT64_MAX;
	v->verified_at = now;
}

void
verdict_free(struct verdict *v)
{
	if (v == NULL)
		return;
	json_decref(v->advisory_ids);
	json_decref(v->claims);
	json_decref(v->checks);
	json_decref(v->errors);
	json_decref(v->collateral);
	json_decref(v->bound);
	json_decref(v->submods);
	memset(v, 0, sizeof(*v));
}

void
verdict_pass(struct verdict *v, const char *check)
{
	json_array_append_new(v->checks, must(json_pack("{s:s, s:b}", "check",
	                                                check, "ok", 1)));
}

/* The format is checked where verdict_fail/verdict_error are called;
 * the attribute says so to clang's -Wformat-nonliteral. */
static void add_error(struct verdict *v, enum tp_err code, const char *fmt,
                      va_list ap) __attribute__((format(printf, 3, 0)));

static void
add_error(struct verdict *v, enum tp_err code, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	json_array_append_new(
	        v->errors, must(json_pack("{s:s, s:s}", "code",
	                                  tp_err_code(code), "message", msg)));
}

void
verdict_fail(struct verdict *v, const char *check, enum tp_err code,
             const char *fmt, ...)
{
	va_list ap;

	json_array_append_new(
	        v->checks, must(json_pack("{s:s, s:b, s:s}", "check", check,
	                                  "ok", 0, "code", tp_err_code(code))));
	va_start(ap, fmt);
	add_error(v, code, fmt, ap);
	va_end(ap);
}

void
verdict_error(struct verdict *v, enum tp_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(v, code, fmt, ap);
	va_end(ap);
}

bool
verdict_has_error(const struct verdict *v, enum tp_err code)
{
	size_t i;
	json_t *e;

	json_array_foreach(v->errors, i, e)
	{
		const char *c = json_string_value(json_object_get(e, "code"));
		if (c != NULL && strcmp(c, tp_err_code(code)) == 0)
			return true;
	}
	return false;
}

void
verdict_claim_hex(struct verdict *v, const char *name, const uint8_t *buf,
                  size_t len)
{
	char *hex = codec_hex_encode(buf, len);

	if (hex == NULL)
		abort();
	json_object_set_new(v->claims, name, must(json_string(hex)));
	free(hex);
}

void
verdict_claim_str(struct verdict *v, const char *name, const char *s)
{
	json_object_set_new(v->claims, name, must(json_string(s)));
}

void
verdict_claim_int(struct verdict *v, const char *name, int64_t n)
{
	json_object_set_new(v->claims, name, must(json_integer(n)));
}

void
verdict_claim_bool(struct verdict *v, const char *name, bool b)
{
	json_object_set_new(v->claims, name, json_boolean(b));
}

void
verdict_claim_json(struct verdict *v, const char *name, json_t *value)
{
	json_object_set_new(v->claims, name, must(value));
}

void
verdict_add_binding(struct verdict *v, const char *name, const uint8_t *buf,
                    size_t len)
{
	struct verdict_binding *b;

	if (v->n_bindings >= VERDICT_MAX_BINDINGS || len == 0 || len > 64)
		return;
	b = &v->bindings[v->n_bindings++];
	snprintf(b->name, sizeof(b->name), "%s", name);
	memcpy(b->buf, buf, len);
	b->len = len;
	b->half = false;
}

void
verdict_collateral(struct verdict *v, const char *item, const uint8_t *buf,
                   size_t len)
{
	uint8_t md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];

	SHA256(buf, len, md);
	codec_hex_encode_to(md, sizeof(md), hex);
	json_object_set_new(v->collateral, item, must(json_string(hex)));
}

void
verdict_expires_no_later_than(struct verdict *v, int64_t t)
{
	if (t < v->expires_at)
		v->expires_at = t;
}

bool
verdict_valid(const struct verdict *v)
{
	size_t i;
	json_t *c;

	if (json_array_size(v->errors) > 0 || json_array_size(v->checks) == 0)
		return false;
	json_array_foreach(v->checks, i, c)
	{
		if (!json_is_true(json_object_get(c, "ok")))
			return false;
	}
	return true;
}

const char *
verdict_status(const struct verdict *v)
{
	if (verdict_valid(v))
		return v->warning || !v->hardware_verified ? "warning"
		                                           : "affirming";
	/* Nothing was appraised (unknown format, unsupported provider). */
	if (json_array_size(v->checks) == 0)
		return "none";
	return "contraindicated";
}

static json_t *
tri(enum tp_tri t)
{
	return t == TP_NULL ? json_null() : json_boolean(t == TP_TRUE);
}

json_t *
verdict_to_json(const struct verdict *v)
{
	char at[32];
	json_t *o;

	tptime_format(v->verified_at, at);
	o = must(json_object());
	json_object_set_new(o, "valid", json_boolean(verdict_valid(v)));
	json_object_set_new(o, "status", json_string(verdict_status(v)));
	json_object_set_new(o, "provider",
	                    v->provider == TP_PROVIDER_NONE
	                            ? json_null()
	                            : json_string(provider_name(v->provider)));
	json_object_set_new(
	        o, "hardware_verified",
	        json_boolean(v->hardware_verified && verdict_valid(v)));
	json_object_set_new(o, "certificate_chain_valid",
	                    tri(v->certificate_chain_valid));
	json_object_set_new(o, "signature_valid", tri(v->signature_valid));
	json_object_set_new(o, "measurements_valid",
	                    tri(v->measurements_valid));
	json_object_set_new(o, "binding_valid", tri(v->binding_valid));
	json_object_set_new(o, "fresh", tri(v->fresh));
	json_object_set_new(o, "tcb_status",
	                    v->tcb_status[0] ? json_string(v->tcb_status)
	                                     : json_null());
	json_object_set(o, "advisory_ids", v->advisory_ids);
	json_object_set(o, "claims", v->claims);
	json_object_set(o, "checks", v->checks);
	json_object_set(o, "errors", v->errors);
	json_object_set(o, "collateral_sha256", v->collateral);
	json_object_set_new(o, "verified_at", json_string(at));
	if (v->submods != NULL)
		json_object_set(o, "submods", v->submods);
	return o;
}
