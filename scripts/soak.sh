#!/usr/bin/env bash
# `make soak` (not part of `make test`): the release teepassd under steady
# load for SOAK_SECONDS (default 600) at 80 % of the verification
# throughput it measures first, its RSS sampled every 10 s and printed,
# then a verdict line: flat within 10 % or not (exit 1). Runs against a
# cluster of its own (.run/pg-soak), never the one of `make run`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/${SOAK_BUILD:-build}"
export TP_PG_CLUSTER=pg-soak
if ! "$root/scripts/pg.sh" status; then
	trap '"$root/scripts/pg.sh" stop' EXIT
fi
"$root/scripts/pg.sh" start
base=$("$root/scripts/pg.sh" url)
admin=${base/dbname=teepass/dbname=postgres}
psql "$admin" -qc 'DROP DATABASE IF EXISTS teepass_soak' >/dev/null
psql "$admin" -qc 'CREATE DATABASE teepass_soak' >/dev/null
export TEEPASS_DATABASE_URL=${base/dbname=teepass/dbname=teepass_soak}
source "$root/scripts/dev-env.sh"
cd "$root/tests/integration"
[[ -d node_modules/jose ]] || npm ci --no-audit --no-fund --loglevel=error
export TP_TEST_BIN_DIR="$bin" TP_TEST_ROOT="$root"
# Not exec: the EXIT trap above must run to stop a cluster started here.
node "$root/tests/soak/soak.mjs"
