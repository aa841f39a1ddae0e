#!/usr/bin/env bash
# Landing-page throughput at 64 connections over loopback, as a ratio to
# the trivial `/livez` handler of the same binary, measured in the same run.
# Prints a Markdown table. Needs a release build and wrk (scripts/setup.sh bench).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
source scripts/server.sh
duration="${BENCH_DURATION:-10s}"
dir="$(mktemp -d /tmp/usajili-bench.XXXXXX)"
trap 'server_stop; rm -rf "$dir"' EXIT
server_start "$dir"

rps() { # path [header] -> requests per second
  wrk -t2 -c64 -d"$duration" --latency ${2:+-H "$2"} "$SERVER_URL$1" | awk '/^Requests\/sec/ {print $2}'
}
curl -fsS "$SERVER_URL/" >/dev/null  # warm up
baseline=$(rps /livez)
landing=$(rps / "Accept-Encoding: br")
landing_plain=$(rps /)
bytes() { # path [header] -> body bytes on the wire
  curl -fsS ${2:+-H "$2"} "$SERVER_URL$1" | wc -c
}
printf '| endpoint (64 connections, %s, wrk -t2) | requests/s | ratio to /livez | bytes |\n|---|---:|---:|---:|\n' "$duration"
printf '| `/livez` (trivial handler, baseline) | %.0f | 1.00 | %d |\n' "$baseline" "$(bytes /livez)"
printf '| `/` landing page, uncompressed | %.0f | %.3f | %d |\n' "$landing_plain" "$(echo "$landing_plain / $baseline" | bc -l)" "$(bytes /)"
printf '| `/` landing page, brotli | %.0f | %.3f | %d |\n' "$landing" "$(echo "$landing / $baseline" | bc -l)" "$(bytes / "Accept-Encoding: br")"
