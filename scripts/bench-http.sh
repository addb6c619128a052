#!/usr/bin/env bash
# `make bench-http` (not part of `make test`): the release teepassd over
# real HTTP, driven by wrk (bench/http/load.lua) at concurrency 1, 8, 64,
# 256 — a TDX quote with its collateral inline, the same with collateral
# from the PostgreSQL cache, Mock evidence with a fresh nonce a request,
# passport lookups — plus the stored size of a TDX passport. Prints
# "BENCH <name> <value> <unit>" lines with their targets; exit 1 when any
# request failed. Runs against a cluster of its own (.run/pg-bench) and a
# fresh database teepass_bench, never the one of `make run`.
#   BENCH_HTTP_QUICK=1     1 s a point instead of 5 (BENCH_HTTP_SECONDS)
#   BENCH_HTTP_THREADS=N   teepassd worker threads (default 4, as `threads`)
#   BENCH_HTTP_ONLY=log    the log on/off comparison alone (issue 17)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/${BENCH_BUILD:-build}"
command -v wrk >/dev/null || {
	echo "bench-http: wrk is missing (scripts/install-deps.sh bench)" >&2
	exit 1
}
export TP_PG_CLUSTER=pg-bench
if ! "$root/scripts/pg.sh" status; then
	trap '"$root/scripts/pg.sh" stop' EXIT
fi
"$root/scripts/pg.sh" start
base=$("$root/scripts/pg.sh" url)
admin=${base/dbname=teepass/dbname=postgres}
psql "$admin" -qc 'DROP DATABASE IF EXISTS teepass_bench' >/dev/null
psql "$admin" -qc 'CREATE DATABASE teepass_bench' >/dev/null
export TEEPASS_DATABASE_URL=${base/dbname=teepass/dbname=teepass_bench}
export BENCH_PG_DATA
BENCH_PG_DATA="$(readlink -f "$root/.run/pg-bench")/data"
source "$root/scripts/dev-env.sh"
export TEEPASS_LOG_ORIGIN=${TEEPASS_LOG_ORIGIN:-teepass.example/log}
cd "$root/tests/integration"
[[ -d node_modules/jose ]] || npm ci --no-audit --no-fund --loglevel=error
export TP_TEST_BIN_DIR="$bin" TP_TEST_ROOT="$root"
# Not exec: the EXIT trap stops the cluster this script started.
rc=0
node "$root/bench/http/bench_http.mjs" || rc=$?
exit $rc
