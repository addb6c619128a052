#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "verify/core/expected.h"

/* A key is echoed only when it is a plain identifier. */
static void
name_field(char *field, size_t len, const char *prefix, const char *key)
{
	size_t n = strlen(key);
	bool plain = n > 0 && n <= 64;

	for (size_t i = 0; plain && i < n; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '_')
			plain = false;
	snprintf(field, len, "%s%s", prefix, plain ? key : "(key)");
}

bool
expected_validate(const json_t *expected, char *field, size_t fieldlen)
{
	const char *key;
	json_t *val, *item;
	size_t i;

	if (!json_is_object(expected)) {
		snprintf(field, fieldlen, "expected");
		return false;
	}
	json_object_foreach((json_t *)expected, key, val)
	{
		if (strcmp(key, "runtime") == 0) {
			const char *rk;
			json_t *rv;
			if (!json_is_object(val)) {
				snprintf(field, fieldlen, "expected.runtime");
				return false;
			}
			json_object_foreach(val, rk, rv)
			{
				if (!json_is_string(rv) &&
				    !json_is_integer(rv) &&
				    !json_is_boolean(rv)) {
					name_field(field, fieldlen,
					           "expected.runtime.", rk);
					return false;
				}
			}
		} else if (strcmp(key, "model") == 0 ||
		           strcmp(key, "config") == 0) {
			if (!json_is_string(val)) {
				snprintf(field, fieldlen, "expected.%s", key);
				return false;
			}
		} else if (strcmp(key, "auditors") == 0) {
			if (!json_is_array(val)) {
				snprintf(field, fieldlen, "expected.auditors");
				return false;
			}
			json_array_foreach(val, i, item)
			{
				if (!json_is_string(item)) {
					snprintf(field, fieldlen,
					         "expected.auditors[%zu]", i);
					return false;
				}
			}
		} else if (strcmp(key, "components") == 0) {
			/* Measured components (verify/eventlog/appraise.h):
			 * name -> "<bank>:<hex>" | "<text>" | [ … ]. */
			const char *ck;
			json_t *cv;
			if (!json_is_object(val)) {
				snprintf(field, fieldlen,
				         "expected.components");
				return false;
			}
			json_object_foreach(val, ck, cv)
			{
				bool good = json_is_string(cv) ||
				            (json_is_array(cv) &&
				             json_array_size(cv) > 0);
				json_array_foreach(cv, i, item)
				{
					if (!json_is_string(item))
						good = false;
				}
				if (!good || strlen(ck) == 0 ||
				    strlen(ck) > 95) {
					name_field(field, fieldlen,
					           "expected.components.", ck);
					return false;
				}
			}
		} else {
			name_field(field, fieldlen, "expected.", key);
			return false;
		}
	}
	return true;
}

/* Digests and measurements compare case-insensitively (hex), in
 * constant time once the lengths agree; "0x" prefixes are ignored. */
static bool
value_equal(const char *want, const char *have)
{
	char a[256], b[256];
	size_t n;

	if (strncmp(want, "0x", 2) == 0)
		want += 2;
	if (strncmp(have, "0x", 2) == 0)
		have += 2;
	n = strlen(want);
	if (n != strlen(have) || n >= sizeof(a))
		return n == strlen(have) && strcmp(want, have) == 0;
	for (size_t i = 0; i < n; i++) {
		a[i] = (char)tolower((unsigned char)want[i]);
		b[i] = (char)tolower((unsigned char)have[i]);
	}
	return CRYPTO_memcmp(a, b, n) == 0;
}

static bool
json_value_equal(json_t *want, json_t *have)
{
	if (json_is_string(want) && json_is_string(have))
		return value_equal(json_string_value(want),
		                   json_string_value(have));
	return json_equal(want, have);
}

static void
check_runtime(json_t *runtime, struct verdict *v, bool *all)
{
	const char *key;
	json_t *want;

	json_object_foreach(runtime, key, want)
	{
		json_t *have = json_object_get(v->claims, key);
		char check[96];

		snprintf(check, sizeof(check), "expected_runtime");
		if (have == NULL) {
			*all = false;
			verdict_fail(v, check, TP_ERR_measurement_unknown,
			             "expected.runtime names a claim that %s "
			             "evidence does not carry",
			             provider_name(v->provider));
		} else if (!json_value_equal(want, have)) {
			*all = false;
			verdict_fail(
			        v, check, TP_ERR_measurement_mismatch,
			        "claim %.64s differs from its expected value",
			        key);
		} else {
			verdict_pass(v, check);
		}
	}
}

static void
check_bound_string(const char *name, json_t *want, struct verdict *v,
                   enum tp_err code, bool *all)
{
	json_t *have = json_object_get(v->bound, name);
	char check[32];

	snprintf(check, sizeof(check), "expected_%s", name);
	if (v->bound == NULL) {
		*all = false;
		verdict_fail(
		        v, check, TP_ERR_runtime_data_missing,
		        "expected.%s needs runtime_data bound to the evidence "
		        "that names the %s",
		        name, name);
	} else if (!json_is_string(have) ||
	           !value_equal(json_string_value(want),
	                        json_string_value(have))) {
		*all = false;
		verdict_fail(v, check, code,
		             "runtime_data.%s differs from expected.%s", name,
		             name);
	} else {
		verdict_pass(v, check);
	}
}

/* Auditors compare as sets: same members, any order. */
static bool
same_set(json_t *a, json_t *b)
{
	size_t i, j;
	json_t *x, *y;

	if (!json_is_array(a) || !json_is_array(b) ||
	    json_array_size(a) != json_array_size(b))
		return false;
	json_array_foreach(a, i, x)
	{
		bool found = false;
		json_array_foreach(b, j, y)
		{
			if (json_is_string(y) &&
			    value_equal(json_string_value(x),
			                json_string_value(y))) {
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

void
expected_appraise(const json_t *expected, struct verdict *v)
{
	json_t *runtime, *model, *config, *auditors;
	bool all = true;

	if (expected == NULL || json_object_size(expected) == 0)
		return;
	runtime = json_object_get(expected, "runtime");
	model = json_object_get(expected, "model");
	config = json_object_get(expected, "config");
	auditors = json_object_get(expected, "auditors");
	if (runtime != NULL)
		check_runtime(runtime, v, &all);
	if (model != NULL)
		check_bound_string("model", model, v, TP_ERR_model_mismatch,
		                   &all);
	if (config != NULL)
		check_bound_string("config", config, v, TP_ERR_config_mismatch,
		                   &all);
	if (auditors != NULL) {
		if (v->bound == NULL) {
			all = false;
			verdict_fail(
			        v, "expected_auditors",
			        TP_ERR_runtime_data_missing,
			        "expected.auditors needs runtime_data bound to "
			        "the evidence");
		} else if (!same_set(auditors,
		                     json_object_get(v->bound, "auditors"))) {
			all = false;
			verdict_fail(v, "expected_auditors",
			             TP_ERR_auditors_mismatch,
			             "runtime_data.auditors differs from "
			             "expected.auditors");
		} else {
			verdict_pass(v, "expected_auditors");
		}
	}
	v->measurements_valid = all ? TP_TRUE : TP_FALSE;
}
