#!/usr/bin/env bash
# `make run`: serves the release build. It is built first (`cargo leptos build --release`) only
# when it is missing, when target/site is not the site of this binary, or when a source is newer
# than the build; an up-to-date tree starts in seconds, without cargo-leptos's wasm-bindgen and
# wasm-opt passes. The server then runs with the LEPTOS_* settings cargo-leptos would give it.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/release/talkdeck
hash_file=target/release/hash.txt
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-talkdeck}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export LEPTOS_SITE_PKG_DIR="${LEPTOS_SITE_PKG_DIR:-pkg}"
export LEPTOS_HASH_FILES=true
pkg="$LEPTOS_SITE_ROOT/$LEPTOS_SITE_PKG_DIR"

say() { printf '\033[1;34m[run]\033[0m %s\n' "$*"; }

# Prints why the release build must be (re)built; prints nothing when it is up to date.
stale() {
  [ -x "$bin" ] || { echo "no $bin yet"; return; }
  [ -f "$hash_file" ] || { echo "no $hash_file (built without hashed file names)"; return; }
  # The site must come from the same build as the binary (a debug `cargo leptos build` also
  # writes target/site): the files named in the binary's hash file must be there.
  local js
  js="$pkg/$LEPTOS_OUTPUT_NAME.$(sed -n 's/^js: *//p' "$hash_file").js"
  for kind in js wasm css; do
    local f="$pkg/$LEPTOS_OUTPUT_NAME.$(sed -n "s/^$kind: *//p" "$hash_file").$kind"
    [ -f "$f" ] || { echo "$pkg is not from the build of $bin ($f missing)"; return; }
  done
  local sources=() s newer
  for s in src style public migrations Cargo.toml Cargo.lock package.json package-lock.json rust-toolchain.toml; do
    [ -e "$s" ] && sources+=("$s")
  done
  for stamp in "$bin" "$js"; do
    newer=$(find "${sources[@]}" -newer "$stamp" -print -quit)
    [ -z "$newer" ] || { echo "$newer is newer than $stamp"; return; }
  done
}

reason=$(stale)
if [ -n "$reason" ]; then
  say "building the release: $reason"
  cargo leptos build --release --cargo-locked
else
  say "release build is up to date; not rebuilding"
fi
exec "$bin" serve
