# Sourced by the test and benchmark scripts: starts the release binary on a
# random port with a fresh SQLite database, and stops it again.
# USAJILI_BIN and LEPTOS_SITE_ROOT choose another build (benchmarks do).
#   server_start DIR   -> SERVER_URL, SERVER_PID, SERVER_LOG (JSON log lines),
#                         MESSAGE_LOG (what the `log` message transport sent:
#                         sign-in codes, notices), SERVER_DATABASE_URL
#   server_stop

server_start() {
  local dir="$1"
  SERVER_LOG="$dir/server.log"
  MESSAGE_LOG="$dir/messages.log"
  SERVER_DATABASE_URL="sqlite://$dir/usajili.db"
  USAJILI_ADDR=127.0.0.1:0 DATABASE_URL="$SERVER_DATABASE_URL" USAJILI_LOG_FORMAT=json \
    USAJILI_MESSAGE_LOG="$MESSAGE_LOG" \
    "${USAJILI_BIN:-target/release/usajili}" serve >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  SERVER_URL=
  local _
  for _ in $(seq 1 150); do
    SERVER_URL="$(grep -o 'http://127.0.0.1:[0-9]*' "$SERVER_LOG" | head -n 1 || true)"
    if [ -n "$SERVER_URL" ] && curl -fsS "$SERVER_URL/healthz" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "the server did not start:" >&2
  cat "$SERVER_LOG" >&2
  return 1
}

server_stop() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
