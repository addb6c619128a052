/*
 * Passports signed per CPU-second (issue 19): passport_sign on
 * the claims of a TDX-sized passport with a key parsed once, beside the
 * bare ECDSA P-256 sign rate of the same key (what `openssl speed
 * ecdsap256` reports as sign/s). The gap is the JSON and base64url work.
 * Prints "BENCH passport_sign_per_s N per_s" and
 * "BENCH ecdsa_p256_sign_per_s N per_s".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench/bench_util.h"
#include "passport/passport.h"
#include "verify/core/ecdsa.h"

#define ROUNDS 5

/* The median rate of ROUNDS rounds of at least 1 CPU-second of FN. */
static double
median_rate(bool (*fn)(void *), void *arg)
{
	double rates[ROUNDS];

	for (int round = 0; round < ROUNDS; round++) {
		long done = 0;
		double t0 = bench_cpu_s(), t;
		do {
			for (int i = 0; i < 100; i++)
				if (!fn(arg))
					return -1;
			done += 100;
			t = bench_cpu_s() - t0;
		} while (t < 1.0);
		rates[round] = (double)done / t;
	}
	return bench_median(rates, ROUNDS);
}

struct job {
	struct passport_key *k;
	json_t *claims;
};

static bool
sign_passport(void *arg)
{
	struct job *j = arg;
	char *tok = passport_sign(j->k, j->claims);

	free(tok);
	return tok != NULL;
}

static bool
sign_raw(void *arg)
{
	struct job *j = arg;
	static const uint8_t msg[32];
	uint8_t sig[64];

	return ecdsa_sign_raw(j->k->pkey, EVP_sha256(), msg, sizeof(msg), sig,
	                      32);
}

int
main(void)
{
	char path[] = "/tmp/teepass-bench-keyXXXXXX", kid[48], err[256];
	struct passport_key k;
	struct passport_params pp = {0};
	struct verdict v;
	struct job j;
	double pass, raw;
	char *tok;
	int fd = mkstemp(path), rc = 1;

	if (fd < 0)
		return 1;
	close(fd);
	unlink(path);
	if (!passport_key_generate(path, kid, err, sizeof(err)) ||
	    !passport_key_load(path, &k, err, sizeof(err))) {
		fprintf(stderr, "bench_passport: %s\n", err);
		unlink(path);
		return 1;
	}
	unlink(path);
	/* A TDX passport's shape: registers, report data, TCB, collateral. */
	verdict_init(&v, TP_PROVIDER_INTEL_TDX, 1767225600);
	v.hardware_verified = true;
	verdict_pass(&v, "quote_signature");
	for (int i = 0; i < 4; i++) {
		char name[16];
		uint8_t reg[48];
		memset(reg, i + 1, sizeof(reg));
		snprintf(name, sizeof(name), "rtmr%d", i);
		verdict_claim_hex(&v, name, reg, sizeof(reg));
	}
	{
		uint8_t b[64];
		memset(b, 0xab, sizeof(b));
		verdict_claim_hex(&v, "mrtd", b, 48);
		verdict_claim_hex(&v, "report_data", b, 64);
	}
	snprintf(v.tcb_status, sizeof(v.tcb_status), "UpToDate");
	pp.issuer = "https://attest.example.org";
	pp.id = "11111111-2222-4333-8444-555555555555";
	pp.iat = 1767225600;
	pp.ttl = 86400;
	j.k = &k;
	j.claims = passport_claims(&v, &pp);
	if (j.claims == NULL || (tok = passport_sign(&k, j.claims)) == NULL) {
		fprintf(stderr, "bench_passport: cannot sign\n");
		goto out;
	}
	printf("# a %zu-byte passport (TDX-shaped claims), key parsed once\n",
	       strlen(tok));
	free(tok);
	pass = median_rate(sign_passport, &j);
	raw = median_rate(sign_raw, &j);
	if (pass < 0 || raw < 0)
		goto out;
	printf("# per CPU-second, medians of %d rounds of >= 1 s; the "
	       "ceiling is one ECDSA P-256 signature (openssl speed "
	       "ecdsap256, sign/s)\n",
	       ROUNDS);
	printf("BENCH passport_sign_per_s %.0f per_s\n", pass);
	printf("BENCH ecdsa_p256_sign_per_s %.0f per_s\n", raw);
	rc = 0;
out:
	json_decref(j.claims);
	verdict_free(&v);
	passport_key_free(&k);
	return rc;
}
