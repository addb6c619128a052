/*
 * common/fastjson.h against jansson, the reference: for every input,
 * fastjson_loadb accepts exactly what json_loadb(JSON_REJECT_DUPLICATES)
 * accepts, into the same tree with members in the same order; the fast
 * subset alone never accepts what jansson rejects; fastjson_dumps writes
 * what json_dumps writes, byte for byte. Inputs: the JSON
 * files of tests/data/, hand-made edge cases, and deterministic
 * mutations of a TDX request body.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/fastjson.h"
#include "tests/fuzz/json_same.h"

static size_t n_fast; /* inputs the subset parsed itself */

/* fastjson_dumps writes what json_dumps writes, for the flags it takes
 * and for others. */
static void
check_dumps(const json_t *j)
{
	static const size_t flags[] = {
	        JSON_COMPACT, JSON_COMPACT | JSON_ENSURE_ASCII, 0,
	        JSON_COMPACT | JSON_SORT_KEYS, JSON_INDENT(2)};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		char *want = json_dumps(j, flags[i]);
		char *got = fastjson_dumps(j, flags[i]);

		if ((want == NULL) != (got == NULL) ||
		    (want != NULL && strcmp(want, got) != 0))
			fail_msg("fastjson_dumps(%zx) differs: %.200s\nwant "
			         "%.200s",
			         flags[i], got ? got : "(null)",
			         want ? want : "(null)");
		free(want);
		free(got);
	}
}

/* One input: the verdicts and trees agree. */
static void
check(const char *buf, size_t len)
{
	json_t *ref = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *fast = fastjson_parse_subset(buf, len);
	json_t *got = fastjson_loadb(buf, len);

	if (fast != NULL) {
		n_fast++;
		if (ref == NULL || !same_tree(fast, ref))
			fail_msg("the subset accepted what jansson %s: %.*s",
			         ref == NULL ? "rejects" : "reads otherwise",
			         (int)(len < 200 ? len : 200), buf);
	}
	if ((ref == NULL) != (got == NULL) ||
	    (ref != NULL && !same_tree(got, ref)))
		fail_msg("fastjson_loadb differs from jansson on: %.*s",
		         (int)(len < 200 ? len : 200), buf);
	if (ref != NULL)
		check_dumps(ref);
	json_decref(ref);
	json_decref(fast);
	json_decref(got);
}

static void
check_str(const char *s)
{
	check(s, strlen(s));
}

static void
test_edges(void **state)
{
	static const char *const cases[] = {
	        "{}",
	        "[]",
	        " {} ",
	        "\t\r\n[ ]\n",
	        "{\"a\":1}",
	        "[1,2,3]",
	        "{\"a\":{\"b\":[true,false,null,\"x\"]}}",
	        "{\"\":\"\"}",
	        /* duplicates, also nested and escaped alike */
	        "{\"a\":1,\"a\":2}",
	        "{\"x\":{\"a\":1,\"a\":1}}",
	        "{\"a\":1,\"\\u0061\":2}",
	        "{\"a/\":1,\"a\\/\":2}",
	        /* escapes */
	        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
	        "[\"\\u0041\"]",
	        "[\"\\u0000\"]",
	        "{\"\\u0000\":1}",
	        "[\"\\ud800\"]",
	        "[\"\\ud83d\\ude00\"]",
	        "[\"\\x\"]",
	        "[\"\\\"]",
	        "[\"\\",
	        /* bytes */
	        "[\"\x01\"]",
	        "[\"\x7f\"]",
	        "[\"\xc3\xa9\"]",
	        "[\"\xc3\"]",
	        "[\"\xff\"]",
	        "[\"\xed\xa0\x80\"]",
	        /* numbers */
	        "[0]",
	        "[-0]",
	        "[01]",
	        "[-]",
	        "[1.5]",
	        "[1e3]",
	        "[1E3]",
	        "[-1]",
	        "[123456789012345678]",
	        "[1234567890123456789]",
	        "[9223372036854775807]",
	        "[9223372036854775808]",
	        "[-9223372036854775808]",
	        "[1.]",
	        "[.5]",
	        "[+1]",
	        "[0x10]",
	        /* literals */
	        "[true]",
	        "[truex]",
	        "[tru]",
	        "[nul]",
	        "[null1]",
	        "[True]",
	        /* structure */
	        "",
	        " ",
	        "1",
	        "\"s\"",
	        "true",
	        "null",
	        "{",
	        "[",
	        "}",
	        "]",
	        "{\"a\"}",
	        "{\"a\":}",
	        "{\"a\" 1}",
	        "{a:1}",
	        "{\"a\":1,}",
	        "[1,]",
	        "[,1]",
	        "[1 2]",
	        "{}{}",
	        "{} x",
	        "[]\x00",
	        "{\"a\":1}\n",
	        "[\"a\"\"b\"]",
	        "{'a':1}",
	        "[\"a\nb\"]",
	        "{\"a\":[1,{\"b\":2},[3]]}",
	};
	char deep[2 * (FASTJSON_MAX_DEPTH + 8) + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_str(cases[i]);
	/* Embedded NULs, given by length. */
	check("[\"a\0b\"]", 7);
	check("{\"a\":1}\0", 8);
	/* Depth: at the subset's bound, past it (jansson's), and deeper
	 * than jansson's own bound. */
	for (int d = FASTJSON_MAX_DEPTH - 1; d <= FASTJSON_MAX_DEPTH + 8; d++) {
		memset(deep, '[', (size_t)d);
		memset(deep + d, ']', (size_t)d);
		check(deep, 2 * (size_t)d);
	}
	{
		size_t d = 3000;
		char *b = malloc(2 * d);

		assert_non_null(b);
		memset(b, '[', d);
		memset(b + d, ']', d);
		check(b, 2 * d);
		free(b);
	}
}

/* Every byte below 0x80 (NUL included) in strings and keys, reals, and
 * non-ASCII text, serialised as jansson does. */
static void
test_dumps(void **state)
{
	char all[128];
	json_t *o = json_object(), *a = json_array();

	(void)state;
	for (int c = 0; c < 128; c++)
		all[c] = (char)c;
	assert_non_null(o);
	assert_non_null(a);
	json_object_setn_new_nocheck(o, all, sizeof(all),
	                             json_stringn_nocheck(all, sizeof(all)));
	json_object_set_new(o, "", json_string(""));
	json_object_set_new(o, "n", json_integer(-9223372036854775807 - 1));
	json_object_set_new(o, "m", json_integer(9223372036854775807));
	json_object_set_new(o, "t", json_true());
	json_object_set_new(o, "f", json_false());
	json_object_set_new(o, "z", json_null());
	json_object_set_new(o, "e", json_object());
	json_object_set_new(o, "a", json_array());
	json_object_set_new(o, "b", json_string("a/b"));
	json_array_append(a, o);
	check_dumps(o);
	check_dumps(a);
	/* What jansson serialises itself, for the same text. */
	json_object_set_new(o, "r", json_real(0.1));
	check_dumps(o);
	json_object_del(o, "r");
	json_object_set_new(o, "u", json_string("\xc3\xa9\xf0\x9f\x98\x80"));
	check_dumps(o);
	json_object_del(o, "u");
	check_dumps(json_object_get(o, "n")); /* not an object or array */
	{
		json_t *deep = json_array(), *at = deep;

		for (int d = 0; d < FASTJSON_MAX_DEPTH + 4; d++) {
			json_t *n = json_array();
			json_array_append_new(at, n);
			at = n;
		}
		check_dumps(deep);
		json_decref(deep);
	}
	json_decref(a);
	json_decref(o);
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    n < (8 << 20) && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) != NULL &&
	    fread(b, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static size_t n_files;

static void
walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), len;
		char *b;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path);
			continue;
		}
		if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0 ||
		    (b = read_all(path, &len)) == NULL)
			continue;
		check(b, len);
		n_files++;
		free(b);
	}
	closedir(d);
}

static void
test_samples(void **state)
{
	(void)state;
	n_files = n_fast = 0;
	walk("tests/data");
	/* The samples are there, and most are in the subset. */
	assert_true(n_files >= 20);
	assert_true(n_fast >= n_files / 2);
}

/* The body of a TDX verification with its collateral inline (what
 * bench-http sends), and deterministic mutations of it. */
static void
test_mutations(void **state)
{
	static const char boundary[] = {'"', '\\', '{',  '}',    '[',    ']',
	                                ',', ':',  'u',  '0',    '-',    'e',
	                                '.', ' ',  '\0', '\x80', '\xff', '\n'};
	size_t clen, n;
	char *coll = read_all(
	        "tests/data/tdx/dcapqvl_v4_uptodate/collateral.json", &clen);
	char *body, *m;
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	assert_non_null(coll);
	n = clen + 64;
	body = malloc(n);
	m = malloc(n + 8);
	assert_non_null(body);
	assert_non_null(m);
	n = (size_t)snprintf(body, n,
	                     "{\"attestation\":\"0400\",\"collateral\":%.*s}",
	                     (int)clen, coll);
	n_fast = 0;
	check(body, n);
	assert_int_equal(n_fast, 1); /* the real shape takes the fast path */
	for (int i = 0; i < 3000; i++) {
		size_t at, len = n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		at = (size_t)(x % n);
		memcpy(m, body, n);
		switch (x >> 60 & 3) {
		case 0: /* a boundary byte */
			m[at] = boundary[(x >> 32) % sizeof(boundary)];
			break;
		case 1: /* a bit */
			m[at] ^= (char)(1u << ((x >> 40) & 7));
			break;
		case 2: /* truncated */
			len = at;
			break;
		default: /* a byte deleted */
			memmove(m + at, m + at + 1, n - at - 1);
			len = n - 1;
			break;
		}
		check(m, len);
	}
	free(m);
	free(body);
	free(coll);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_edges),
	        cmocka_unit_test(test_dumps),
	        cmocka_unit_test(test_samples),
	        cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
