#!/usr/bin/env bash
# `make bench`: runs every benchmark program (bench/bench_*.c, release
# build). Each prints lines "BENCH <name> <value> <unit>".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
shopt -s nullglob
progs=(build/bench_*)
if [[ ${#progs[@]} -eq 0 ]]; then
	echo "bench: no benchmark programs built (bench/bench_*.c)" >&2
	exit 1
fi
for p in "${progs[@]}"; do
	[[ -x $p ]] || continue
	echo "# $(basename "$p")" >&2
	if [[ $(basename "$p") == bench_reappraise ]]; then
		# Re-appraisal runs on a real PostgreSQL: a fresh database on the
		# private cluster of `make run` (stopped again if started here).
		if ! scripts/pg.sh status; then
			scripts/pg.sh start
			trap 'scripts/pg.sh stop' EXIT
		fi
		base=$(scripts/pg.sh url)
		admin=${base/dbname=teepass/dbname=postgres}
		psql "$admin" -qc 'DROP DATABASE IF EXISTS teepass_bench_reappraise' 2>/dev/null
		psql "$admin" -qc 'CREATE DATABASE teepass_bench_reappraise'
		url=${base/dbname=teepass/dbname=teepass_bench_reappraise}
		TEEPASS_DATABASE_URL=$url build/teepass migrate >/dev/null
		TEEPASS_DATABASE_URL=$url TEEPASS_LOG_LEVEL=warn "$p"
		psql "$admin" -qc 'DROP DATABASE teepass_bench_reappraise'
		continue
	fi
	"$p"
done
