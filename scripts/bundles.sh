#!/usr/bin/env bash
# After `cargo leptos build --release --precompress`: builds the WASM
# bundles cargo-leptos does not, and names every asset the pages load
# after a hash of its content (app/src/assets.rs reads the list).
#
# cargo-leptos builds one bundle, `usajili.js`/`.wasm`, with the citizen
# pages' islands (`lib-features` in Cargo.toml). The landing page and the
# staff console each get a bundle with only their own islands
# (app/src/bundles.rs), built here with the same cargo command, wasm-bindgen
# and wasm-opt steps and environment as cargo-leptos's, so the
# dependencies' artefacts are shared and only the app crate is compiled
# again. Each file is then copied to `{name}.{hash}.{ext}` (with its brotli
# and gzip forms), and `pkg/assets.txt` lists the names.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
pkg="$LEPTOS_SITE_ROOT/$LEPTOS_SITE_PKG_DIR"
for f in usajili.js usajili.wasm usajili.css; do
  [ -f "$pkg/$f" ] || { echo "bundles.sh: no $pkg/$f; run cargo leptos build --release --precompress first" >&2; exit 1; }
done
# What cargo-leptos gives its front build (Cargo.toml's [workspace.metadata.leptos]):
# the same values, or cargo would rebuild leptos for each build.
export LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=app \
  LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=true
work="$(mktemp -d /tmp/usajili-bundles.XXXXXX)"
trap 'rm -rf "$work"' EXIT

build() { # bundle -> $work/{bundle}.js and .wasm
  local wasm
  wasm="$(cargo build --package=app --lib --target-dir=target/front --target=wasm32-unknown-unknown \
    --no-default-features --features="hydrate,islands,islands-$1" --profile=wasm-release \
    --message-format=json-render-diagnostics |
    grep '"reason":"compiler-artifact"' | grep '"name":"app"' | grep -o '"[^"]*\.wasm"' | tr -d '"')"
  wasm-bindgen --target=web --out-name="$1" --out-dir="$work" "$wasm"
  mv "$work/${1}_bg.wasm" "$work/$1.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$work/$1.wasm" -o "$work/$1.wasm"
}

copy_compressed() { # source destination: the file, and its brotli and gzip forms (made if missing)
  cp "$1" "$2"
  if [ -f "$1.br" ]; then cp "$1.br" "$2.br"; else brotli -q 11 -c "$1" >"$2.br"; fi
  if [ -f "$1.gz" ]; then cp "$1.gz" "$2.gz"; else gzip -9 -n -c "$1" >"$2.gz"; fi
}

publish() { # file name ext -> prints the hashed name; copies it into pkg
  local name
  name="$2.$(sha256sum "$1" | cut -c1-16).$3"
  copy_compressed "$1" "$pkg/$name"
  echo "$name"
}

# A bundle's JS and WASM share one hash: the JS names the functions the WASM
# exports, so they change together.
publish_bundle() { # bundle dir stem
  local hash
  hash="$(cat "$2/$3.js" "$2/$3.wasm" | sha256sum | cut -c1-16)"
  for ext in js wasm; do copy_compressed "$2/$3.$ext" "$pkg/$1.$hash.$ext"; done
  echo "$1 $1.$hash"
}

build landing
build staff
# The names of an earlier build go: a page only ever names this build's.
find "$pkg" -maxdepth 1 -regextype posix-extended -regex '.*/[a-z]+\.[0-9a-f]{16}\.(css|js|wasm)(\.br|\.gz)?' -delete
{
  echo "css $(publish "$pkg/usajili.css" usajili css)"
  publish_bundle landing "$work" landing
  publish_bundle citizen "$pkg" usajili
  publish_bundle staff "$work" staff
} >"$work/assets.txt"
mv "$work/assets.txt" "$pkg/assets.txt"
cat "$pkg/assets.txt"
