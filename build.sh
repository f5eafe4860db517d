#!/usr/bin/env bash
# dermtone's one build command.
#   ./build.sh          the two wasm engines (CPU-only and WebGPU; wasm-bindgen + wasm-opt) into
#                       www/pkg/, the page as served (minified) with its offline cache list into
#                       dist/, and the native `dermtone`
#   ./build.sh serve    build, then serve dist/ and models/ on http://127.0.0.1:8080 (PORT=... to change)
#   ./build.sh test     fmt, clippy, cargo tests, then the real-browser tests
#   ./build.sh bench    build, then every benchmark figure into bench/RESULTS.md (not run by CI)
# Idempotent: installs only what is missing, rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TERM_PROGRESS_WHEN=never
WASM_TARGET=wasm32-unknown-unknown
WASM_PROFILE=wasm-release
WASM_OPT_FLAGS=(-Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd)
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Locked wasm-bindgen version: wasm-bindgen-cli must match it exactly.
wasm_bindgen_version() { awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock; }

ensure_apt() { # packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_build_tools() {
  rustup target list --installed | grep -qx "$WASM_TARGET" || rustup target add "$WASM_TARGET"
  local version; version=$(wasm_bindgen_version)
  if ! wasm-bindgen --version 2>/dev/null | grep -qF " $version"; then
    log "installing wasm-bindgen-cli $version"
    # Not --locked: its lockfile pins a webpki-roots release the registry no longer has.
    cargo install wasm-bindgen-cli --version "$version"
  fi
  ensure_node_modules
}

ensure_node_modules() {
  if [ ! -x tests/node_modules/.bin/wasm-opt ] || [ ! -d tests/node_modules/playwright-core ] \
    || [ ! -d tests/node_modules/axe-core ] || [ ! -d tests/node_modules/esbuild ]; then
    log "installing binaryen (wasm-opt), esbuild, playwright-core and axe-core from npm"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # The benchmark's second implementation, ONNX Runtime Web: the ONNX export test checks our
  # networks against it. Never a dependency of the app.
  if [ ! -d bench/node_modules/onnxruntime-web ]; then
    log "installing onnxruntime-web (benchmark and ONNX check only) from npm"
    npm ci --prefix bench --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
}

build_native() {
  log "building the native dermtone binary"
  cargo build --release -p dermtone-cli
}

# One engine bundle: the web crate built with FEATURES in TARGET_DIR into www/pkg/NAME/
# (wasm-bindgen, then wasm-opt -Oz and the EXTRA wasm-opt flags, "" for none), with RUSTFLAGS in
# place of .cargo/config.toml's where it is not "". Each bundle has its own target dir, so
# building one never relinks another.
build_wasm_bundle() { # name target_dir extra rustflags features...
  local name=$1 target_dir=$2 extra=$3 rustflags=$4; shift 4
  log "building the $name wasm engine"
  local build=(cargo build -p dermtone-web --target "$WASM_TARGET" --profile "$WASM_PROFILE" --target-dir "$target_dir" "$@")
  if [ -n "$rustflags" ]; then RUSTFLAGS="$rustflags" "${build[@]}"; else "${build[@]}"; fi
  local raw="$target_dir/$WASM_TARGET/$WASM_PROFILE/dermtone_web.wasm"
  local out="www/pkg/$name"
  local stamp="$out/.built-from"
  # The module and the flags it is optimised with: a change to either rebuilds the bundle.
  local source; source=$( { sha256sum < "$raw"; echo "${WASM_OPT_FLAGS[*]} $extra"; } | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$source" ] && [ -f "$out/dermtone_web_bg.wasm" ]; then
    log "$out is up to date"
    return
  fi
  rm -rf "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" "$raw"
  log "optimising the $name wasm (wasm-opt -Oz $extra)"
  # shellcheck disable=SC2086 # $extra is a list of flags
  tests/node_modules/.bin/wasm-opt "${WASM_OPT_FLAGS[@]}" $extra "$out/dermtone_web_bg.wasm" -o "$out/dermtone_web_bg.wasm"
  check_no_relaxed_simd "$out/dermtone_web_bg.wasm"
  echo "$source" > "$stamp"
  log "$out/dermtone_web_bg.wasm: $(stat -c %s "$out/dermtone_web_bg.wasm") bytes, $(gzip -9c "$out/dermtone_web_bg.wasm" | wc -c) gzip"
}

# iOS Safari refuses a module with relaxed-SIMD instructions (f32x4.relaxed_madd, ...), which
# SIMD libraries emit where the target allows them. The disassembly names every one.
check_no_relaxed_simd() { # wasm
  local found
  found=$(tests/node_modules/.bin/wasm-dis "$1" | grep -c -E '\b[a-z0-9]+x[0-9]+\.relaxed_' || true)
  if [ "$found" != 0 ]; then
    rm -f "$1"
    echo "error: $1 has $found relaxed-SIMD instructions, which iOS Safari cannot load" >&2
    exit 1
  fi
}

# The CPU-only engine every browser with wasm SIMD runs; the same engine without SIMD (Rust's
# simd128 target feature off, so the direct kernels use plain arrays), which the page fetches
# only where the browser cannot validate a SIMD instruction, and which wasm-opt refuses to
# write if any SIMD instruction is left (--disable-simd); and the WebGPU one the page fetches
# only where the browser offers a hardware adapter. The CPU engine is part of every first visit,
# so wasm-opt repeats -Oz on it until it stops shrinking (--converge: 1.4 KB gzip smaller, about
# 2.5 more minutes of build on 2 cores: the same -Oz passes, run again).
build_wasm() {
  build_wasm_bundle cpu "$CARGO_TARGET_DIR/wasm-cpu" --converge ""
  build_wasm_bundle scalar "$CARGO_TARGET_DIR/wasm-scalar" --disable-simd "-C target-feature=-simd128"
  build_wasm_bundle webgpu "$CARGO_TARGET_DIR" "" "" --features webgpu
}

# The page as served: www/ (the readable source) and its wasm engines copied into dist/, the
# JavaScript, CSS, JSON and HTML minified (esbuild; no bundling).
build_page() {
  log "writing the page as served (dist/, minified)"
  node scripts/build-page.mjs --src www --out dist
}

# The service worker's list of what to cache offline, versioned by the sha256 of every file in it.
build_precache() {
  log "listing the offline cache (dist/pkg/precache.js)"
  node scripts/precache.mjs --root dist --models models
}

# Brotli and gzip copies beside each served file, which `dermtone serve` sends where the browser
# accepts them. After the precache list, which is served too.
build_precompressed() {
  log "precompressing the page and the models (brotli, gzip)"
  node scripts/precompress.mjs --root dist --models models
}

build_all() {
  ensure_build_tools
  build_native
  build_wasm
  build_page
  build_precache
  build_precompressed
}

run_tests() {
  # libavif-bin: avifenc/avifdec make the AVIF that tests/browser/formats.test.mjs gives the page.
  ensure_apt chromium mesa-vulkan-drivers libvulkan1 libavif-bin
  build_all
  log "cargo fmt --check"
  cargo fmt --all --check
  log "cargo clippy (native and wasm)"
  cargo clippy --workspace --all-targets --release -- -D warnings
  cargo clippy -p dermtone-web --target "$WASM_TARGET" --profile "$WASM_PROFILE" --target-dir "$CARGO_TARGET_DIR/wasm-cpu" -- -D warnings
  cargo clippy -p dermtone-web --target "$WASM_TARGET" --profile "$WASM_PROFILE" --features webgpu -- -D warnings
  log "cargo test"
  cargo test --workspace --release
  log "the engine as the page's CPU bundle builds it (without burn-forward: the direct kernels alone)"
  cargo test -p dermtone-engine --no-default-features --release --lib
  log "fuzz smoke: a minute of mutated photos, manifests and weight files (crates/engine/examples/fuzz)"
  "$CARGO_TARGET_DIR/release/examples/fuzz" --seconds "${FUZZ_SECONDS:-60}" --crashes tests/.tmp/fuzz-crashes
  log "the benchmark's scripts parse (CI builds the benchmark but does not run it)"
  for script in bench/*.mjs bench/page/*.js; do node --check "$script"; done
  log "browser tests (headless Chromium)"
  DERMTONE_BIN="$CARGO_TARGET_DIR/release/dermtone" node --test --test-concurrency=1 tests/browser/
}

case "${1:-build}" in
  build) build_all ;;
  serve) build_all; exec "$CARGO_TARGET_DIR/release/dermtone" serve --port "${PORT:-8080}" --root dist --models models ;;
  test) run_tests ;;
  bench) ensure_apt chromium mesa-vulkan-drivers libvulkan1; build_all; log "benchmark (several minutes)"
    DERMTONE_BIN="$CARGO_TARGET_DIR/release/dermtone" node bench/run.mjs ;;
  *) echo "usage: ./build.sh [build|serve|test|bench]" >&2; exit 2 ;;
esac
