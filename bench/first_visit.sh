#!/usr/bin/env bash
# What a first visit to one public page (default: the landing page)
# transfers: its HTML and every /pkg file it names (stylesheet, JS, WASM),
# raw and as served to a browser that accepts brotli. Prints a Markdown
# table. Runs the release binary (USAJILI_BIN) on a fresh SQLite database;
# used by bench/hydration.sh. bench/payload.sh weighs every kind of page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
source scripts/server.sh
page="${1:-/}"
dir="$(mktemp -d /tmp/usajili-bench.XXXXXX)"
trap 'server_stop; rm -rf "$dir"' EXIT
server_start "$dir"

size() { # url encoding -> bytes on the wire
  curl -fsS -o /dev/null -H "Accept-Encoding: $2" -w '%{size_download}' "$1"
}
html_raw=$(size "$SERVER_URL$page" identity)
html_br=$(size "$SERVER_URL$page" br)
total_raw=$html_raw
total_br=$html_br
printf '| resource | raw bytes | brotli bytes (as served) |\n|---|---:|---:|\n'
printf '| HTML `%s` | %d | %d |\n' "$page" "$html_raw" "$html_br"
for asset in $(curl -fsS "$SERVER_URL$page" | grep -o '"/pkg/[^"]*"' | tr -d '"' | sort -u); do
  raw=$(size "$SERVER_URL$asset" identity)
  br=$(size "$SERVER_URL$asset" br)
  total_raw=$((total_raw + raw))
  total_br=$((total_br + br))
  printf '| `%s` | %d | %d |\n' "$asset" "$raw" "$br"
done
printf '| **total** | **%d** | **%d** (%.1f KB) |\n' "$total_raw" "$total_br" "$(echo "$total_br / 1000" | bc -l)"
