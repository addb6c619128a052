# teepass — the two commands: `make run` and `make test` (README.md).
# Every target does its own set-up: missing Debian packages are installed,
# the private PostgreSQL under .run/ is started when TEEPASS_DATABASE_URL
# is unset, keys are generated on first use.
SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)

.PHONY: all deps build build-asan run test unit integration stop bench soak \
	fuzz clean format format-check bench-http

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DTEEPASS_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

# Serve on 127.0.0.1:8080 in development mode against the private cluster.
run: build
	@scripts/run.sh

# Every test: format check, unit tests and integration tests, all under
# AddressSanitizer + UndefinedBehaviorSanitizer.
test: build build-asan
	@scripts/test.sh

unit: build-asan
	@cd $(ASAN_BUILD) && ctest --output-on-failure

# TESTS="keys.test.mjs tlog.test.mjs" runs only those files.
integration: build-asan
	@scripts/integration.sh $(TESTS)

# Stop the private PostgreSQL clusters, make run's and make test's
# (teepassd of make run stops with Ctrl-C).
stop:
	@scripts/pg.sh stop
	@TP_PG_CLUSTER=pg-test scripts/pg.sh stop

bench: build
	@scripts/bench.sh

# The release teepassd over HTTP under wrk at concurrency 1, 8, 64, 256
# (TDX inline and from the cache, Mock with nonces, lookups) and the stored
# size of a TDX passport; BENCH_HTTP_QUICK=1 for 1 s points (not in make
# test; docs/performance.md).
bench-http: build
	@scripts/install-deps.sh bench
	@scripts/bench-http.sh

# Steady load for SOAK_SECONDS (default 600) at 80 % of the measured
# verification throughput, RSS every 10 s, verdict line (not in make test).
SOAK_SECONDS ?= 600
soak: build
	@SOAK_SECONDS=$(SOAK_SECONDS) scripts/soak.sh

# libFuzzer on every tests/fuzz/ target for FUZZ_SECONDS each (default 60),
# with clang (installed on first use); findings in build-fuzz/crashes/.
# `make test` replays the same targets without clang (fuzz_replay_*).
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@scripts/format-check.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
