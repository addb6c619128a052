/*
 * Event-log replay on one core: the 64 KiB TDX CCEL area of
 * tests/data/eventlog/trustee_ccel_ovmf (21 events, then padding) parsed
 * and replayed by ev_log_parse, per replay. The ceiling is the SHA-384
 * work a replay needs (one compression per extend: 96 bytes fit one
 * 128-byte block), measured here with the same EVP_Digest calls; a
 * replay verifies no signature. Per CPU-second of this process
 * (bench/bench_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench/bench_util.h"
#include "verify/eventlog/eventlog.h"
#include "tests/unit/test_util.h"

#define LOG "tests/data/eventlog/trustee_ccel_ovmf/ccel_data.bin"

int
main(void)
{
	uint8_t *buf, block[96] = {0}, out[48];
	size_t len, extends = 0, nevents;
	struct ev_log log;
	char why[256];
	double t0, t;
	long n = 0, h = 0;

	/* Data paths are relative to the source tree. */
	if (chdir(TEEPASS_SOURCE_DIR) != 0)
		return 1;
	buf = tu_read_file(LOG, &len);
	if (ev_log_parse(buf, len, EV_REGS_CC_MR, &log, why, sizeof(why)) !=
	    TP_ERR_none) {
		fprintf(stderr, "bench_eventlog: %s: %s\n", LOG, why);
		return 1;
	}
	for (size_t i = 0; i < log.n; i++)
		extends += log.events[i].type != 3 && log.events[i].index != 0;
	nevents = log.n;
	ev_log_free(&log);

	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 100; i++) {
			if (ev_log_parse(buf, len, EV_REGS_CC_MR, &log, why,
			                 sizeof(why)) != TP_ERR_none)
				return 1;
			ev_log_free(&log);
		}
		n += 100;
		t = bench_cpu_s() - t0;
	} while (t < 2.0);

	/* The floor: the SHA-384 extends alone. */
	t0 = bench_cpu_s();
	do {
		for (int i = 0; i < 10000; i++)
			EVP_Digest(block, sizeof(block), out, NULL,
			           EVP_sha384(), NULL);
		h += 10000;
	} while (bench_cpu_s() - t0 < 1.0);

	printf("# %zu bytes, %zu events (incl. Spec ID), %zu SHA-384 "
	       "extends of 96 bytes (1 compression each) per replay\n",
	       len, nevents, extends);
	printf("BENCH eventlog_ccel_replay_us %.2f us\n", t / (double)n * 1e6);
	printf("BENCH eventlog_ccel_events %zu events\n", nevents);
	printf("BENCH eventlog_ccel_hashes_per_replay %zu hashes\n", extends);
	printf("BENCH eventlog_ccel_hash_floor_us %.2f us\n",
	       (bench_cpu_s() - t0) / (double)h * 1e6 * (double)extends);
	free(buf);
	return 0;
}
