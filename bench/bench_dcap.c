/*
 * Intel DCAP verification throughput on one core: the real samples of
 * tests/data/{sgx,tdx} verified in a loop at their MANIFEST times with the
 * collateral already loaded (JSON in memory, no I/O in the loop). Verified
 * collateral and PCK chains are cached by content hash, so after the warm
 * up a quote costs its own two ECDSA P-256 verifications (quote signature,
 * QE report signature) plus parsing and hashing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "load/load.h"
#include "verify/intel/dcap_cache.h"
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

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Verifies DIR's quote with its collateral.json at NOW; quotes/s. */
static double
bench(const char *dir, enum tp_provider p, int64_t now,
      const struct verify_config *cfg, bool cold)
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
	t0 = mono();
	do {
		for (int i = 0; i < (cold ? 20 : 200); i++) {
			if (cold)
				dcap_cache_clear();
			verify_run(&req, &v);
			verdict_free(&v);
		}
		n += cold ? 20 : 200;
		t = mono() - t0;
	} while (t < (cold ? 1.0 : 2.0));
	free(quote);
	json_decref(coll);
	artifact_set_clear(&set);
	return (double)n / t;
}

int
main(int argc, char **argv)
{
	struct verify_config cfg;
	const char *root = argc > 1 ? argv[1] : ".";
	char tdx[512], sgx[512];

	verify_config_defaults(&cfg);
	snprintf(tdx, sizeof(tdx), "%s/tests/data/tdx/dcapqvl_v4_uptodate",
	         root);
	snprintf(sgx, sizeof(sgx), "%s/tests/data/sgx/dcapqvl_v3_processor_ca",
	         root);
	printf("# ECDSA P-256 verifications per quote: 2 (quote signature, "
	       "QE report signature); PCK chain (2), CRLs (2), TCB Info and "
	       "QE Identity (2 + 2 chains) are cached by content hash until "
	       "their validity ends\n");
	printf("BENCH tdx_verify_per_core %.0f per_s\n",
	       bench(tdx, TP_PROVIDER_INTEL_TDX, 1752919234, &cfg, false));
	printf("BENCH sgx_verify_per_core %.0f per_s\n",
	       bench(sgx, TP_PROVIDER_INTEL_SGX, 1752919277, &cfg, false));
	printf("# cold, caches emptied before every quote (every chain, CRL "
	       "and "
	       "collateral signature again): TDX %.0f per_s\n",
	       bench(tdx, TP_PROVIDER_INTEL_TDX, 1752919234, &cfg, true));
	dcap_cache_clear();
	verify_config_free(&cfg);
	return 0;
}
