#!/usr/bin/env bash
# One entry point for set-up, build, tests and benchmark.
#
#   ./build.sh          install what is missing, build dist/pkg (web package), dist/extension and
#                       dist/example-rust (the chat page written in Rust)
#   ./build.sh test     also install test needs (browsers, drivers, test servers) and run every test
#   ./build.sh bench    print the size table per part (tests/size/breakdown.mjs), then run the
#                       benchmark against socket.io-client and a raw WebSocket client
#
# Each install step checks first, so a warm machine skips it. Runs unattended (CI=true, no stdin).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
DIST=$ROOT/dist
TARGET=wasm32-unknown-unknown
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# Source paths of dependencies and the standard library (kept in the wasm for panic locations)
# without this machine's home and registry folders: shorter, and the same sizes on every machine.
remap_flags() {
  local sep=$'\x1f' index
  printf '%s' "--remap-path-prefix=$(rustc --print sysroot)/lib/rustlib/src/rust/="
  for index in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    printf '%s' "${sep}--remap-path-prefix=${index}="
  done
}
# The wasm features wasm-opt may use (what current Chrome and Firefox support).
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-reference-types --enable-multivalue --enable-mutable-globals"

log() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# The wasm-bindgen CLI must match the wasm-bindgen crate exactly: read the version from Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

npm_ci() { # npm_ci DIR: install exactly the committed lock, unless already installed from it
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing npm packages in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_build_tools() {
  have cargo || { echo "cargo is required (https://rustup.rs)"; exit 1; }
  have node || { echo "Node.js 20+ is required"; exit 1; }
  if ! rustup target list --installed | grep -qx "$TARGET"; then
    log "adding the $TARGET Rust target"
    rustup target add "$TARGET"
  fi
  local want; want=$(wasm_bindgen_version)
  if ! have wasm-bindgen || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (takes a few minutes once)"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
  npm_ci "$ROOT"
}

ensure_test_tools() {
  apt_install chromium chromium-driver firefox-esr
  if ! have geckodriver; then
    log "installing geckodriver (cargo)"
    cargo install geckodriver --locked
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
  fi
  npm_ci "$ROOT/tests"
  # Older ElizaOS releases for the releases suite, one folder each (1.7.2 is in tests/).
  local release
  for release in "$ROOT"/tests/eliza/*/; do npm_ci "${release%/}"; done
}

size_line() { # size_line FILE
  printf '  %-44s %9s bytes  %8s gzip\n' "${1#"$ROOT"/}" "$(wc -c <"$1")" "$(gzip -9c "$1" | wc -c)"
}

# build_pkg OUT FEATURES: release wasm (stable toolchain; the release profile in Cargo.toml is tuned
# for size) → wasm-bindgen (ES module + .d.ts) → wasm-opt → package.json.
build_pkg() {
  local out=$1 features=$2 name=eliza_socketio
  local args=(--quiet --release --target "$TARGET" -p eliza-socketio --no-default-features)
  [ -n "$features" ] && args+=(--features "$features")
  CARGO_ENCODED_RUSTFLAGS=$(remap_flags) cargo build "${args[@]}"
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --weak-refs --out-dir "$out" --out-name "$name" \
    "$ROOT/target/$TARGET/release/$name.wasm"
  # Optimise once, keeping the name section in a copy under target/size/ (what
  # tests/size/breakdown.mjs reads to tell functions apart); the shipped file is that copy stripped.
  local named=$ROOT/target/size/$(basename "$out").wasm
  mkdir -p "$ROOT/target/size"
  "$ROOT/node_modules/.bin/wasm-opt" -Oz --converge -g --strip-producers $WASM_FEATURES \
    -o "$named" "$out/${name}_bg.wasm"
  node "$ROOT/crate/pkg/strip-wasm.mjs" "$named" "$out/${name}_bg.wasm"
  # One minified module: the generated glue with crate/js/glue.js bundled in (one request less
  # at start-up). The readable sources are crate/js/ and the .d.ts.
  "$ROOT/node_modules/.bin/esbuild" "$out/$name.js" --bundle --minify --format=esm --log-level=warning \
    --outfile="$out/$name.js" --allow-overwrite
  rm -rf "$out/snippets"
  node "$ROOT/crate/pkg/write-package-json.mjs" "$out" "$features"
}

# build_rust_example OUT: the chat page written only in Rust (crate/examples/rust-chat, feature
# rust-api) → wasm-bindgen → wasm-opt, with its index.html. Serve it with
# `node crate/demo/serve.mjs --pkg OUT` and open /pkg/index.html.
build_rust_example() {
  local out=$1 name=rust_chat
  CARGO_ENCODED_RUSTFLAGS=$(remap_flags) cargo build --quiet --release --target "$TARGET" -p eliza-socketio \
    --features rust-api --example rust-chat
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --weak-refs --out-dir "$out" --out-name "$name" \
    "$ROOT/target/$TARGET/release/examples/$name.wasm"
  "$ROOT/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers $WASM_FEATURES \
    -o "$out/${name}_bg.wasm" "$out/${name}_bg.wasm"
  cp "$ROOT/crate/examples/rust-chat/index.html" "$out/"
}

build() {
  ensure_build_tools
  log "building the web package (dist/pkg) and the Socket.IO-only package (dist/pkg-socketio)"
  build_pkg "$DIST/pkg" eliza
  build_pkg "$DIST/pkg-socketio" ""
  log "building the Rust example page (dist/example-rust)"
  build_rust_example "$DIST/example-rust"
  log "bundling the Markdown renderer (dist/markdown) and assembling the extension (dist/extension)"
  rm -rf "$DIST/markdown"
  node "$ROOT/extension/bundle-markdown.mjs" "$DIST/markdown/markdown.js"
  node "$ROOT/extension/assemble.mjs" "$DIST/pkg" "$DIST/extension"
  log "outputs"
  local pkg
  for pkg in "$DIST/pkg" "$DIST/pkg-socketio"; do
    for f in "$pkg"/eliza_socketio_bg.wasm "$pkg"/eliza_socketio.js; do
      size_line "$f"
    done
  done
  size_line "$DIST/markdown/markdown.js"
  echo "  web package:        dist/pkg          (import from dist/pkg/eliza_socketio.js)"
  echo "  Socket.IO only:     dist/pkg-socketio"
  size_line "$DIST/example-rust/rust_chat_bg.wasm"
  echo "  unpacked extension: dist/extension    (load in Chrome or Firefox, see README)"
  echo "  Rust example page:  dist/example-rust (node crate/demo/serve.mjs --pkg dist/example-rust)"
}

# Each fuzz target runs for FUZZ_SECONDS (default 30) on a fresh corpus: any panic fails the run.
# Without a sanitizer cargo-fuzz passes only stable flags (coverage instrumentation through -C
# options), so it runs on the stable toolchain; a panic or overflow (debug assertions are on) still
# fails the run. Memory errors are not the risk here: the crate itself has no unsafe code.
fuzz_smoke() {
  local secs=${FUZZ_SECONDS:-30} out
  out=$(mktemp)
  for target in decoders client; do
    log "fuzzing $target for ${secs}s"
    if ! (cd crate/fuzz && cargo fuzz run --sanitizer none "$target" -- -max_total_time="$secs" >"$out" 2>&1); then
      tail -40 "$out"
      echo "fuzz target $target failed (input saved under crate/fuzz/artifacts/$target)"
      return 1
    fi
    grep -E '^Done' "$out" || true
  done
  rm -f "$out"
}

run_tests() {
  ensure_test_tools
  build
  log "native tests (protocol core, ElizaOS layer)"
  cargo test --quiet -p eliza-socketio
  # The Rust API's argument codec is pure Rust: tested natively too (the rest of it is wasm-only).
  cargo test --quiet -p eliza-socketio --features rust-api --lib args::
  fuzz_smoke
  log "browser, extension and fixture tests"
  node "$ROOT/tests/run.mjs" "$@"
}

case "${1:-build}" in
  build) build ;;
  test) shift; run_tests "$@" ;;
  bench) ensure_test_tools; build; node "$ROOT/tests/size/breakdown.mjs"; node "$ROOT/tests/bench/run.mjs" ;;
  *) echo "usage: ./build.sh [build|test|bench]"; exit 2 ;;
esac
