#!/usr/bin/env bash
# What a first visit to each kind of page transfers (HTML, CSS, JS and WASM,
# as served to a browser that accepts brotli), against its budget, and what
# moving on to the next citizen page downloads again. Prints the Markdown
# table in BENCHMARKS.md ("Lean pages"). The same figures are a test
# (server/tests/api/page_weight.rs) that fails when a page passes its budget.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
if [ ! -f target/site/pkg/assets.txt ]; then
  cargo leptos build --release --precompress >&2
  bash scripts/bundles.sh >&2
fi
table="$(mktemp /tmp/usajili-weights.XXXXXX)"
trap 'rm -f "$table"' EXIT
# The table is written before the budgets are checked: it prints either way.
USAJILI_TEST_BUNDLES=required USAJILI_PAGE_WEIGHT_TABLE="$table" \
  cargo test --release -p server --test api -- page_weight >&2 || echo "(over budget: see above)" >&2
cat "$table"
