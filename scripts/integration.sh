#!/usr/bin/env bash
# Integration tests: a real teepassd (ASan+UBSan build) over HTTP against a
# real PostgreSQL. With TEEPASS_DATABASE_URL unset, a fresh teepass_test
# database in the test's own private cluster .run/pg-test (stopped and
# restarted by database.test.mjs; never the .run/pg of `make run`);
# otherwise that database, left running. Arguments name test files to run
# instead of all of them: scripts/integration.sh keys.test.mjs tlog.test.mjs
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/${ASAN_BUILD:-build-asan}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [[ -z ${TEEPASS_DATABASE_URL:-} ]]; then
	# Exported: the tests that stop and start PostgreSQL (scripts/pg.sh)
	# act on this cluster too.
	export TP_PG_CLUSTER=pg-test
	# Leave the cluster as it was found: stop it afterwards only if this
	# run started it.
	if ! "$root/scripts/pg.sh" status; then
		trap '"$root/scripts/pg.sh" stop' EXIT
	fi
	"$root/scripts/pg.sh" start
	base=$("$root/scripts/pg.sh" url)
	admin=${base/dbname=teepass/dbname=postgres}
	psql "$admin" -qc 'DROP DATABASE IF EXISTS teepass_test' >/dev/null
	psql "$admin" -qc 'CREATE DATABASE teepass_test' >/dev/null
	export TEEPASS_DATABASE_URL=${base/dbname=teepass/dbname=teepass_test}
else
	export TP_TEST_EXTERNAL_DB=1
fi
source "$root/scripts/dev-env.sh"
# The test files share one database, hence one transparency log; daemons
# started with other issuers must still sign its checkpoints as that one
# log (the origin otherwise follows the issuer), as every instance of a
# deployment does.
export TEEPASS_LOG_ORIGIN=${TEEPASS_LOG_ORIGIN:-teepass.example/log}

cd "$root/tests/integration"
if [[ ! -d node_modules/jose || ! -d node_modules/puppeteer-core || ! -d node_modules/@redocly/cli ]]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
export TP_TEST_BIN_DIR="$bin" TP_TEST_ROOT="$root"
files=("$@")
if ((${#files[@]} == 0)); then files=(*.test.mjs); fi
# The files share one database and stop PostgreSQL once: run them one at a
# time. Node 20 has --test-concurrency; Debian's Node 18 runs files in
# parallel, so there each file gets its own run.
if node --help | grep -q -- --test-concurrency; then
	node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
else
	rc=0
	for f in "${files[@]}"; do
		node --test --test-reporter=spec "$f" || rc=1
	done
	exit $rc
fi
