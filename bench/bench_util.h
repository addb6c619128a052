/*
 * Shared by the bench/bench_*.c programs (static: one copy each; each
 * program uses a subset): the clock every rate is measured with, and the
 * signature rates each figure's ceiling is computed from.
 *
 * Rates are per CPU-second of this process (CLOCK_PROCESS_CPUTIME_ID, as
 * `openssl speed` counts without -elapsed): on a machine shared with other
 * work, wall time measures the load, CPU time the code. The benchmarks
 * are single-threaded, so it is also the CPU time of the one core they
 * run on ("per core").
 */
#ifndef TP_BENCH_UTIL_H
#define TP_BENCH_UTIL_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <malloc.h>
#include <openssl/evp.h>

#define BENCH_UTIL __attribute__((unused)) static

/* CPU seconds this process has used. */
BENCH_UTIL double
bench_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bytes of heap in use (fleet benchmarks: what a cache takes). */
BENCH_UTIL size_t
bench_heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

BENCH_UTIL int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of N values (sorts them). */
BENCH_UTIL double
bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), bench_cmp_double);
	return v[n / 2];
}

/*
 * A fresh key of ALG: "P-256", "P-384" (ECDSA), "RSA-2048", "RSA-4096",
 * "Ed25519". Exits when this OpenSSL cannot make one: a ceiling without
 * its unit is no figure.
 */
BENCH_UTIL EVP_PKEY *
bench_key(const char *alg)
{
	EVP_PKEY *k = NULL;

	if (strncmp(alg, "P-", 2) == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", alg);
	else if (strncmp(alg, "RSA-", 4) == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(alg + 4));
	else if (strcmp(alg, "Ed25519") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (k == NULL) {
		fprintf(stderr, "bench: no %s key in this OpenSSL\n", alg);
		exit(1);
	}
	return k;
}

/*
 * Signature operations of ALG per CPU-second over a LEN-byte message
 * hashed with MD (NULL for Ed25519), digest included, as a certificate
 * or evidence check does: verifications, or with SIGN signatures. What
 * `openssl speed` reports (ecdsap256, rsa2048, ed25519), measured here
 * for at least 1 CPU-second; the unit of every ceiling.
 */
BENCH_UTIL double
bench_sig_rate(const char *alg, const EVP_MD *md, size_t len, bool sign)
{
	EVP_PKEY *k = bench_key(alg);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *msg = calloc(1, len + 1), sig[1024];
	size_t siglen = sizeof(sig);
	double t0, t;
	long n = 0;

	if (ctx == NULL || msg == NULL ||
	    EVP_DigestSignInit(ctx, NULL, md, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1) {
		fprintf(stderr, "bench: cannot sign with %s\n", alg);
		exit(1);
	}
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 50; i++) {
			size_t sl = sizeof(sig);
			int ok;

			EVP_MD_CTX_reset(ctx);
			if (sign)
				ok = EVP_DigestSignInit(ctx, NULL, md, NULL,
				                        k) == 1 &&
				     EVP_DigestSign(ctx, sig, &sl, msg, len) ==
				             1;
			else
				ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL,
				                          k) == 1 &&
				     EVP_DigestVerify(ctx, sig, siglen, msg,
				                      len) == 1;
			if (!ok) {
				fprintf(stderr, "bench: %s failed\n", alg);
				exit(1);
			}
		}
		n += 50;
		t = bench_cpu_s() - t0;
	} while (t < 1.0);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	free(msg);
	return (double)n / t;
}

/* Verifications of ALG per CPU-second (SHA-256 for P-256 and RSA,
 * SHA-384 for P-384, over 64 bytes): the common case of the ceilings. */
BENCH_UTIL double
bench_verify_rate(const char *alg)
{
	const EVP_MD *md = strcmp(alg, "Ed25519") == 0 ? NULL
	                   : strcmp(alg, "P-384") == 0 ? EVP_sha384()
	                                               : EVP_sha256();

	return bench_sig_rate(alg, md, 64, false);
}

/*
 * The ceiling of a figure: the rate at which the signature operations
 * it needs alone could run, 1 / sum(COUNT[i] / RATE[i]) over N kinds.
 */
BENCH_UTIL double
bench_ceiling(size_t n, const double *count, const double *rate)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		if (count[i] > 0)
			s += rate[i] > 0 ? count[i] / rate[i] : 1e30;
	return s > 0 ? 1.0 / s : 0;
}

#endif
