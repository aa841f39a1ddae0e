#!/usr/bin/env bash
# What a first visit to the landing page transfers: HTML, CSS, JS and WASM,
# raw and as the server sends them to a browser that accepts brotli.
# Prints a Markdown table. Needs a release build (scripts/run.sh or
# `cargo leptos build --release`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
source scripts/server.sh
dir="$(mktemp -d /tmp/usajili-bench.XXXXXX)"
trap 'server_stop; rm -rf "$dir"' EXIT
server_start "$dir"

size() { # url encoding -> bytes on the wire
  curl -fsS -o /dev/null -H "Accept-Encoding: $2" -w '%{size_download}' "$1"
}
html_raw=$(size "$SERVER_URL/" identity)
html_br=$(size "$SERVER_URL/" br)
total_raw=$html_raw
total_br=$html_br
printf '| resource | raw bytes | brotli bytes (as served) |\n|---|---:|---:|\n'
printf '| HTML `/` | %d | %d |\n' "$html_raw" "$html_br"
for asset in /pkg/usajili.css /pkg/usajili.js /pkg/usajili.wasm; do
  raw=$(size "$SERVER_URL$asset" identity)
  br=$(size "$SERVER_URL$asset" br)
  total_raw=$((total_raw + raw))
  total_br=$((total_br + br))
  printf '| `%s` | %d | %d |\n' "$asset" "$raw" "$br"
done
printf '| **total** | **%d** | **%d** (%.1f KB; budget 100 KB) |\n' "$total_raw" "$total_br" "$(echo "$total_br / 1000" | bc -l)"
