#!/usr/bin/env bash
# `make run`: teepassd on 127.0.0.1:8080 in development mode.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/build"
source "$root/scripts/dev-env.sh"
export TEEPASS_DEV_MODE=${TEEPASS_DEV_MODE:-1}
export TEEPASS_LISTEN=${TEEPASS_LISTEN:-127.0.0.1:8080}
url="http://$TEEPASS_LISTEN"
cat <<MSG

teepassd is starting on $url in DEVELOPMENT mode (Mock evidence accepted).
Try, in another terminal:

  curl -s -X POST $url/api/challenges
  build/teepass mock-evidence --key .run/keys/mock_attestation.pem --model sha256:\$(printf model | sha256sum | cut -c1-64) --runtime-data /tmp/rd.json > /tmp/ev.hex
  curl -s $url/api/verify/tee-attestation -H 'Content-Type: application/json' \\
    -d "{\"attestation\":\"\$(cat /tmp/ev.hex)\",\"runtime_data\":\"\$(base64 -w0 /tmp/rd.json)\"}"

(README.md walks through the whole flow, with a nonce.) Stop with Ctrl-C;
\`make stop\` stops the private PostgreSQL.

MSG
exec "$bin/teepassd"
