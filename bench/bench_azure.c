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
 * The floor is what the signatures alone cost at the rates OpenSSL
 * reaches here; teepass is reported as a fraction of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

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

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Verifications per second of a signature by KEY over
 * LEN bytes with MD (for the floor). */
static double
openssl_rate(EVP_PKEY *key, const EVP_MD *md, size_t len)
{
	uint8_t msg[1024], sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	double t0, t;
	long n = 0;

	RAND_bytes(msg, (int)len);
	if (c == NULL || EVP_DigestSignInit(c, NULL, md, NULL, key) <= 0 ||
	    EVP_DigestSign(c, sig, &siglen, msg, len) <= 0)
		return 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 100; i++) {
			EVP_MD_CTX_reset(c);
			if (EVP_DigestVerifyInit(c, NULL, md, NULL, key) <= 0 ||
			    EVP_DigestVerify(c, sig, siglen, msg, len) != 1)
				return 0;
		}
		n += 100;
		t = now_s() - t0;
	} while (t < 1.0);
	EVP_MD_CTX_free(c);
	return (double)n / t;
}

/* Verifications of REQ per second (2 s after a warm-up); 0 when the
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
	t0 = now_s();
	do {
		for (int i = 0; i < 100; i++) {
			verify_run(req, &v);
			verdict_free(&v);
		}
		n += 100;
		t = now_s() - t0;
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
	EVP_PKEY *ec, *p256, *rsa;
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

	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	r_ec = ec != NULL ? openssl_rate(ec, EVP_sha384(), 0x2A0) : 0;
	r_p256 = p256 != NULL ? openssl_rate(p256, EVP_sha256(), 632) : 0;
	r_rsa = rsa != NULL ? openssl_rate(rsa, EVP_sha256(), 161) : 0;
	floor = r_ec > 0 && r_rsa > 0 ? 1.0 / (1.0 / r_ec + 1.0 / r_rsa) : 0;
	tfloor = r_p256 > 0 && r_rsa > 0 ? 1.0 / (2.0 / r_p256 + 1.0 / r_rsa)
	                                 : 0;
	printf("# AzureSnpVtpm signatures per evidence: 1 ECDSA P-384 (SNP "
	       "report, VCEK chain cached) + 1 RSA-2048 (vTPM quote)\n");
	printf("# AzureTdxVtpm signatures per evidence: 2 ECDSA P-256 (TD "
	       "quote, QE report; PCK chain and collateral cached) + 1 "
	       "RSA-2048 (vTPM quote)\n");
	printf("# openssl here: P-384 verify %.0f/s, P-256 verify %.0f/s, "
	       "RSA-2048 verify %.0f/s\n",
	       r_ec, r_p256, r_rsa);
	report("azure_snp_vtpm", rate, floor);
	report("azure_tdx_vtpm", trate, tfloor);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(rsa);
	artifact_set_clear(&tset);
	verify_config_free(&tcfg);
	free(tev);
	free(ev);
	return 0;
}
