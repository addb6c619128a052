#!/usr/bin/env bash
# The layering of STYLE.md: verify/ and db/ never include microhttpd.h;
# verify/ never includes libpq-fe.h or jwt.h.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
if grep -rn --include='*.[ch]' -E '#include <(microhttpd|libpq-fe|jwt)\.h>' verify/; then
	echo "layering: verify/ must not include HTTP, SQL or JWT headers" >&2
	bad=1
fi
if grep -rn --include='*.[ch]' '#include <microhttpd.h>' db/ passport/; then
	echo "layering: db/ and passport/ must not include microhttpd.h" >&2
	bad=1
fi
if grep -rn --include='*.[ch]' -E '#include <(microhttpd|libpq-fe|jwt)\.h>' tlog/; then
	echo "layering: tlog/ (the pure Merkle and note code) must not include HTTP, SQL or JWT headers" >&2
	bad=1
fi
exit $bad
