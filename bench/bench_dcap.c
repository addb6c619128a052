/*
 * Intel DCAP verification throughput on one core: the real samples of
 * tests/data/{sgx,tdx} verified in a loop at their MANIFEST times with the
 * collateral already loaded (artifacts in memory, no I/O in the loop).
 * Verified collateral and PCK chains are cached by content hash, so after
 * the warm up a quote costs its own two ECDSA P-256 verifications (quote
 * signature, QE report signature) plus parsing and hashing. Two more
 * figures: a quote from a platform never seen (its PCK leaf and key not
 * cached; the shared collateral and Intel's PCK CA cached) and a fully
 * cold one. Then a fleet of 10,000 platforms in rotation with the heap
 * its cache takes, and the same fleet with a 128-entry platform cache.
 * Rates are per CPU-second of this process (bench/bench_util.h), so a
 * loaded machine gives the same figure as an idle one.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "bench/bench_util.h"
#include "load/load.h"
#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_quote.h"
#include "verify/verify.h"

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n)) != NULL &&
	    fread(b, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* BENCH_DCAP_ROUNDS=N: N quotes a case instead of a CPU-time budget
 * (repeatable instruction counts under valgrind --tool=callgrind). */
static long fixed_rounds;

/* What is cached when each quote arrives. */
enum warmth {
	HOT,          /* everything: a platform seen before */
	NEW_PLATFORM, /* the collateral, not the platform's PCK chain and key:
	               * a fleet where each quote comes from another machine
	               * sharing the FMSPC's TCB Info */
	COLD,         /* nothing */
};

/* Verifies DIR's quote with its collateral.json at NOW; quotes/s. */
static double
bench(const char *dir, enum tp_provider p, int64_t now,
      const struct verify_config *cfg, enum warmth w)
{
	char path[512];
	uint8_t *quote;
	size_t len = 0;
	json_t *coll;
	struct verify_request req;
	struct verdict v;
	struct artifact_set set;
	double t0, t;
	long n = 0;

	snprintf(path, sizeof(path), "%s/quote.bin", dir);
	quote = slurp(path, &len);
	snprintf(path, sizeof(path), "%s/collateral.json", dir);
	coll = json_load_file(path, 0, NULL);
	if (quote == NULL || coll == NULL) {
		fprintf(stderr,
		        "bench_dcap: cannot read %s (run from the "
		        "source root)\n",
		        dir);
		exit(1);
	}
	memset(&req, 0, sizeof(req));
	req.evidence = quote;
	req.evidence_len = len;
	req.provider = p;
	artifact_set_init(&set);
	load_json(p, coll, &set);
	req.artifacts = &set;
	req.now = now;
	req.cfg = cfg;
	/* Warm up (fills the caches) and check the verdict once. */
	verify_run(&req, &v);
	if (!verdict_valid(&v)) {
		fprintf(stderr, "bench_dcap: %s does not verify\n", dir);
		exit(1);
	}
	verdict_free(&v);
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < (w != HOT ? 20 : 200); i++) {
			if (w == COLD)
				dcap_cache_clear();
			else if (w == NEW_PLATFORM)
				dcap_cache_clear_platform();
			verify_run(&req, &v);
			verdict_free(&v);
		}
		n += w != HOT ? 20 : 200;
		t = bench_cpu_s() - t0;
	} while (fixed_rounds > 0 ? n < fixed_rounds
	                          : t < (w != HOT ? 1.0 : 2.0));
	free(quote);
	json_decref(coll);
	artifact_set_clear(&set);
	return (double)n / t;
}

#define FLEET 10000

static void
put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * QUOTE with the line "platform NNNNNNN\n" before its PCK chain's first
 * PEM block (RFC 7468 explanatory text, which PEM readers skip and which
 * no signature covers): the same real certificates, another chain text,
 * so another cache key. The three lengths that enclose the chain (the
 * signature data, the QE certification data, the PCK chain) grow by the
 * line; everything signed is untouched.
 */
static uint8_t *
platform_variant(const uint8_t *quote, size_t len, int i, size_t *out_len)
{
	struct dcap_quote q;
	char why[240], line[32];
	size_t at, sig_at, outer_at, n;
	uint8_t *b;

	if (dcap_quote_parse(quote, len, &q, why, sizeof(why)) != TP_ERR_none)
		return NULL;
	n = (size_t)snprintf(line, sizeof(line), "platform %07d\n", i);
	at = (size_t)(q.cert_data - quote);
	sig_at = q.signed_len;               /* signature_data_len */
	outer_at = sig_at + 4 + 64 + 64 + 2; /* QE certification data size */
	if ((b = malloc(len + n)) == NULL)
		return NULL;
	memcpy(b, quote, at);
	memcpy(b + at, line, n);
	memcpy(b + at + n, quote + at, len - at);
	put_le32(b + sig_at, get_le32(b + sig_at) + (uint32_t)n);
	put_le32(b + outer_at, get_le32(b + outer_at) + (uint32_t)n);
	put_le32(b + at - 4, get_le32(b + at - 4) + (uint32_t)n);
	*out_len = len + n;
	return b;
}

/*
 * A fleet of FLEET platforms under one FMSPC (one TCB Info, QE Identity,
 * CRL pair and PCK CA), each quote from the next platform in turn, with
 * the per-platform cache bounded at PLATFORM_MAX entries. With FILL a
 * first round (every platform new, each verdict checked) fills the cache
 * and is not timed; *BYTES is the heap that round added (what the cache
 * holds for the fleet). Quotes per CPU-second.
 */
static double
bench_fleet(const char *dir, int64_t now, const struct verify_config *cfg,
            size_t platform_max, bool fill, double *bytes, bool *all_valid)
{
	char path[512];
	uint8_t *quote, **q;
	size_t len = 0, *qlen, before;
	json_t *coll;
	struct verify_request req;
	struct verdict v;
	struct artifact_set set;
	double t0, t;
	long n = 0;

	snprintf(path, sizeof(path), "%s/quote.bin", dir);
	quote = slurp(path, &len);
	snprintf(path, sizeof(path), "%s/collateral.json", dir);
	coll = json_load_file(path, 0, NULL);
	q = calloc(FLEET, sizeof(*q));
	qlen = calloc(FLEET, sizeof(*qlen));
	if (quote == NULL || coll == NULL || q == NULL || qlen == NULL) {
		fprintf(stderr, "bench_dcap: cannot read %s\n", dir);
		exit(1);
	}
	for (int i = 0; i < FLEET; i++)
		if ((q[i] = platform_variant(quote, len, i, &qlen[i])) ==
		    NULL) {
			fprintf(stderr, "bench_dcap: %s: no variant\n", dir);
			exit(1);
		}
	dcap_cache_clear();
	dcap_cache_configure(DCAP_CACHE_SHARED_DEFAULT, platform_max);
	memset(&req, 0, sizeof(req));
	req.provider = TP_PROVIDER_INTEL_TDX;
	artifact_set_init(&set);
	load_json(TP_PROVIDER_INTEL_TDX, coll, &set);
	req.artifacts = &set;
	req.now = now;
	req.cfg = cfg;
	/* The shared collateral first, then every platform once (each
	 * verdict checked: a variant that did not verify would measure a
	 * refusal). */
	req.evidence = quote;
	req.evidence_len = len;
	verify_run(&req, &v);
	*all_valid = verdict_valid(&v);
	verdict_free(&v);
	before = bench_heap_in_use();
	for (int i = 0; fill && i < FLEET; i++) {
		req.evidence = q[i];
		req.evidence_len = qlen[i];
		verify_run(&req, &v);
		*all_valid = *all_valid && verdict_valid(&v);
		verdict_free(&v);
	}
	*bytes = (double)bench_heap_in_use() - (double)before;
	t0 = bench_cpu_s();
	do {
		for (int k = 0; k < 200; k++, n++) {
			req.evidence = q[n % FLEET];
			req.evidence_len = qlen[n % FLEET];
			verify_run(&req, &v);
			verdict_free(&v);
		}
		t = bench_cpu_s() - t0;
	} while (t < 2.0);
	for (int i = 0; i < FLEET; i++)
		free(q[i]);
	free(q);
	free(qlen);
	free(quote);
	json_decref(coll);
	artifact_set_clear(&set);
	dcap_cache_clear();
	dcap_cache_configure(DCAP_CACHE_SHARED_DEFAULT,
	                     DCAP_CACHE_PLATFORM_DEFAULT);
	return (double)n / t;
}

int
main(int argc, char **argv)
{
	struct verify_config cfg;
	const char *root = argc > 1 ? argv[1] : ".";
	/* An optional second argument runs one case only (profiling:
	 * hot, new_platform, cold, fleet). */
	const char *only = argc > 2 ? argv[2] : NULL;
	char tdx[512], sgx[512];
	double p256;

	verify_config_defaults(&cfg);
	snprintf(tdx, sizeof(tdx), "%s/tests/data/tdx/dcapqvl_v4_uptodate",
	         root);
	snprintf(sgx, sizeof(sgx), "%s/tests/data/sgx/dcapqvl_v3_processor_ca",
	         root);
	if (getenv("BENCH_DCAP_ROUNDS") != NULL)
		fixed_rounds = atol(getenv("BENCH_DCAP_ROUNDS"));
	if (only != NULL) {
		enum warmth w = strcmp(only, "hot") == 0 ? HOT
		                : strcmp(only, "new_platform") == 0
		                        ? NEW_PLATFORM
		                        : COLD;
		double bytes;
		bool ok = true;

		if (strcmp(only, "fleet") == 0)
			printf("BENCH tdx_verify_fleet_per_core %.0f per_s\n",
			       bench_fleet(tdx, 1752919234, &cfg,
			                   DCAP_CACHE_PLATFORM_DEFAULT, true,
			                   &bytes, &ok));
		else
			printf("BENCH tdx_verify_%s_per_core %.0f per_s\n",
			       only,
			       bench(tdx, TP_PROVIDER_INTEL_TDX, 1752919234,
			             &cfg, w));
		dcap_cache_clear();
		verify_config_free(&cfg);
		return ok ? 0 : 1;
	}
	p256 = bench_verify_rate("P-256");
	printf("# openssl ECDSA P-256 verifications on this core: %.0f per_s\n",
	       p256);
	printf("# hot: a platform seen before; 2 P-256 verifications a quote "
	       "(quote, QE report): ceiling %.0f per_s\n",
	       p256 / 2);
	printf("BENCH tdx_verify_per_core %.0f per_s\n",
	       bench(tdx, TP_PROVIDER_INTEL_TDX, 1752919234, &cfg, HOT));
	printf("BENCH sgx_verify_per_core %.0f per_s\n",
	       bench(sgx, TP_PROVIDER_INTEL_SGX, 1752919277, &cfg, HOT));
	printf("# new platform: each quote from a machine not seen before "
	       "(its PCK leaf and attestation key uncached; the FMSPC's TCB "
	       "Info, QE Identity, CRLs and Intel's PCK CA, shared by every "
	       "platform under it, cached); 3 P-256 verifications (quote, QE "
	       "report, PCK leaf; test_dcap_sigcount asserts the count) "
	       "and one certificate parse: ceiling %.0f per_s; target >= "
	       "3000 per_s\n",
	       p256 / 3);
	printf("BENCH tdx_verify_new_platform_per_core %.0f per_s\n",
	       bench(tdx, TP_PROVIDER_INTEL_TDX, 1752919234, &cfg,
	             NEW_PLATFORM));
	printf("# cold: nothing cached: 9 P-256 verifications (the new "
	       "platform's 3, PCK CA, Root CA CRL, PCK CRL, TCB Signing "
	       "certificate, TCB Info, QE Identity; test_dcap_sigcount): "
	       "ceiling %.0f per_s; target >= 1000 per_s\n",
	       p256 / 9);
	printf("BENCH tdx_verify_cold_per_core %.0f per_s\n",
	       bench(tdx, TP_PROVIDER_INTEL_TDX, 1752919234, &cfg, COLD));
	{
		double bytes, rate, rate_small;
		bool ok, ok_small;

		printf("# fleet: %d platforms under one FMSPC, quotes from "
		       "each "
		       "in turn. Method: the real TDX quote with a distinct "
		       "line of RFC 7468 explanatory text before its PCK "
		       "chain (unsigned bytes PEM readers skip), so every "
		       "platform has its own chain text and cache entries "
		       "while its leaf is the real one (no test CA: the "
		       "verifier trusts only the pinned Intel root); the "
		       "attestation key is the sample's for all. Target >= "
		       "2500 per_s; ceiling (2 P-256 verifications, every "
		       "platform cached) %.0f per_s\n",
		       FLEET, p256 / 2);
		rate = bench_fleet(tdx, 1752919234, &cfg,
		                   DCAP_CACHE_PLATFORM_DEFAULT, true, &bytes,
		                   &ok);
		printf("BENCH tdx_verify_fleet_per_core %.0f per_s\n", rate);
		printf("BENCH tdx_fleet_cache_bytes_per_platform %.0f bytes\n",
		       bytes / FLEET);
		printf("BENCH tdx_fleet_cache_mib %.1f MiB\n",
		       bytes / (1024.0 * 1024.0));
		rate_small = bench_fleet(tdx, 1752919234, &cfg, 128, false,
		                         &bytes, &ok_small);
		printf("# the same fleet with dcap.cache_platforms = 128 (the "
		       "size of the whole cache before, shared by "
		       "everything): every quote takes the new-platform "
		       "path: ceiling (3 P-256 verifications) %.0f per_s\n",
		       p256 / 3);
		printf("BENCH tdx_verify_fleet_cache128_per_core %.0f per_s\n",
		       rate_small);
		if (!ok || !ok_small) {
			fprintf(stderr, "bench_dcap: a fleet quote did not "
			                "verify\n");
			return 1;
		}
	}
	dcap_cache_clear();
	verify_config_free(&cfg);
	return 0;
}
