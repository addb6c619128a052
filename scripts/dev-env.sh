# Sourced by run.sh and integration.sh: the development environment.
# - TEEPASS_DATABASE_URL unset: the private cluster under .run/ is started
#   and used (scripts/pg.sh);
# - keys under .run/keys are generated on first use (mode 0600);
# - migrations are applied.
# Expects $root (the project directory) and $bin (the build directory).
keys="$root/.run/keys"
mkdir -p "$keys"
chmod 700 "$keys"
if [[ -z ${TEEPASS_DATABASE_URL:-} ]]; then
	"$root/scripts/pg.sh" start
	TEEPASS_DATABASE_URL=$("$root/scripts/pg.sh" url)
	export TEEPASS_DATABASE_URL
fi
for k in signing mock_signing mock_attestation; do
	if [[ ! -f $keys/$k.pem ]]; then
		"$bin/teepass" keygen --out "$keys/$k.pem" >/dev/null
		echo "teepass: generated $keys/$k.pem" >&2
	fi
done
# The transparency log's Ed25519 checkpoint key (docs/transparency.md).
if [[ ! -f $keys/log.pem ]]; then
	"$bin/teepass" log keygen --out "$keys/log.pem"
	echo "teepass: generated $keys/log.pem" >&2
fi
export TEEPASS_LOG_SIGNING_KEY=${TEEPASS_LOG_SIGNING_KEY:-$keys/log.pem}
export TEEPASS_SIGNING_KEY=${TEEPASS_SIGNING_KEY:-$keys/signing.pem}
export TEEPASS_MOCK_SIGNING_KEY=${TEEPASS_MOCK_SIGNING_KEY:-$keys/mock_signing.pem}
export TEEPASS_MOCK_ATTESTATION_KEY=${TEEPASS_MOCK_ATTESTATION_KEY:-$keys/mock_attestation.pem}
"$bin/teepass" migrate >&2
