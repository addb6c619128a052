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
# The OpenAPI linter (@redocly/cli, pinned in tests/integration/package.json;
# rules in redocly.yaml): no error and no warning may remain.
if [[ ! -x tests/integration/node_modules/.bin/redocly ]]; then
	(cd tests/integration && npm ci --no-audit --no-fund --loglevel=error)
fi
lint=$(mktemp)
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	tests/integration/node_modules/.bin/redocly lint --config redocly.yaml \
	--format json docs/openapi.yaml 2>/dev/null >"$lint" || true
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const p of r.problems) console.error(`openapi lint: ${p.severity} ${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer ?? ""})`);
if (r.totals.errors || r.totals.warnings) { console.error(`openapi lint: ${r.totals.errors} errors, ${r.totals.warnings} warnings`); process.exit(1); }' "$lint"
rm -f "$lint"
echo "== unit tests (ASan+UBSan)"
(cd build-asan && ctest --output-on-failure -j2)
if [[ -x scripts/integration.sh ]]; then
	echo "== integration tests (ASan+UBSan teepassd, PostgreSQL)"
	scripts/integration.sh
fi
