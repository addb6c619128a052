#!/usr/bin/env bash
# `make test`: format check, unit tests (ASan+UBSan), integration tests
# against a real PostgreSQL and a real teepassd over HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "== format, layering and OpenAPI checks"
scripts/format-check.sh
scripts/layering-check.sh
scripts/openapi-check.py .
echo "== unit tests (ASan+UBSan)"
(cd build-asan && ctest --output-on-failure -j2)
if [[ -x scripts/integration.sh ]]; then
	echo "== integration tests (ASan+UBSan teepassd, PostgreSQL)"
	scripts/integration.sh
fi
