#!/usr/bin/env bash
# Installs whatever is missing, builds the portal (release) and runs it on
# the embedded SQLite database at ./data/usajili.db, on 127.0.0.1:3000.
# USAJILI_ADDR and DATABASE_URL override the defaults; see the README.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh run
source scripts/env.sh
cargo leptos build --release --precompress
bash scripts/bundles.sh >/dev/null
exec target/release/usajili serve "$@"
