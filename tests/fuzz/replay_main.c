/*
 * The replay driver of the fuzz targets (docs/testing.md, "Fuzzing"):
 * links with one tests/fuzz/fuzz_<name>.c and calls its
 * LLVMFuzzerTestOneInput, without libFuzzer, on
 *
 *  - every file tests/fuzz/corpus/<name>.list names (paths relative to
 *    the source root, one a line, '#' comments): the real samples of
 *    tests/data/, named rather than copied;
 *  - every file of tests/fuzz/corpus/<name>/ (seeds that are no sample:
 *    extracts, hand-made shapes);
 *  - every file of tests/fuzz/hostile/<name>/ (inputs that crashed or
 *    hung a parser once, and hand-made edge cases), as they are;
 *  - MUTATIONS deterministic mutations of each seed (bit flips,
 *    truncations, insertions, overwrites with boundary values, deleted
 *    and repeated ranges), from a PRNG seeded by the seed's path, so a
 *    run is the same every time and a failure names the input that
 *    failed ("seed#k").
 *
 * Usage: fuzz_replay_<name> SOURCE_ROOT NAME [MUTATIONS]. The environment
 * variable FUZZ_REPLAY_MUTATIONS overrides MUTATIONS. A seed that is
 * listed but missing, or no seed at all, fails the run: a replay that
 * feeds nothing cannot fail.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#define REPLAY_MAX_FILE (8u << 20)

struct replay {
	const char *root;
	const char *name;
	unsigned mutations;
	size_t seeds, hostile, runs;
	const char *current; /* what runs now, for a crash report */
};

static struct replay R;

/* The sanitizers' hook, when the program is built with one. */
extern void __sanitizer_set_death_callback(void (*cb)(void))
        __attribute__((weak));

/* Names the input that was running when the process dies (a sanitizer
 * report, a signal): the seed's path and the mutation's number. */
static void
report_current(void)
{
	static volatile sig_atomic_t reported;
	const char *p = R.current != NULL ? R.current : "(none)";

	if (reported)
		return;
	reported = 1;
	if (write(2, "fuzz_replay: failing input: ", 28) < 0 ||
	    write(2, p, strlen(p)) < 0 || write(2, "\n", 1) < 0)
		return;
}

static void
on_signal(int sig)
{
	report_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* splitmix64: small, good enough and identical on every platform. */
static uint64_t
prng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t
prng_below(uint64_t *s, size_t n)
{
	return n == 0 ? 0 : (size_t)(prng_next(s) % n);
}

/* snprintf that refuses to truncate: a path too long for the driver's
 * buffers ends the run rather than naming another file. */
static void
join(char *out, size_t n, const char *a, const char *sep, const char *b)
{
	int w = snprintf(out, n, "%s%s%s", a, sep, b);

	if (w < 0 || (size_t)w >= n) {
		fprintf(stderr, "fuzz_replay: path too long: %s %s\n", a, b);
		exit(1);
	}
}

static bool
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, got;
	bool ok = false;

	if (f == NULL)
		return false;
	for (;;) {
		if (n == cap) {
			uint8_t *nb;

			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > REPLAY_MAX_FILE ||
			    (nb = realloc(buf, cap)) == NULL)
				goto out;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto out;
	*out = buf;
	*len = n;
	buf = NULL;
	ok = true;
out:
	free(buf);
	fclose(f);
	return ok;
}

/* One call of the target on an exact-size copy of BUF, so that ASan
 * sees a read one byte past the end. */
static void
run_one(const uint8_t *buf, size_t len, const char *what)
{
	uint8_t *copy = malloc(len == 0 ? 1 : len);

	if (copy == NULL)
		abort();
	if (len > 0)
		memcpy(copy, buf, len);
	R.current = what;
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	R.runs++;
}

static const uint32_t boundary[] = {0x00000000u, 0xffffffffu, 0x7fffffffu,
                                    0x80000000u, 0x0000ffffu, 0x00000001u,
                                    0x00010000u, 0xfffffffeu};

/* Mutation K of SEED (LEN bytes) into OUT (room for LEN + 64 bytes);
 * returns its length. */
static size_t
mutate(const uint8_t *seed, size_t len, unsigned k, uint64_t *s, uint8_t *out)
{
	size_t n = len, i, pos, cnt;
	uint32_t b;

	memcpy(out, seed, len);
	if (len == 0) {
		out[0] = (uint8_t)prng_next(s);
		return 1;
	}
	switch (k % 8) {
	case 0: /* one bit */
		pos = prng_below(s, len);
		out[pos] ^= (uint8_t)(1u << prng_below(s, 8));
		break;
	case 1: /* a few bits */
		cnt = 2 + prng_below(s, 7);
		for (i = 0; i < cnt; i++)
			out[prng_below(s, len)] ^=
			        (uint8_t)(1u << prng_below(s, 8));
		break;
	case 2: /* truncation: the first ones at fixed points */
		switch (k / 8) {
		case 0:
			n = len - 1;
			break;
		case 1:
			n = len / 2;
			break;
		case 2:
			n = len > 48 ? 48 : len / 3;
			break;
		default:
			n = prng_below(s, len);
		}
		break;
	case 3: /* bytes inserted */
		pos = prng_below(s, len + 1);
		cnt = 1 + prng_below(s, 16);
		memmove(out + pos + cnt, out + pos, len - pos);
		for (i = 0; i < cnt; i++)
			out[pos + i] = (uint8_t)prng_next(s);
		n = len + cnt;
		break;
	case 4: /* a boundary value over 1, 2 or 4 bytes (lengths) */
		b = boundary[prng_below(s,
		                        sizeof(boundary) / sizeof(*boundary))];
		cnt = (size_t)1 << prng_below(s, 3);
		if (cnt > len)
			cnt = len;
		pos = prng_below(s, len - cnt + 1);
		for (i = 0; i < cnt; i++)
			out[pos + i] = (uint8_t)(b >> (8 * i));
		break;
	case 5: /* a range deleted */
		pos = prng_below(s, len);
		cnt = 1 + prng_below(s, len - pos < 64 ? len - pos : 64);
		memmove(out + pos, out + pos + cnt, len - pos - cnt);
		n = len - cnt;
		break;
	case 6: /* a range repeated (at most 64 bytes) */
		pos = prng_below(s, len);
		cnt = 1 + prng_below(s, len - pos < 64 ? len - pos : 64);
		memmove(out + pos + cnt, out + pos, len - pos);
		n = len + cnt;
		break;
	default: /* one byte replaced by a random one */
		out[prng_below(s, len)] = (uint8_t)prng_next(s);
		break;
	}
	return n;
}

static void
run_seed(const char *path, const char *rel, bool mutations)
{
	uint8_t *buf = NULL, *m;
	size_t len = 0, n;
	uint64_t s;
	unsigned k;
	char what[1200];

	if (!read_file(path, &buf, &len)) {
		fprintf(stderr, "fuzz_replay %s: cannot read %s: %s\n", R.name,
		        path, strerror(errno));
		exit(1);
	}
	join(what, sizeof(what), rel, "", "");
	run_one(buf, len, what);
	if (mutations) {
		if ((m = malloc(len + 64)) == NULL)
			abort();
		s = fnv1a(rel);
		for (k = 0; k < R.mutations; k++) {
			n = mutate(buf, len, k, &s, m);
			if (snprintf(what, sizeof(what), "%s#%u", rel, k) < 0)
				abort();
			run_one(m, n, what);
		}
		free(m);
	}
	free(buf);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of REL (a directory under the source root), in
 * name order; false when REL does not exist. */
static bool
run_dir(const char *rel, bool mutations, size_t *count)
{
	char dir[512], path[1024], relpath[1024];
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *e;
	struct stat st;
	DIR *d;

	join(dir, sizeof(dir), R.root, "/", rel);
	if ((d = opendir(dir)) == NULL)
		return false;
	while ((e = readdir(d)) != NULL) {
		char **nn;

		if (e->d_name[0] == '.')
			continue;
		join(path, sizeof(path), dir, "/", e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			abort();
		names = nn;
		if ((names[n++] = strdup(e->d_name)) == NULL)
			abort();
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		join(path, sizeof(path), dir, "/", names[i]);
		join(relpath, sizeof(relpath), rel, "/", names[i]);
		run_seed(path, relpath, mutations);
		(*count)++;
		free(names[i]);
	}
	free(names);
	return true;
}

/* The files tests/fuzz/corpus/NAME.list names; false without a list. */
static bool
run_list(const char *rel)
{
	char list[512], line[512], path[1024];
	FILE *f;

	join(list, sizeof(list), R.root, "/", rel);
	if ((f = fopen(list, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\r\n#");

		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		line[n] = '\0';
		if (n == 0)
			continue;
		join(path, sizeof(path), R.root, "/", line);
		run_seed(path, line, true);
		R.seeds++;
	}
	fclose(f);
	return true;
}

/* Degenerate and hostile inputs every parser must refuse cleanly:
 * nothing, one byte, pages of 0x00 and 0xFF (lengths and counts at their
 * extremes), deep nesting for the JSON, CBOR and XML readers. */
static void
run_builtin(void)
{
	static const struct {
		const char *what, *unit;
		size_t unit_len, reps;
	} fill[] = {
	        {"(4 KiB of 0x00)", "\0", 1, 4096},
	        {"(4 KiB of 0xFF)", "\xff", 1, 4096},
	        {"(64 KiB of 0xFF)", "\xff", 1, 65536},
	        {"(JSON: 100000 '[')", "[", 1, 100000},
	        {"(JSON: 50000 '{\"a\":')", "{\"a\":", 5, 50000},
	        {"(CBOR: 100000 arrays of one)", "\x81", 1, 100000},
	        {"(CBOR: 50000 maps of one)", "\xa1\x01", 2, 50000},
	        {"(CBOR: 100000 tags 18)", "\xd2", 1, 100000},
	        {"(XML: 20000 nested elements)", "<a>", 3, 20000},
	        {"(PEM: 2000 BEGIN lines)", "-----BEGIN CERTIFICATE-----\n", 28,
	         2000},
	};
	uint8_t *buf;
	size_t i, j;

	run_one((const uint8_t *)"", 0, "(empty)");
	run_one((const uint8_t *)"\0", 1, "(one NUL byte)");
	for (i = 0; i < sizeof(fill) / sizeof(*fill); i++) {
		size_t n = fill[i].unit_len * fill[i].reps;

		if ((buf = malloc(n)) == NULL)
			abort();
		for (j = 0; j < fill[i].reps; j++)
			memcpy(buf + j * fill[i].unit_len, fill[i].unit,
			       fill[i].unit_len);
		run_one(buf, n, fill[i].what);
		free(buf);
	}
}

int
main(int argc, char **argv)
{
	const char *env = getenv("FUZZ_REPLAY_MUTATIONS");
	char rel[512];
	struct timespec t0, t1;
	bool any = false;
	long ms;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s SOURCE_ROOT NAME [MUTATIONS]\n",
		        argv[0]);
		return 2;
	}
	R.root = argv[1];
	R.name = argv[2];
	R.mutations = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 64;
	if (env != NULL && *env != '\0')
		R.mutations = (unsigned)strtoul(env, NULL, 10);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(report_current);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	run_builtin();

	join(rel, sizeof(rel), "tests/fuzz/corpus/", R.name, ".list");
	any |= run_list(rel);
	join(rel, sizeof(rel), "tests/fuzz/corpus/", R.name, "");
	any |= run_dir(rel, true, &R.seeds);
	join(rel, sizeof(rel), "tests/fuzz/hostile/", R.name, "");
	run_dir(rel, false, &R.hostile);
	if (!any || R.seeds == 0) {
		fprintf(stderr,
		        "fuzz_replay %s: no seed (tests/fuzz/corpus/%s.list or "
		        "tests/fuzz/corpus/%s/)\n",
		        R.name, R.name, R.name);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	printf("fuzz_replay %s: %zu seeds x %u mutations, %zu hostile, %zu "
	       "runs in %ld ms\n",
	       R.name, R.seeds, R.mutations, R.hostile, R.runs, ms);
	return 0;
}
