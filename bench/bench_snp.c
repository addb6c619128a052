/*
 * SEV-SNP reports verified per second on one core, chain cached: the real
 * Genoa report of tests/data/snp with its VCEK as request collateral
 * (base64 DER, decoded per request by the loader, load_json), through
 * verify_run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "load/load.h"
#include "verify/core/ecdsa.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

#define DIR "tests/data/snp/teep_tinfoil_genoa_v3_20260629/"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(void)
{
	struct verify_config cfg;
	struct verify_request req;
	struct verdict v;
	struct artifact_set set;
	uint8_t *ev = NULL, *vcek = NULL;
	size_t evlen = 0, vlen = 0;
	char *b64;
	json_t *coll;
	double t0, t;
	long n = 0;
	int64_t when;

	/* Data paths are relative to the source tree. */
	if (chdir(TEEPASS_SOURCE_DIR) != 0)
		return 1;
	ev = tu_read_file(DIR "report.bin", &evlen);
	vcek = tu_read_file(DIR "vcek.der", &vlen);
	if (ev == NULL || vcek == NULL) {
		fprintf(stderr, "bench_snp: cannot read " DIR "\n");
		return 1;
	}
	b64 = codec_base64_encode(vcek, vlen);
	coll = json_pack("{s:s}", "vcek", b64);
	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	tptime_parse("2026-06-29T02:12:49Z", &when);
	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = evlen;
	req.artifacts = &set;
	req.now = when;
	req.cfg = &cfg;

	/* Warm up: loads the pinned roots and caches the chain. */
	for (int i = 0; i < 50; i++) {
		load_json(TP_PROVIDER_AMD_SEV_SNP, coll, &set);
		verify_run(&req, &v);
		artifact_set_clear(&set);
		if (!verdict_valid(&v)) {
			fprintf(stderr, "bench_snp: sample does not verify\n");
			return 1;
		}
		verdict_free(&v);
	}
	t0 = now_s();
	do {
		for (int i = 0; i < 100; i++) {
			load_json(TP_PROVIDER_AMD_SEV_SNP, coll, &set);
			verify_run(&req, &v);
			artifact_set_clear(&set);
			verdict_free(&v);
		}
		n += 100;
		t = now_s() - t0;
	} while (t < 2.0);
	printf("# ECDSA P-384 verifications per report: 1 (chain cached: no "
	       "RSA per report)\n");
	printf("BENCH snp_verify_per_core %.0f per_s\n", (double)n / t);
	json_decref(coll);
	free(b64);
	free(vcek);
	free(ev);
	return 0;
}
