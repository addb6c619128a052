#!/usr/bin/env bash
# `make fuzz`: builds every tests/fuzz/fuzz_<name>.c with clang and
# libFuzzer (-fsanitize=fuzzer,address,undefined) into build-fuzz/ and runs
# each for FUZZ_SECONDS (default 60) on its seeds (docs/testing.md,
# "Fuzzing"). Crash, leak and timeout files land in
# build-fuzz/crashes/<name>/; the corpus each run grows is kept in
# build-fuzz/corpus/<name>/ for the next run.
#   FUZZ_SECONDS=10 scripts/fuzz.sh            every target, 10 s each
#   scripts/fuzz.sh dcap_quote snp_report      only these
#   FUZZ_JOBS=2                                 targets run side by side
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
out=${FUZZ_BUILD:-build-fuzz}

# clang (and its libFuzzer runtime) only for fuzzing: `make test` and CI
# need neither, so it is installed here, on first use.
if ! command -v clang >/dev/null 2>&1 ||
	! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
		clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
	echo "teepass: installing clang (libFuzzer) for make fuzz" >&2
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || {
			echo "teepass: not root and no sudo; install: clang" >&2
			exit 1
		}
		sudo=sudo
	fi
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
		--no-install-recommends clang
fi

echo "== building the fuzz targets with clang into $out/"
cmake -S . -B "$out" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	-DTEEPASS_SANITIZE=ON -DTEEPASS_LIBFUZZER=ON \
	-DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null
cmake --build "$out" -j"$(nproc)" --target fuzz_targets >"$out/build.log" 2>&1 ||
	{ tail -40 "$out/build.log"; exit 1; }

if [[ $# -gt 0 ]]; then
	targets=("$@")
else
	targets=()
	for f in "$out"/fuzz_*; do
		[[ -x $f && $f != *fuzz_replay_* ]] || continue
		targets+=("$(basename "$f" | sed 's/^fuzz_//')")
	done
fi
[[ ${#targets[@]} -gt 0 ]] || { echo "fuzz: no target built" >&2; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: its seeds (the samples its .list names and its corpus
# folder) copied into build-fuzz/seeds/<name>/, libFuzzer's growing corpus
# in build-fuzz/corpus/<name>/, findings in build-fuzz/crashes/<name>/.
run_target() {
	local t=$1 bin=$out/fuzz_$1 seeds=$out/seeds/$1 corpus=$out/corpus/$1
	local crashes=$out/crashes/$1 log=$out/logs/$1.log line
	[[ -x $bin ]] || { echo "fuzz: no target $t" >&2; return 2; }
	rm -rf "$seeds"
	mkdir -p "$seeds" "$corpus" "$crashes" "$out/logs"
	if [[ -f tests/fuzz/corpus/$t.list ]]; then
		while IFS= read -r line; do
			line=${line%%#*}
			line=${line%"${line##*[![:space:]]}"}
			[[ -n $line ]] || continue
			cp "$line" "$seeds/$(echo "$line" | tr / _)"
		done <"tests/fuzz/corpus/$t.list"
	fi
	[[ -d tests/fuzz/corpus/$t ]] && cp tests/fuzz/corpus/"$t"/* "$seeds/"
	[[ -d tests/fuzz/hostile/$t ]] && cp tests/fuzz/hostile/"$t"/* "$seeds/"
	# -rss_limit_mb: each target reads the whole input at most a few
	# times; -timeout: a single input taking seconds is a finding.
	(cd "$root" && "$bin" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$corpus" "$seeds") >"$log" 2>&1
}

declare -A status
pids=()
for t in "${targets[@]}"; do
	echo "== fuzz_$t: ${seconds}s"
	run_target "$t" &
	pids+=("$!:$t")
	if [[ ${#pids[@]} -ge $jobs ]]; then
		p=${pids[0]}
		pids=("${pids[@]:1}")
		if wait "${p%%:*}"; then status[${p#*:}]=ok; else status[${p#*:}]=FAIL; fi
	fi
done
for p in "${pids[@]+"${pids[@]}"}"; do
	if wait "${p%%:*}"; then status[${p#*:}]=ok; else status[${p#*:}]=FAIL; fi
done

echo "== summary (${seconds}s per target; logs in $out/logs/)"
bad=0
printf '%-18s %-6s %10s %8s %8s  %s\n' target result execs cov corpus findings
for t in "${targets[@]}"; do
	log=$out/logs/$t.log
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
		grep -o '[0-9]*$' || true)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
	ncorp=$(find "$out/corpus/$t" -type f | wc -l)
	found=$(find "$out/crashes/$t" -type f | wc -l)
	printf '%-18s %-6s %10s %8s %8s  %s\n' "$t" "${status[$t]}" \
		"${execs:-?}" "${cov:-?}" "$ncorp" "$found"
	if [[ ${status[$t]} != ok || $found -gt 0 ]]; then
		bad=1
		find "$out/crashes/$t" -type f -printf '    %p\n'
		grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' \
			"$log" | sed 's/^/    /' || true
	fi
done
exit $bad
