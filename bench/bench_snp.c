/*
 * SEV-SNP reports verified per second on one core, chain cached: the real
 * Genoa report of tests/data/snp with its VCEK as request collateral
 * (base64 DER, decoded per request by the loader, load_json), through
 * verify_run. Then a fleet of SNP_FLEET chips in rotation, through the
 * per-chip cache at its default size and at 64 (its size before).
 * Rates are per CPU-second of this process (bench/bench_util.h); each
 * figure has its ceiling beside it: the signature verifications it needs
 * at the rates OpenSSL reaches here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bench/bench_util.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "load/load.h"
#include "verify/amd/snp_cert.h"
#include "verify/core/ecdsa.h"
#include "verify/core/lru.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"

#define DIR "tests/data/snp/teep_tinfoil_genoa_v3_20260629/"

#define SNP_FLEET 10000

/*
 * The VCEK (DER) as PEM with the line "chip NNNNNNN" before its block
 * (RFC 7468 explanatory text, which PEM readers skip and no signature
 * covers): the same real certificate, other bytes, so another chip's
 * cache entry. JSON collateral {"vcek": base64 of that text}.
 */
static json_t *
chip_variant(const uint8_t *der, size_t len, int i)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *m;
	char *b64;
	json_t *coll = NULL;

	if (x != NULL && b != NULL && BIO_printf(b, "chip %07d\n", i) > 0 &&
	    PEM_write_bio_X509(b, x) == 1 && BIO_get_mem_ptr(b, &m) == 1 &&
	    (b64 = codec_base64_encode((uint8_t *)m->data, m->length)) !=
	            NULL) {
		coll = json_pack("{s:s}", "vcek", b64);
		free(b64);
	}
	BIO_free(b);
	X509_free(x);
	return coll;
}

/*
 * SNP_FLEET chips in rotation with a cache of CHIPS entries: reports per
 * CPU-second, with FILL after one round that fills the cache (every
 * verdict checked; else only the first); *BYTES the heap that round
 * added.
 */
static double
fleet(struct verify_request *req, struct artifact_set *set, json_t **colls,
      size_t chips, bool fill, double *bytes, bool *ok)
{
	struct verdict v;
	size_t before;
	double t0, t;
	long n = 0;

	snp_cache_clear();
	snp_cache_configure(chips);
	before = bench_heap_in_use();
	*ok = true;
	for (int i = 0; i < (fill ? SNP_FLEET : 1); i++) {
		load_json(TP_PROVIDER_AMD_SEV_SNP, colls[i], set);
		verify_run(req, &v);
		artifact_set_clear(set);
		*ok = *ok && verdict_valid(&v);
		verdict_free(&v);
	}
	*bytes = (double)bench_heap_in_use() - (double)before;
	t0 = bench_cpu_s();
	do {
		for (int k = 0; k < 100; k++, n++) {
			load_json(TP_PROVIDER_AMD_SEV_SNP, colls[n % SNP_FLEET],
			          set);
			verify_run(req, &v);
			artifact_set_clear(set);
			verdict_free(&v);
		}
		t = bench_cpu_s() - t0;
	} while (t < 2.0);
	snp_cache_clear();
	snp_cache_configure(SNP_CACHE_CHIPS_DEFAULT);
	return (double)n / t;
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
	double t0, t, p384, rsa4096;
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
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 100; i++) {
			load_json(TP_PROVIDER_AMD_SEV_SNP, coll, &set);
			verify_run(&req, &v);
			artifact_set_clear(&set);
			verdict_free(&v);
		}
		n += 100;
		t = bench_cpu_s() - t0;
	} while (t < 2.0);
	p384 = bench_verify_rate("P-384");
	rsa4096 = bench_sig_rate("RSA-4096", EVP_sha384(), 64, false);
	printf("# openssl here: P-384 verify %.0f per_s, RSA-4096 verify "
	       "%.0f per_s\n",
	       p384, rsa4096);
	printf("# ECDSA P-384 verifications per report: 1 (chain cached: no "
	       "RSA per report): ceiling %.0f per_s\n",
	       p384);
	printf("BENCH snp_verify_per_core %.0f per_s\n", (double)n / t);
	{
		json_t **colls = calloc(SNP_FLEET, sizeof(*colls));
		double bytes, rate, rate64;
		bool ok, ok64;

		for (int i = 0; colls != NULL && i < SNP_FLEET; i++)
			if ((colls[i] = chip_variant(vcek, vlen, i)) == NULL) {
				fprintf(stderr, "bench_snp: no variant\n");
				return 1;
			}
		printf("# fleet: %d chips in rotation. Method: the real VCEK "
		       "as PEM with a distinct line of RFC 7468 explanatory "
		       "text before its block (unsigned bytes PEM readers "
		       "skip), so every chip has its own cache entry while "
		       "its certificate is the real one; ceiling (1 P-384 "
		       "a report, every chip cached) %.0f per_s\n",
		       SNP_FLEET, p384);
		rate = fleet(&req, &set, colls, SNP_CACHE_CHIPS_DEFAULT, true,
		             &bytes, &ok);
		printf("BENCH snp_verify_fleet_per_core %.0f per_s\n", rate);
		printf("BENCH snp_fleet_cache_bytes_per_chip %.0f bytes\n",
		       bytes / SNP_FLEET);
		rate64 = fleet(&req, &set, colls, 64, false, &bytes, &ok64);
		printf("# the same fleet with snp.cache_chips = 64 (the "
		       "cache's size before): every report verifies its "
		       "chain (the VCEK by the pinned ASK: 1 RSA-4096 more): "
		       "ceiling %.0f per_s\n",
		       1.0 / (1.0 / p384 + 1.0 / rsa4096));
		printf("BENCH snp_verify_fleet_cache64_per_core %.0f per_s\n",
		       rate64);
		for (int i = 0; i < SNP_FLEET; i++)
			json_decref(colls[i]);
		free(colls);
		if (!ok || !ok64) {
			fprintf(stderr, "bench_snp: a fleet report did not "
			                "verify\n");
			return 1;
		}
	}
	json_decref(coll);
	free(b64);
	free(vcek);
	free(ev);
	return 0;
}
