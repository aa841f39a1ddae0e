#!/usr/bin/env bash
# Installs whatever is missing for building, running and testing Usajili, and
# nothing else. Safe to run again: each step checks before it installs.
#   scripts/setup.sh run    # what the portal needs
#   scripts/setup.sh test   # also PostgreSQL, Chromium, aiosmtpd, nginx, promtool and the Playwright packages
#   scripts/setup.sh bench  # also wrk, for the benchmarks
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-run}"

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

export PATH="$HOME/.cargo/bin:$here/.tools/node_modules/.bin:$PATH"

# --- Debian packages -------------------------------------------------------
# brotli: compresses the WASM bundles scripts/bundles.sh builds.
debs=(pkg-config nodejs npm curl brotli)
if [ "$mode" = test ]; then
  # python3-aiosmtpd: the loopback SMTP server the email tests send to (server/tests/smtp_peer.py).
  # nginx: the reverse proxy the test script puts in front of the release binary (scripts/nginx.sh).
  # prometheus: for promtool, which checks and tests deploy/prometheus/alerts.yml.
  debs+=(postgresql chromium python3 python3-aiosmtpd nginx prometheus)
fi
if [ "$mode" = test ] && ! command -v systemd-analyze >/dev/null; then
  # systemd-analyze: the test script checks deploy/usajili@.service with it.
  debs+=(systemd)
fi
if [ "$mode" = bench ]; then
  debs+=(wrk bc)
fi
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# nodejs may come from outside Debian (the machine image ships it): accept any node/npm on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do case "$p" in nodejs|npm) ;; *) filtered+=("$p");; esac; done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
# PostgreSQL: a server binary already on the machine is enough.
if [ "$mode" = test ] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  filtered=(); for p in "${missing[@]}"; do [ "$p" = postgresql ] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
# nginx: any nginx binary already on the machine is enough (nginx-light, say).
if [ "$mode" = test ] && [ -x /usr/sbin/nginx ]; then
  filtered=(); for p in "${missing[@]}"; do [ "$p" = nginx ] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
# promtool: any promtool already on the machine is enough.
if [ "$mode" = test ] && command -v promtool >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do [ "$p" = prometheus ] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  # Debian's nginx package starts a system service on port 80; the tests
  # run their own on a free loopback port. Starting services is denied
  # while the packages install (policy-rc.d, which deb-systemd-invoke obeys
  # too), and the service is left disabled.
  denied_starts=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | sudo_if_needed tee /usr/sbin/policy-rc.d >/dev/null
    sudo_if_needed chmod 755 /usr/sbin/policy-rc.d
    denied_starts=1
  fi
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ -z "$denied_starts" ] || sudo_if_needed rm -f /usr/sbin/policy-rc.d
  if printf '%s\n' "${missing[@]}" | grep -qx nginx && [ -d /run/systemd/system ]; then
    sudo_if_needed systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  # Only promtool is wanted from Debian's prometheus package: its server stays off.
  if printf '%s\n' "${missing[@]}" | grep -qx prometheus && [ -d /run/systemd/system ]; then
    sudo_if_needed systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true
  fi
fi

# --- Rust ------------------------------------------------------------------
# rust-toolchain.toml pins the toolchain; rustup installs it (with the
# wasm32 target it lists) the first time.
cd "$here"
if ! rustup run "$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)" rustc --version >/dev/null 2>&1; then
  say "installing the Rust toolchain from rust-toolchain.toml"
  rustup toolchain install
fi
# rustfmt and clippy (listed in rust-toolchain.toml) for the test script's checks.
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done
if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 14 minutes, once per machine)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lockfile names a webpki-roots version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# --- npm: wasm-opt (binaryen) and, for tests, Playwright + axe -------------
if ! [ -x "$here/.tools/node_modules/.bin/wasm-opt" ]; then
  say "installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
  mkdir -p "$here/.tools"
  (cd "$here/.tools" && [ -f package.json ] || echo '{"private":true}' > package.json)
  (cd "$here/.tools" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION")
fi
if [ "$mode" = test ]; then
  if ! [ -d "$here/end2end/node_modules/@playwright/test" ] || ! [ -d "$here/end2end/node_modules/@axe-core/playwright" ]; then
    say "installing the Playwright packages (no browser download: Debian's chromium is used)"
    (cd "$here/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
fi
say "ready ($mode)"
