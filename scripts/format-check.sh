#!/usr/bin/env bash
# Fails when a tracked C file differs from .clang-format's layout.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || true)
[[ -z $files ]] && exit 0
bad=0
for f in $files; do
	[[ -f $f ]] || continue
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format: $f differs from .clang-format (run: make format)" >&2
		bad=1
	fi
done
exit $bad
