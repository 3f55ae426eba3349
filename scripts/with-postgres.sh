#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: a new cluster in a temporary folder
# (Debian's postgresql package; initdb and pg_ctl, as the postgres user when run as root),
# listening on a free loopback port, with its URL in STORECHECK_TEST_POSTGRES
# (postgres://postgres@127.0.0.1:PORT/postgres). The server is stopped and its folder removed
# when the command ends, whether it passed, failed or was interrupted; the command's exit code
# is this script's.
#
#   scripts/with-postgres.sh cargo test --workspace --test dashboard
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "error: PostgreSQL's server programs (initdb, pg_ctl) are not installed." >&2
  echo "hint: run scripts/install.sh, or apt-get install postgresql." >&2
  exit 1
fi

dir=$(mktemp -d -t storecheck-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

# A free port: the kernel's choice for a socket bound to port 0.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
# In its configuration, so that a test that stops and starts it (pg_ctl -D DATA start) gets the
# same server. Durability is not what the tests measure: no fsync makes a throwaway cluster
# fast. A benchmark sets STORECHECK_PG_DURABLE=1 to keep PostgreSQL's own settings (every
# commit flushed), as a real HQ runs.
printf '%s\n' "listen_addresses = '127.0.0.1'" "port = $port" "unix_socket_directories = '$dir'" \
  "max_connections = 200" >>"$dir/data/postgresql.conf"
if [ -z "${STORECHECK_PG_DURABLE:-}" ]; then
  printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
    >>"$dir/data/postgresql.conf"
fi
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

export STORECHECK_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
export STORECHECK_TEST_POSTGRES_DATA="$dir/data"
export STORECHECK_TEST_POSTGRES_BIN="$bin"
status=0
"$@" || status=$?
exit "$status"
