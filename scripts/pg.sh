#!/usr/bin/env bash
# A private PostgreSQL 15 cluster under the project's .run/, listening on a
# Unix socket only. TP_PG_CLUSTER names it: `pg` (the default, the
# cluster of `make run`) or `pg-<name>`; `make test` uses its own,
# `pg-test`, so a test run never stops or restarts the database of a
# development server that is serving.
#   scripts/pg.sh start   initialise (first time) and start; prints nothing
#   scripts/pg.sh stop    stop it (fast shutdown)
#   scripts/pg.sh url     print the libpq connection string
#   scripts/pg.sh status  exit 0 when running
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user on a directory it owns.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/.run"
pgbin=/usr/lib/postgresql/15/bin
cluster=${TP_PG_CLUSTER:-pg}
if [[ ! $cluster =~ ^pg(-[a-z0-9]+)?$ ]]; then
	echo "scripts/pg.sh: TP_PG_CLUSTER must be pg or pg-<a-z0-9>" >&2
	exit 2
fi
mkdir -p "$run"

as_pg() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# The cluster lives in .run/$cluster; when the postgres user cannot reach
# the project directory (a checkout under /root, say), it lives in /tmp and
# .run/$cluster links to it.
pgdir() {
	if [[ -e $run/$cluster ]]; then
		readlink -f "$run/$cluster"
		return
	fi
	if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$run"; then
		local d
		d=$(mktemp -d /tmp/teepass-pg.XXXXXX)
		ln -s "$d" "$run/$cluster"
	else
		mkdir -p "$run/$cluster"
	fi
	readlink -f "$run/$cluster"
}

dir=$(pgdir)
data="$dir/data"
sock="$dir/sock"
url="host=$sock dbname=teepass user=teepass"

start() {
	if [[ $(id -u) -eq 0 ]]; then
		chown postgres:postgres "$dir"
	fi
	if [[ ! -f $data/PG_VERSION ]]; then
		echo "teepass: initialising PostgreSQL cluster in $data" >&2
		as_pg mkdir -p "$sock"
		as_pg "$pgbin/initdb" -D "$data" -U teepass -A trust \
			-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			exit 1
		}
		cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
unix_socket_permissions = 0700
max_connections = 200
fsync = on
CONF
	fi
	as_pg mkdir -p "$sock"
	if ! as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_pg "$pgbin/pg_ctl" -D "$data" -l "$dir/postgres.log" \
			-w -t 60 start >/dev/null || {
			tail -20 "$dir/postgres.log" >&2
			exit 1
		}
	fi
	if ! psql "$url" -Atqc 'select 1' >/dev/null 2>&1; then
		createdb -h "$sock" -U teepass teepass
	fi
}

stop() {
	if [[ -f $data/PG_VERSION ]] &&
		as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$url" ;;
status) as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1 ;;
*)
	echo "usage: scripts/pg.sh start|stop|url|status" >&2
	exit 2
	;;
esac
