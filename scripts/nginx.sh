# Sourced by the test script: a throw-away nginx (Debian's) in front of a
# running portal, on a free loopback port, configured from
# scripts/nginx-test.conf with deploy/nginx.conf's proxy headers. Its config,
# pid, logs and temporary files live under the directory given; the
# system's nginx service is neither used nor started.
#   nginx_start DIR UPSTREAM_URL  -> NGINX_URL, NGINX_PID, NGINX_LOG
#   nginx_stop

nginx_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

nginx_start() {
  local dir="$1" upstream="${2#http://}" bin port proxy _
  bin="$(command -v nginx || true)"
  [ -n "$bin" ] || bin=/usr/sbin/nginx
  [ -x "$bin" ] || { echo "nginx is not installed (scripts/setup.sh test)" >&2; return 1; }
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # The production proxy lines, joined into one (nginx directives end at ';').
  proxy="$(sed -n '/location \/ {/,/}/p' "$nginx_root/deploy/nginx.conf" \
    | grep -E '^\s*proxy_(http_version|set_header)' | sed 's/^\s*//' | tr '\n' ' ')"
  [ -n "$proxy" ] || { echo "no proxy lines found in deploy/nginx.conf" >&2; return 1; }
  sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@UPSTREAM@|$upstream|g" \
    -e "s|@USER@|$(id -un)|g" -e "s|@PROXY@|$proxy|" \
    "$nginx_root/scripts/nginx-test.conf" >"$dir/nginx.conf"
  NGINX_LOG="$dir/error.log"
  "$bin" -p "$dir" -c "$dir/nginx.conf" -e "$NGINX_LOG" >"$dir/nginx.out" 2>&1 &
  NGINX_PID=$!
  NGINX_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 50); do
    if curl -fsS "$NGINX_URL/healthz" >/dev/null 2>&1; then
      echo "nginx on port $port, in front of $upstream" >&2
      return 0
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "nginx did not start:" >&2
  cat "$dir/nginx.out" "$NGINX_LOG" >&2 2>/dev/null || true
  nginx_stop
  return 1
}

nginx_stop() {
  [ -n "${NGINX_PID:-}" ] || return 0
  kill "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=
}
