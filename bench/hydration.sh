#!/usr/bin/env bash
# Islands against full hydration: builds the same pages fully hydrated
# (features `hydrate` without `islands`, server `full-hydration`) into a
# separate target directory, and measures both first visits with
# bench/first_visit.sh. Takes a full extra release build (about 10 minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
full=target/bench-full-hydration
echo "### islands (the product)"
bash bench/first_visit.sh
CARGO_TARGET_DIR="$full" LEPTOS_SITE_ROOT="$full/site" \
  cargo leptos build --release --precompress --lib-features hydrate --bin-features full-hydration >&2
echo
echo "### full hydration (the same pages)"
USAJILI_BIN="$full/release/usajili" LEPTOS_SITE_ROOT="$full/site" bash bench/first_visit.sh
