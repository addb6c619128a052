#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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

/* "pcr0".."pcr23". */
static bool
pcr_name(const char *k)
{
	char *end;
	long n;

	if (strncmp(k, "pcr", 3) != 0 || !isdigit((unsigned char)k[3]) ||
	    (k[3] == '0' && k[4] != '\0'))
		return false;
	n = strtol(k + 3, &end, 10);
	return *end == '\0' && n >= 0 && n <= 23;
}

/* expected.pcrs: {"sha1"|"sha256"|"sha384"|"sha512": {"pcrN": hex}}, the
 * shape of the claims.pcrs of the TPM-quote formats. */
static bool
pcrs_validate(json_t *val, char *field, size_t fieldlen)
{
	static const char *const banks[] = {"sha1", "sha256", "sha384",
	                                    "sha512"};
	static const size_t hexlen[] = {40, 64, 96, 128};
	const char *bk, *pk;
	json_t *bv, *pv;

	if (!json_is_object(val) || json_object_size(val) == 0) {
		snprintf(field, fieldlen, "expected.pcrs");
		return false;
	}
	json_object_foreach(val, bk, bv)
	{
		size_t b = 0, want;

		while (b < 4 && strcmp(bk, banks[b]) != 0)
			b++;
		if (b == 4 || !json_is_object(bv) ||
		    json_object_size(bv) == 0) {
			name_field(field, fieldlen, "expected.pcrs.", bk);
			return false;
		}
		want = hexlen[b];
		json_object_foreach(bv, pk, pv)
		{
			const char *h = json_string_value(pv);
			bool good = pcr_name(pk) && h != NULL;

			if (good && strncmp(h, "0x", 2) == 0)
				h += 2;
			good = good && strlen(h) == want;
			for (size_t i = 0; good && i < want; i++)
				good = isxdigit((unsigned char)h[i]) != 0;
			if (!good) {
				snprintf(field, fieldlen, "expected.pcrs.%s.%s",
				         banks[b], pcr_name(pk) ? pk : "(key)");
				return false;
			}
		}
	}
	return true;
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
		} else if (strcmp(key, "pcrs") == 0) {
			if (!pcrs_validate(val, field, fieldlen))
				return false;
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

/* Each expected PCR against claims.pcrs.<bank>.pcrN, which the TPM-quote
 * formats fill only for PCRs whose quoted digest matched. */
static void
check_pcrs(json_t *pcrs, struct verdict *v, bool *all)
{
	json_t *claimed = json_object_get(v->claims, "pcrs");
	const char *bk, *pk;
	json_t *bv, *want;

	json_object_foreach(pcrs, bk, bv)
	{
		json_object_foreach(bv, pk, want)
		{
			json_t *have = json_object_get(
			        json_object_get(claimed, bk), pk);

			if (!json_is_string(have)) {
				*all = false;
				verdict_fail(v, "expected_pcrs",
				             TP_ERR_measurement_unknown,
				             "expected.pcrs.%s.%s: %s evidence "
				             "carries no such quoted PCR",
				             bk, pk,
				             provider_name(v->provider));
			} else if (!value_equal(json_string_value(want),
			                        json_string_value(have))) {
				*all = false;
				verdict_fail(
				        v, "expected_pcrs",
				        TP_ERR_measurement_mismatch,
				        "PCR %s:%s is %.128s, expected %.130s",
				        bk, pk, json_string_value(have),
				        json_string_value(want));
			} else {
				verdict_pass(v, "expected_pcrs");
			}
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
	json_t *runtime, *model, *config, *auditors, *pcrs;
	bool all = true;

	if (expected == NULL || json_object_size(expected) == 0)
		return;
	runtime = json_object_get(expected, "runtime");
	model = json_object_get(expected, "model");
	config = json_object_get(expected, "config");
	auditors = json_object_get(expected, "auditors");
	if (runtime != NULL)
		check_runtime(runtime, v, &all);
	if ((pcrs = json_object_get(expected, "pcrs")) != NULL)
		check_pcrs(pcrs, v, &all);
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
