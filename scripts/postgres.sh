# Sourced by the test script: a throw-away PostgreSQL cluster on a free port
# under a temporary directory, owned by an unprivileged user (PostgreSQL
# refuses to run as root). `pg_start` exports USAJILI_TEST_POSTGRES_URL;
# `pg_stop` removes the cluster.

pg_bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/postgres" ] && echo "$d"; done | sort -V | tail -n 1
}

pg_start() {
  local bin port owner run
  bin="$(pg_bin_dir)"
  [ -n "$bin" ] || { echo "PostgreSQL is not installed" >&2; return 1; }
  PG_DIR="$(mktemp -d /tmp/usajili-pg.XXXXXX)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home "$owner"
    chown "$owner" "$PG_DIR"
    chmod 700 "$PG_DIR"
    run=(runuser -u "$owner" --)
  else
    owner="$(id -un)"
    run=()
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U usajili --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  PG_BIN="$bin"
  PG_RUN=("${run[@]}")
  export USAJILI_TEST_POSTGRES_URL="postgres://usajili@127.0.0.1:$port/postgres"
  echo "PostgreSQL test cluster on port $port" >&2
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=
}
