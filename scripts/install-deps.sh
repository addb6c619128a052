#!/usr/bin/env bash
# Installs the Debian 12 packages teepass builds, runs and tests with, when
# any is missing. Runs as root (CI, containers) or through sudo.
# prometheus: only for its promtool (`promtool check metrics` in the
# integration tests); its service is not used.
# `install-deps.sh bench` (make bench-http) also installs the bench-only
# tools: wrk, the HTTP load generator.
set -euo pipefail

pkgs=(build-essential cmake pkg-config clang-format
	libmicrohttpd-dev libgnutls28-dev libjansson-dev libssl-dev libcurl4-openssl-dev
	libpq-dev libjwt-dev libcmocka-dev zlib1g-dev
		postgresql-15 postgresql-client-15 openssl curl jq iproute2 nodejs npm
	python3 python3-yaml chromium prometheus)
if [[ ${1:-} == bench ]]; then
	pkgs+=(wrk)
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
# A Node.js from another source (nodesource) ships npm itself.
if command -v npm >/dev/null 2>&1; then
	tmp=()
	for p in "${missing[@]}"; do
		[[ $p == npm || $p == nodejs ]] || tmp+=("$p")
	done
	missing=("${tmp[@]+"${tmp[@]}"}")
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "teepass: installing missing packages: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || {
		echo "teepass: not root and no sudo; install: ${missing[*]}" >&2
		exit 1
	}
	sudo=sudo
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
	--no-install-recommends "${missing[@]}"
