/*
 * Nitro attestation documents verified per CPU-second (issues 5 and 20).
 *
 * The real document (tests/data/nitro/evervault_cert_embedded_prod_20230118)
 * through verify_run as of its time: parse, root pin, chain, COSE
 * signature, claims, appraisal; once with its cabundle cached (one
 * instance seen before) and once with the instance caches off (every
 * document verifies its whole cabundle: what an instance the cache does
 * not hold costs), and the heap its cache entries take.
 *
 * A fleet of NITRO_FLEET instances (issue 20) cannot be made of real
 * documents: the cabundle and leaf are inside the signed payload, DER
 * has no unsigned bytes (SNP's fleet puts text beside a PEM block), and
 * AWS issues one document per request of a live enclave. So the fleet
 * is measured where the instance-keyed caches are, nitro_chain_verify
 * (verify/aws/nitro_chain.h), on certificates made here in the real
 * cabundle's shape and depth (P-384, SHA-384, a generated root in place
 * of AWS's, which the chain code takes as its anchor): one instance CA
 * and one enclave leaf an instance, in rotation, through the cache at
 * its default size and at 64 (its size before). The real document's
 * chain through the same function is printed beside it for scale.
 * Ceilings: the P-384 verifications each figure needs at the rate OpenSSL
 * reaches here (bench/bench_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "common/tptime.h"
#include "verify/aws/nitro_chain.h"
#include "verify/aws/nitro_doc.h"
#include "verify/core/cose.h"
#include "verify/core/x509.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_x509_make.h"

#define SAMPLE                                                                 \
	TEEPASS_SOURCE_DIR "/tests/data/nitro/"                                \
	                   "evervault_cert_embedded_prod_20230118/"            \
	                   "attestation_doc.cbor"
#define AT "2023-01-18T15:15:14Z"

#define ROUNDS 5

/* Instances of the fleet: the cache's default size, all held. */
#define NITRO_FLEET NITRO_CACHE_INSTANCES_DEFAULT
#define FLEET_T0    1700000000 /* the generated certificates' time */

/* Documents of REQ per CPU-second: the median of ROUNDS rounds of at
 * least 1 s (every verdict checked). */
static double
doc_rate(const struct verify_request *req, bool *ok)
{
	double rates[ROUNDS];
	struct verdict v;

	for (int round = 0; round < ROUNDS; round++) {
		long done = 0;
		double t0 = bench_cpu_s(), t;
		do {
			for (int i = 0; i < 50; i++) {
				verify_run(req, &v);
				*ok = *ok && verdict_valid(&v);
				verdict_free(&v);
			}
			done += 50;
			t = bench_cpu_s() - t0;
		} while (t < 1.0);
		rates[round] = (double)done / t;
	}
	return bench_median(rates, ROUNDS);
}

/* nitro_chain_verify of DOCS[0..N) in rotation per CPU-second, 2 s. */
static double
chain_rate(const struct nitro_doc *docs, size_t n, X509 *anchor, int64_t at,
           bool *ok)
{
	double t0 = bench_cpu_s(), t;
	long done = 0;

	do {
		for (int i = 0; i < 100; i++, done++) {
			X509 *leaf = NULL;
			int64_t na;
			enum tp_err code;
			char why[256];

			*ok = nitro_chain_verify(&docs[(size_t)done % n],
			                         anchor, at, &leaf, &na, &code,
			                         why, sizeof(why)) &&
			      *ok;
			X509_free(leaf);
		}
		t = bench_cpu_s() - t0;
	} while (t < 2.0);
	return (double)done / t;
}

/* The fleet's documents as nitro_chain_verify sees them: BUNDLE[0..DEPTH-1)
 * shared (root, regional, zonal), then instance I's CA and its leaf. */
static void
fleet_doc(struct nitro_doc *d, const struct tu_cert *shared, size_t depth,
          const struct tu_cert *inst, const struct tu_cert *leaf)
{
	memset(d, 0, sizeof(*d));
	d->certificate.p = leaf->der;
	d->certificate.n = (size_t)leaf->n;
	for (size_t i = 0; i + 1 < depth; i++) {
		d->cabundle[i].p = shared[i].der;
		d->cabundle[i].n = (size_t)shared[i].n;
	}
	d->cabundle[depth - 1].p = inst->der;
	d->cabundle[depth - 1].n = (size_t)inst->n;
	d->n_cabundle = depth;
}

/*
 * The fleet: NITRO_FLEET instances under one generated root, DEPTH
 * certificates in each cabundle like the real one's. Prints its rate and
 * heap through the default cache and through 64 entries.
 */
static bool
fleet(size_t depth, double p384, double real_hit, double real_miss)
{
	static const char *names[] = {"root", "regional", "zonal", "ca-4",
	                              "ca-5", "ca-6",     "ca-7"};
	struct tu_cert shared[8], *inst, *leaf;
	struct nitro_doc *docs;
	EVP_PKEY *ikey, *lkey;
	size_t before;
	double bytes, rate, rate64;
	bool ok = true, ok64 = true;

	if (depth < 2 || depth > 8) {
		fprintf(stderr, "bench_nitro: cabundle of %zu\n", depth);
		return false;
	}
	inst = calloc(NITRO_FLEET, sizeof(*inst));
	leaf = calloc(NITRO_FLEET, sizeof(*leaf));
	docs = calloc(NITRO_FLEET, sizeof(*docs));
	ikey = bench_key("P-384");
	lkey = bench_key("P-384");
	if (inst == NULL || leaf == NULL || docs == NULL)
		return false;
	for (size_t i = 0; i + 1 < depth; i++)
		tu_cert_make(&shared[i], names[i],
		             i > 0 ? &shared[i - 1] : NULL, true, NULL, 0, NULL,
		             FLEET_T0);
	/* One key pair for every instance CA and one for every leaf (key
	 * generation is not what is measured): each certificate is still
	 * its own (name, serial, signature), so its own cache entry. */
	for (int i = 0; i < NITRO_FLEET; i++) {
		char cn[32];

		snprintf(cn, sizeof(cn), "instance-%05d", i);
		tu_cert_make(&inst[i], cn, &shared[depth - 2], true, NULL, 0,
		             ikey, FLEET_T0);
		snprintf(cn, sizeof(cn), "enclave-%05d", i);
		tu_cert_make(&leaf[i], cn, &inst[i], false, NULL, 0, lkey,
		             FLEET_T0);
		fleet_doc(&docs[i], shared, depth, &inst[i], &leaf[i]);
	}
	nitro_chain_cache_clear();
	nitro_chain_cache_configure(NITRO_CACHE_INSTANCES_DEFAULT);
	/* Every instance once (not timed): fills the cache. */
	before = bench_heap_in_use();
	for (int i = 0; i < NITRO_FLEET; i++) {
		X509 *x = NULL;
		int64_t na;
		enum tp_err code;
		char why[256];

		if (!nitro_chain_verify(&docs[i], shared[0].x, FLEET_T0, &x,
		                        &na, &code, why, sizeof(why))) {
			fprintf(stderr, "bench_nitro: instance %d: %s\n", i,
			        why);
			ok = false;
		}
		X509_free(x);
	}
	bytes = (double)bench_heap_in_use() - (double)before;
	rate = chain_rate(docs, NITRO_FLEET, shared[0].x, FLEET_T0, &ok);
	nitro_chain_cache_clear();
	nitro_chain_cache_configure(64);
	rate64 = chain_rate(docs, NITRO_FLEET, shared[0].x, FLEET_T0, &ok64);
	nitro_chain_cache_clear();
	nitro_chain_cache_configure(NITRO_CACHE_INSTANCES_DEFAULT);

	printf("# fleet: %d instances in rotation, nitro.cache_instances "
	       "%d. Method: generated certificates (no real fleet exists: "
	       "the cabundle is signed, DER has no unsigned bytes), a "
	       "cabundle of %zu like the real one's, through "
	       "nitro_chain_verify, where the instance-keyed caches are; the "
	       "document's parse and COSE signature are not in this figure. "
	       "Ceiling: 1 P-384 verification (the leaf; the instance's "
	       "cabundle cached) %.0f per_s\n",
	       NITRO_FLEET, NITRO_CACHE_INSTANCES_DEFAULT, depth, p384);
	printf("# the real document's chain, same function: %.0f per_s "
	       "cached, %.0f per_s with the caches off\n",
	       real_hit, real_miss);
	printf("BENCH nitro_chain_fleet_per_core %.0f per_s\n", rate);
	printf("BENCH nitro_fleet_cache_bytes_per_instance %.0f bytes\n",
	       bytes / NITRO_FLEET);
	printf("BENCH nitro_fleet_cache_mib %.1f MiB\n",
	       bytes / (1024.0 * 1024.0));
	printf("# the same fleet with nitro.cache_instances = 64 (the "
	       "cache's size before): every instance verifies its cabundle "
	       "again: %zu P-384 verifications (the %zu links below the "
	       "pinned root, the leaf): ceiling %.0f per_s\n",
	       depth, depth - 1, p384 / (double)depth);
	printf("BENCH nitro_chain_fleet_cache64_per_core %.0f per_s\n", rate64);
	for (int i = 0; i < NITRO_FLEET; i++) {
		tu_cert_drop(&inst[i]);
		tu_cert_drop(&leaf[i]);
	}
	for (size_t i = 0; i + 1 < depth; i++)
		tu_cert_drop(&shared[i]);
	EVP_PKEY_free(ikey);
	EVP_PKEY_free(lkey);
	free(inst);
	free(leaf);
	free(docs);
	if (!ok || !ok64)
		fprintf(stderr, "bench_nitro: a fleet chain was refused\n");
	return ok && ok64;
}

int
main(void)
{
	struct verify_config cfg;
	struct verify_request req;
	struct verdict v;
	struct cose_sign1 cose;
	struct nitro_doc doc;
	enum tp_err code;
	char why[256];
	uint8_t *buf;
	uint64_t h0, m0, h1, m1;
	size_t len, before, depth;
	double hot, miss, p384, real_hit, real_miss, real_bytes;
	bool ok = true;
	X509 *anchor;

	buf = tu_read_file(SAMPLE, &len);
	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_NONE;
	req.cfg = &cfg;
	if (!tptime_parse(AT, &req.now) ||
	    !cose_sign1_parse(buf, len, &cose, &code, why, sizeof(why)) ||
	    !nitro_doc_parse(cose.payload, cose.payload_len, &doc, why,
	                     sizeof(why))) {
		fprintf(stderr, "bench_nitro: %s: unreadable\n", SAMPLE);
		return 1;
	}
	depth = doc.n_cabundle;
	/* Warm up: the cabundle enters the cache, OpenSSL loads its
	 * providers. A document that does not verify is no benchmark. */
	for (int i = 0; i < 50; i++) {
		verify_run(&req, &v);
		if (!verdict_valid(&v)) {
			fprintf(stderr,
			        "bench_nitro: sample does not verify\n");
			return 1;
		}
		verdict_free(&v);
	}
	/* The real root, as verify_run took it (it has just checked
	 * cabundle[0] byte for byte against the pinned one). */
	anchor = x509_parse(doc.cabundle[0].p, doc.cabundle[0].n);
	p384 = bench_verify_rate("P-384");
	printf("# openssl here: P-384 verify %.0f per_s\n", p384);

	nitro_chain_cache_stats(&h0, &m0);
	hot = doc_rate(&req, &ok);
	nitro_chain_cache_stats(&h1, &m1);
	printf("# the real document, %zu certificates in its cabundle; "
	       "cabundle cached: %llu hits, %llu misses. 2 P-384 "
	       "verifications a document (leaf by cabundle[n-1], the "
	       "document by the leaf): ceiling %.0f per_s\n",
	       depth, (unsigned long long)(h1 - h0),
	       (unsigned long long)(m1 - m0), p384 / 2);
	printf("BENCH nitro_verify_per_core %.0f per_s\n", hot);

	/* The heap one instance's entries take: the real cabundle and
	 * leaf, cached from empty. */
	nitro_chain_cache_clear();
	before = bench_heap_in_use();
	verify_run(&req, &v);
	ok = ok && verdict_valid(&v);
	verdict_free(&v);
	real_bytes = (double)bench_heap_in_use() - (double)before;

	nitro_chain_cache_configure(0);
	miss = doc_rate(&req, &ok);
	real_miss = chain_rate(&doc, 1, anchor, req.now, &ok);
	nitro_chain_cache_configure(NITRO_CACHE_INSTANCES_DEFAULT);
	real_hit = chain_rate(&doc, 1, anchor, req.now, &ok);
	printf("# the real document with nitro.cache_instances = 0: every "
	       "document verifies its whole cabundle, as an instance the "
	       "cache does not hold: %zu P-384 verifications (%zu links "
	       "below the pinned root, leaf, document): ceiling %.0f per_s\n",
	       depth + 1, depth - 1, p384 / (double)(depth + 1));
	printf("BENCH nitro_verify_uncached_per_core %.0f per_s\n", miss);
	printf("BENCH nitro_instance_cache_bytes %.0f bytes\n", real_bytes);
	if (!ok) {
		fprintf(stderr, "bench_nitro: a document did not verify\n");
		return 1;
	}
	if (!fleet(depth, p384, real_hit, real_miss))
		return 1;
	X509_free(anchor);
	nitro_chain_cache_clear();
	verify_config_free(&cfg);
	free(buf);
	return 0;
}
