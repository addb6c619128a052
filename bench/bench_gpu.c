/* Single-threaded local verification of the nvtrust H100 sample (SPDM
 * parse, 4-link device chain to the pinned CA, SPDM signature, FWID,
 * claims), evidence and chain in memory, per CPU-second of this process
 * (bench/bench_util.h), each figure beside its ceiling (its P-384
 * verifications at the rate OpenSSL reaches here). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench/bench_util.h"
#include "load/load.h"
#include "verify/nvidia/gpu.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

static bool
once(const struct verify_request *req)
{
	struct verdict v;
	bool ok;

	verdict_init(&v, TP_PROVIDER_NVIDIA_GPU, req->now);
	gpu_verify(req, &v);
	verify_appraise(req, &v);
	ok = verdict_valid(&v);
	verdict_free(&v);
	return ok;
}

int
main(void)
{
	const char *dir = "tests/data/nvidia/nvtrust_sample_h100/";
	char path[256];
	size_t len, plen;
	uint8_t *ev, *pem;
	json_t *coll;
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;
	double t0, el, p384;
	long n = 0;

	if (getenv("TEEPASS_SOURCE_DIR") != NULL &&
	    chdir(getenv("TEEPASS_SOURCE_DIR")) != 0)
		return 1;
	snprintf(path, sizeof(path), "%sspdm_report.bin", dir);
	ev = tu_read_file(path, &len);
	snprintf(path, sizeof(path), "%scert_chain.pem", dir);
	pem = tu_read_file(path, &plen);
	coll = json_pack("{s:s}", "cert_chain", (char *)pem);
	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_NVIDIA_GPU;
	artifact_set_init(&set);
	load_json(TP_PROVIDER_NVIDIA_GPU, coll, &set);
	req.artifacts = &set;
	req.now = 1790000000;
	req.cfg = &cfg;
	for (int i = 0; i < 20; i++) /* warm caches (pinned anchor) */
		if (!once(&req)) {
			fprintf(stderr, "sample does not verify\n");
			return 1;
		}
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 20; i++, n++)
			if (!once(&req))
				return 1;
		el = bench_cpu_s() - t0;
	} while (el < 2.0);
	printf("BENCH gpu_verify_per_core %.0f per_s\n", (double)n / el);
	/* Cold chain: a different PEM text (a trailing comment line, which
	 * PEM parsing ignores) each time defeats the chain cache. */
	{
		size_t cap = plen + 32;
		char *text = malloc(cap);
		long k = 0;
		n = 0;
		t0 = bench_cpu_s();
		do {
			for (int i = 0; i < 10; i++, n++, k++) {
				snprintf(text, cap, "%s\n# %ld\n", (char *)pem,
				         k);
				json_object_set_new(coll, "cert_chain",
				                    json_string(text));
				/* The loader reads the new text (its cost is
				 * in this figure). */
				artifact_set_clear(&set);
				load_json(TP_PROVIDER_NVIDIA_GPU, coll, &set);
				if (!once(&req))
					return 1;
			}
			el = bench_cpu_s() - t0;
		} while (el < 2.0);
		printf("BENCH gpu_verify_cold_chain_per_core %.0f per_s\n",
		       (double)n / el);
		free(text);
	}
	p384 = bench_verify_rate("P-384");
	printf("# ECDSA P-384 verifications per evidence: 5 when the device "
	       "chain is new (4 links + SPDM; gpu_verify_cold_chain_per_core, "
	       "ceiling %.0f per_s), 1 once it is cached "
	       "(gpu_verify_per_core, ceiling %.0f per_s); openssl here: "
	       "P-384 verify %.0f per_s\n",
	       p384 / 5, p384, p384);
	artifact_set_clear(&set);
	json_decref(coll);
	free(pem);
	free(ev);
	return 0;
}
