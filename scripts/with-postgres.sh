#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster on 127.0.0.1, removed afterwards.
# The cluster runs as the `postgres` user (root cannot run postgres). DATABASE_URL is exported
# for the command; the database `jaminan` exists, and the role may create test databases.
# PG_SERVER_OPTS adds server settings (e.g. "-c shared_buffers=2GB" for the benchmarks).
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: $PGBIN/initdb not found (apt-get install postgresql-15)" >&2
  exit 2
fi
port=${PGPORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
dir=$(mktemp -d /tmp/jaminan-pg.XXXXXX)
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 ${PG_SERVER_OPTS:-}" >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres jaminan
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/jaminan"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
