# Sourced by the other scripts: paths and the environment cargo-leptos gives
# its builds, so that `cargo test` reuses `cargo leptos build`'s artefacts
# instead of rebuilding leptos with different compile-time variables.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$here/.tools/node_modules/.bin:$PATH"
export LEPTOS_OUTPUT_NAME=usajili
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_HASH_FILES=false
