/*
 * The memos of what an appraisal records (handlers/reappraise.h,
 * issue 19): an artifact's name from its content and a collateral set's
 * list and digest, over the real TDX collateral of
 * tests/data/tdx/dcapqvl_v4_uptodate. A hit gives what a miss computes;
 * bytes that differ in one place are never a hit; both memos are
 * bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "handlers/reappraise.h"
#include "load/load.h"

#define COLLATERAL "tests/data/tdx/dcapqvl_v4_uptodate/collateral.json"

/* The sample's collateral as the request loader fills it (no keys). */
static void
load_sample(struct artifact_set *set)
{
	json_t *doc = json_load_file(COLLATERAL, 0, NULL);

	assert_non_null(doc);
	artifact_set_init(set);
	load_json(TP_PROVIDER_INTEL_TDX, doc, set);
	json_decref(doc);
	assert_false(set->malformed);
	assert_int_equal(set->n, 4);
}

/* The sample's FMSPC, read from its TCB Info here (as written there). */
static void
sample_fmspc(char out[13])
{
	json_t *doc = json_load_file(COLLATERAL, 0, NULL), *tcb;
	const char *text;

	assert_non_null(doc);
	text = json_string_value(json_object_get(doc, "tcb_info"));
	assert_non_null(text);
	tcb = json_loads(text, 0, NULL);
	assert_non_null(tcb);
	snprintf(out, 13, "%s",
	         json_string_value(json_object_get(tcb, "fmspc")));
	json_decref(tcb);
	json_decref(doc);
}

static struct artifact *
item(struct artifact_set *set, enum artifact_kind k)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->items[i].kind == k)
			return &set->items[i];
	fail_msg("no artifact of kind %d", (int)k);
	return NULL;
}

static void
names_counted(uint64_t hits, uint64_t misses)
{
	struct lru_stats n, s;

	appraisal_memo_stats(&n, &s);
	assert_int_equal(n.hits, hits);
	assert_int_equal(n.misses, misses);
}

static void
test_name_memo(void **state)
{
	struct artifact_set set;
	struct artifact *tcb, *qe, *crl;
	char fmspc[13], want[32], key[160], *at;
	struct lru_stats n, s;

	(void)state;
	appraisal_memo_configure(2, 4);
	load_sample(&set);
	sample_fmspc(fmspc);
	snprintf(want, sizeof(want), "tdx/%s", fmspc);
	/* The key spells the FMSPC in lower-case hex. */
	for (char *c = want; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	tcb = item(&set, ARTIFACT_INTEL_TCB_INFO);
	qe = item(&set, ARTIFACT_INTEL_QE_IDENTITY);
	crl = item(&set, ARTIFACT_INTEL_PCK_CRL);
	assert_string_equal(tcb->key, "");

	/* Miss, then a hit with the same name. */
	appraisal_artifact_name(tcb, NULL, key, sizeof(key));
	assert_string_equal(key, want);
	names_counted(0, 1);
	memset(key, 0, sizeof(key));
	appraisal_artifact_name(tcb, NULL, key, sizeof(key));
	assert_string_equal(key, want);
	names_counted(1, 1);

	/* One byte different in the FMSPC: a miss, named from the new
	 * bytes. */
	at = strstr((char *)tcb->body, fmspc);
	assert_non_null(at);
	at[11] = at[11] == '0' ? '1' : '0';
	appraisal_artifact_name(tcb, NULL, key, sizeof(key));
	assert_string_not_equal(key, want);
	assert_int_equal(strncmp(key, want, strlen(want) - 1), 0);
	names_counted(1, 2);
	/* One byte different where the name does not come from (the
	 * signature's hex): a miss all the same, the name unchanged. */
	at[11] = fmspc[11];
	at = strstr((char *)tcb->body, "\"signature\":\"");
	assert_non_null(at);
	at[13] = at[13] == '0' ? '1' : '0';
	appraisal_artifact_name(tcb, NULL, key, sizeof(key));
	assert_string_equal(key, want);
	names_counted(1, 3);

	/* Bounded: at most 2 entries, the least recently used evicted (the
	 * original TCB Info went when the third entry came), and named
	 * again on its next use. */
	appraisal_artifact_name(qe, NULL, key, sizeof(key));
	assert_string_equal(key, "tdx");
	appraisal_artifact_name(crl, NULL, key, sizeof(key));
	assert_string_equal(key, "platform");
	appraisal_memo_stats(&n, &s);
	assert_int_equal(n.entries, 2);
	assert_true(n.evictions >= 2);
	appraisal_artifact_name(tcb, NULL, key, sizeof(key));
	assert_string_equal(key, want);
	names_counted(1, 6);

	/* A loader's key is used as it is, without the memo. */
	snprintf(tcb->key, sizeof(tcb->key), "%s/early", want);
	appraisal_artifact_name(tcb, NULL, key, sizeof(key));
	assert_string_equal(key, tcb->key);
	names_counted(1, 6);
	artifact_set_clear(&set);
}

/* The hex SHA-256 of JSON's list dumped with sorted keys. */
static void
sorted_digest(const char *json, char hex[65])
{
	json_t *list = json_loads(json, 0, NULL);
	char *text;
	uint8_t md[32];

	assert_non_null(list);
	text = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(text);
	SHA256((const uint8_t *)text, strlen(text), md);
	codec_hex_encode_to(md, 32, hex);
	free(text);
	json_decref(list);
}

static void
sets_counted(uint64_t hits, uint64_t misses)
{
	struct lru_stats n, s;

	appraisal_memo_stats(&n, &s);
	assert_int_equal(s.hits, hits);
	assert_int_equal(s.misses, misses);
}

static void
test_set_memo(void **state)
{
	struct artifact_set set[2];
	char hex[65], hex2[65], hex3[65], want[65], *json = NULL;
	char *json2 = NULL, *json3 = NULL;
	struct artifact *crl;
	struct lru_stats n, s;
	json_t *list;

	(void)state;
	appraisal_memo_configure(16, 2);
	load_sample(&set[0]);
	load_sample(&set[1]);

	/* Miss: the list and the digest of its sorted form. */
	assert_true(appraisal_collateral_set(set, 0, hex, &json));
	sets_counted(0, 1);
	sorted_digest(json, want);
	assert_string_equal(hex, want);
	list = json_loads(json, 0, NULL);
	assert_int_equal(json_array_size(list), 4);
	json_decref(list);
	/* Hit: the same, byte for byte. */
	assert_true(appraisal_collateral_set(set, 0, hex2, &json2));
	sets_counted(1, 1);
	assert_string_equal(hex2, hex);
	assert_string_equal(json2, json);
	free(json2);
	json2 = NULL;

	/* One byte of the PCK CRL different: a miss, another digest. */
	crl = item(&set[0], ARTIFACT_INTEL_PCK_CRL);
	crl->body[crl->body_len - 1] ^= 0x01;
	assert_true(appraisal_collateral_set(set, 0, hex2, &json2));
	sets_counted(1, 2);
	assert_string_not_equal(hex2, hex);
	sorted_digest(json2, want);
	assert_string_equal(hex2, want);
	crl->body[crl->body_len - 1] ^= 0x01;

	/* The same set as a device's (entries with "device": 1) is another
	 * list; with 2 entries at most, it evicts the oldest. */
	assert_true(appraisal_collateral_set(set, 1, hex3, &json3));
	sets_counted(1, 3);
	assert_string_not_equal(hex3, hex);
	assert_non_null(strstr(json3, "\"device\":1"));
	appraisal_memo_stats(&n, &s);
	assert_int_equal(s.entries, 2);
	assert_int_equal(s.evictions, 1);
	/* The first set was evicted: computed again, to the same. */
	free(json2);
	assert_true(appraisal_collateral_set(set, 0, hex2, &json2));
	sets_counted(1, 4);
	assert_string_equal(hex2, hex);
	assert_string_equal(json2, json);

	free(json);
	free(json2);
	free(json3);
	artifact_set_clear(&set[0]);
	artifact_set_clear(&set[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_name_memo),
	        cmocka_unit_test(test_set_memo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
