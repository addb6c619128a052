/*
 * Google vTPM attestations verified per second on one core: the real
 * gce-cos-85 Attestation of tests/data/gcp (nonce 0x9009) through
 * verify_run. Once its AK certificate chain is cached (after the first
 * verification) each one costs 3 RSA-2048 verifications (the quotes, by
 * the AK); a chain never seen adds one RSA-2048 (the AK certificate by
 * Google's intermediate) and one RSA-4096 (the intermediate by the
 * root). The floor printed is what the cached case's verifications
 * alone allow at the rates OpenSSL reaches here (the ceiling). Rates per
 * CPU-second of this process (bench/bench_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

#define DIR "tests/data/gcp/gotpm_gce_cos85_nonce9009/"

int
main(void)
{
	static const uint8_t nonce[] = {0x90, 0x09};
	struct verify_config cfg;
	struct verify_request req;
	struct verdict v;
	uint8_t *ev;
	size_t evlen = 0;
	double t0, t, rate, r2048, r4096, floor;
	long n = 0;

	if (chdir(TEEPASS_SOURCE_DIR) != 0)
		return 1;
	ev = tu_read_file(DIR "attestation.pb", &evlen);
	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = evlen;
	req.nonce = nonce;
	req.nonce_len = sizeof(nonce);
	req.now = 1767225600; /* 2026-01-01T00:00:00Z */
	req.cfg = &cfg;

	/* Warm up: loads the pinned roots, caches the AK chain. */
	for (int i = 0; i < 20; i++) {
		verify_run(&req, &v);
		if (!verdict_valid(&v)) {
			fprintf(stderr, "bench_gcp: sample does not verify\n");
			return 1;
		}
		verdict_free(&v);
	}
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 50; i++) {
			verify_run(&req, &v);
			verdict_free(&v);
		}
		n += 50;
		t = bench_cpu_s() - t0;
	} while (t < 2.0);
	rate = (double)n / t;
	r2048 = bench_sig_rate("RSA-2048", EVP_sha256(), 128, false);
	r4096 = bench_sig_rate("RSA-4096", EVP_sha256(), 128, false);
	floor = r2048 > 0 ? r2048 / 3.0 : 0;
	printf("# RSA verifications per attestation, chain cached: 3 RSA-2048 "
	       "(the quotes); a chain never seen: + 1 RSA-2048 + 1 RSA-4096 "
	       "(floor %.0f/s). OpenSSL here: RSA-2048 %.0f/s, RSA-4096 "
	       "%.0f/s\n",
	       r2048 > 0 && r4096 > 0 ? 1.0 / (4.0 / r2048 + 1.0 / r4096) : 0,
	       r2048, r4096);
	printf("# floor (those verifications alone): %.0f per_s; teepass "
	       "reaches %.0f%% of it\n",
	       floor, floor > 0 ? 100.0 * rate / floor : 0.0);
	printf("BENCH gcp_vtpm_verify_per_core %.0f per_s\n", rate);
	printf("BENCH gcp_vtpm_floor_per_core %.0f per_s\n", floor);
	verify_config_free(&cfg);
	free(ev);
	return 0;
}
