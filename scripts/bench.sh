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
	"$p"
done
