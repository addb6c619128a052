/*
 * Azure vTPM evidences verified per second on one core, through
 * verify_run with their nonces:
 *  - AzureSnpVtpm: the trustee v2 sample of tests/data/azure (HCL report +
 *    VCEK + vTPM quote); floor: one ECDSA P-384 verification (the SNP
 *    report; the VCEK chain is cached) and one RSA-2048 one (the quote);
 *  - AzureTdxVtpm: the trustee az-tdx-vtpm v1 sample with its Intel
 *    collateral (tests/data/azure/trustee_az_tdx_vtpm_v1, at
 *    2025-03-01T00:00:00Z, with the policy overrides its PROVENANCE.md
 *    names, so that it is valid); floor: two ECDSA P-256 verifications
 *    (the TD quote and the QE report; PCK chain and collateral cached)
 *    and one RSA-2048 one (the vTPM quote).
 * The floor (the ceiling of the other benchmarks) is the rate the
 * signatures alone allow at the rates OpenSSL reaches here; teepass is
 * reported as a fraction of it. Rates per CPU-second of this process
 * (bench/bench_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench/bench_util.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "load/load.h"
#include "verify/intel/dcap_policy.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

#define DIR     "tests/data/azure/trustee_az_snp_vtpm_v2/"
#define DIR_TDX "tests/data/azure/trustee_az_tdx_vtpm_v1/"
/* The quote's extraData (tests/data/azure/MANIFEST.md). */
#define NONCE_HEX                                                              \
	"982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398" \
	"f647caa2338748cd0fd9f5f819ef"

/* Verifications of REQ per CPU-second (2 s after a warm-up); 0 when the
 * sample does not verify. */
static double
verify_rate(const struct verify_request *req, const char *what)
{
	struct verdict v;
	double t0, t;
	long n = 0;

	/* Warm up: loads the pinned roots and caches the chains. */
	for (int i = 0; i < 50; i++) {
		verify_run(req, &v);
		if (!verdict_valid(&v)) {
			fprintf(stderr, "bench_azure: %s does not verify\n",
			        what);
			verdict_free(&v);
			return 0;
		}
		verdict_free(&v);
	}
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 100; i++) {
			verify_run(req, &v);
			verdict_free(&v);
		}
		n += 100;
		t = bench_cpu_s() - t0;
	} while (t < 2.0);
	return (double)n / t;
}

static void
report(const char *name, double rate, double floor)
{
	printf("BENCH %s_verify_per_core %.0f per_s\n", name, rate);
	printf("BENCH %s_floor_per_core %.0f per_s\n", name, floor);
	printf("BENCH %s_fraction_of_floor %.2f ratio\n", name,
	       floor > 0 ? rate / floor : 0);
}

int
main(void)
{
	struct verify_config cfg, tcfg;
	struct verify_request req, treq;
	struct artifact_set set, tset;
	uint8_t *ev, *tev, nonce[48];
	size_t evlen = 0, tevlen = 0;
	double rate, trate, r_ec, r_p256, r_rsa, floor, tfloor;
	int64_t when, twhen;
	char err[128];

	/* Data paths are relative to the source tree. */
	if (chdir(TEEPASS_SOURCE_DIR) != 0)
		return 1;
	ev = tu_read_file(DIR "evidence.json", &evlen);
	codec_hex_decode_fixed(NONCE_HEX, nonce, sizeof(nonce));
	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	tptime_parse("2026-01-01T00:00:00Z", &when);
	memset(&req, 0, sizeof(req));
	req.evidence = ev;
	req.evidence_len = evlen;
	req.nonce = nonce;
	req.nonce_len = sizeof(nonce);
	req.artifacts = &set;
	req.now = when;
	req.cfg = &cfg;

	tev = tu_read_file(DIR_TDX "evidence.json", &tevlen);
	verify_config_defaults(&tcfg);
	if (!dcap_policy_set(&tcfg.dcap, "allow_out_of_date", "true", err,
	                     sizeof(err)) ||
	    !dcap_policy_set(&tcfg.dcap, "require_sept_ve_disable", "false",
	                     err, sizeof(err)))
		return 1;
	artifact_set_init(&tset);
	if (!load_path(TP_PROVIDER_AZURE_TDX_VTPM, DIR_TDX "collateral", &tset))
		return 1;
	tptime_parse("2025-03-01T00:00:00Z", &twhen);
	treq = req;
	treq.evidence = tev;
	treq.evidence_len = tevlen;
	treq.nonce = (const uint8_t *)"challenge";
	treq.nonce_len = 9;
	treq.artifacts = &tset;
	treq.now = twhen;
	treq.cfg = &tcfg;

	if ((rate = verify_rate(&req, "the AzureSnpVtpm sample")) == 0 ||
	    (trate = verify_rate(&treq, "the AzureTdxVtpm sample")) == 0)
		return 1;

	/* The message sizes the evidence signs: the SNP report, the TD
	 * quote's signed part, a TPMS_ATTEST. */
	r_ec = bench_sig_rate("P-384", EVP_sha384(), 0x2A0, false);
	r_p256 = bench_sig_rate("P-256", EVP_sha256(), 632, false);
	r_rsa = bench_sig_rate("RSA-2048", EVP_sha256(), 161, false);
	floor = r_ec > 0 && r_rsa > 0 ? 1.0 / (1.0 / r_ec + 1.0 / r_rsa) : 0;
	tfloor = r_p256 > 0 && r_rsa > 0 ? 1.0 / (2.0 / r_p256 + 1.0 / r_rsa)
	                                 : 0;
	printf("# AzureSnpVtpm signatures per evidence: 1 ECDSA P-384 (SNP "
	       "report, VCEK chain cached) + 1 RSA-2048 (vTPM quote)\n");
	printf("# AzureTdxVtpm signatures per evidence: 2 ECDSA P-256 (TD "
	       "quote, QE report; PCK chain and collateral cached) + 1 "
	       "RSA-2048 (vTPM quote)\n");
	printf("# openssl here: P-384 verify %.0f/s, P-256 verify %.0f/s, "
	       "RSA-2048 verify %.0f/s (per CPU-second)\n",
	       r_ec, r_p256, r_rsa);
	report("azure_snp_vtpm", rate, floor);
	report("azure_tdx_vtpm", trate, tfloor);
	artifact_set_clear(&tset);
	verify_config_free(&tcfg);
	free(tev);
	free(ev);
	return 0;
}
