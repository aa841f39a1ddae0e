#!/usr/bin/env bash
# Installs whatever is missing and runs every test: unit, integration (on
# SQLite, then on a throw-away PostgreSQL) and browser (Playwright in
# Debian's Chromium). Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh test
source scripts/env.sh
source scripts/postgres.sh
source scripts/server.sh
source scripts/nginx.sh

cleanup() {
  nginx_stop
  server_stop
  pg_stop
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s (%s)\033[0m\n' "$*" "$(date +%T)"; }

step "format (cargo fmt --check)"
cargo fmt --all -- --check

step "alert rules (promtool: deploy/prometheus)"
# The rules load, and each alert fires on the series the server exports
# (the integration test `metrics` scrapes those series from a real server).
promtool check rules deploy/prometheus/alerts.yml
promtool test rules deploy/prometheus/alerts_test.yml

step "build (release: the binary the browser tests use)"
cargo leptos build --release --precompress
# The landing page's and the staff console's WASM bundles, and content-hashed
# names for every asset (the page-weight test below weighs them).
bash scripts/bundles.sh
export USAJILI_TEST_BUNDLES=required

# Tests build the whole workspace in release, so they share the features
# (and most artefacts) of the build above.
step "unit tests"
cargo test --release --workspace --lib --bins

step "lints (clippy, warnings are errors)"
cargo clippy --release --workspace --all-targets -- -D warnings

step "deployment files (systemd-analyze verify deploy/usajili@.service)"
# The unit as installed, but for the binary's path (this build's) and its
# environment file (optional here): any warning fails.
unit_dir="$(mktemp -d /tmp/usajili-unit.XXXXXX)"
sed -e "s|^ExecStart=/usr/local/bin/usajili|ExecStart=$PWD/target/release/usajili|" \
  -e 's|^EnvironmentFile=|EnvironmentFile=-|' deploy/usajili@.service >"$unit_dir/usajili@.service"
unit_check="$(systemd-analyze verify "$unit_dir/usajili@3001.service" 2>&1 || echo "systemd-analyze failed")"
rm -rf "$unit_dir"
[ -z "$unit_check" ] || { echo "$unit_check" >&2; exit 1; }

step "integration tests on SQLite"
USAJILI_TEST_DB=sqlite cargo test --release --workspace --test api

step "integration tests on PostgreSQL"
pg_start
USAJILI_TEST_DB=postgres cargo test --release --workspace --test api
pg_stop

step "behind nginx (the release binary behind Debian's nginx, on loopback)"
# A portal of its own (the test fills its staff sign-in limits), trusting
# nginx's upstream address and the "front" the test plays, not 127.0.0.1.
proxy_dir="$(mktemp -d /tmp/usajili-proxy.XXXXXX)"
USAJILI_TRUSTED_PROXIES=127.0.0.2/32,127.0.0.3/32 USAJILI_ARGON2_MEMORY_KIB=1024 \
  USAJILI_ARGON2_ITERATIONS=1 server_start "$proxy_dir"
nginx_start "$proxy_dir" "$SERVER_URL"
USAJILI_TEST_NGINX_URL="$NGINX_URL" USAJILI_TEST_NGINX_DIRECT_URL="$SERVER_URL" \
  cargo test --release --workspace --test api -- behind_nginx
nginx_stop
server_stop
rm -rf "$proxy_dir"

step "browser tests (Playwright, Chromium)"
e2e_dir="$(mktemp -d /tmp/usajili-e2e.XXXXXX)"
server_start "$e2e_dir"
# Staff accounts, and applicants booked at GPO today for the console
# (before the fixtures below, so the queue takes none of their people).
DATABASE_URL="$SERVER_DATABASE_URL" bash end2end/fixtures/staff.sh "$e2e_dir"
# The people the journeys apply as: adults with a birth record and no ID card.
DATABASE_URL="$SERVER_DATABASE_URL" "${USAJILI_BIN:-target/release/usajili}" \
  registry import --births end2end/fixtures/births.csv >"$e2e_dir/import.log" 2>&1 \
  || { cat "$e2e_dir/import.log" >&2; exit 1; }
# The families the children journeys register (ages counted from today).
bash end2end/fixtures/families.sh "$e2e_dir"
DATABASE_URL="$SERVER_DATABASE_URL" "${USAJILI_BIN:-target/release/usajili}" \
  registry import --births "$e2e_dir/family-births.csv" --persons "$e2e_dir/family-persons.csv" >>"$e2e_dir/import.log" 2>&1 \
  || { cat "$e2e_dir/import.log" >&2; exit 1; }
(cd end2end && USAJILI_E2E_URL="$SERVER_URL" USAJILI_E2E_SERVER_LOG="$SERVER_LOG" \
  USAJILI_E2E_MESSAGE_LOG="$MESSAGE_LOG" USAJILI_E2E_QUEUE="$e2e_dir/queue.tsv" \
  USAJILI_E2E_AFTERNOON="$e2e_dir/afternoon.tsv" \
  USAJILI_E2E_STAFF_PASSWORD="$(cat "$e2e_dir/staff-password")" npx playwright test)

step "every test passed"
