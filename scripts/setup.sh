#!/usr/bin/env bash
# Installs what `make run` (mode "build") and `make test` (mode "test") need, skipping whatever
# is already present. Safe to run repeatedly; fast when everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"
CARGO_LEPTOS_VERSION=0.3.10

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] missing prerequisite:\033[0m %s\n  fix with: %s\n' "$1" "$2" >&2; exit 1; }

command -v cargo >/dev/null || die "Rust toolchain (cargo)" "curl https://sh.rustup.rs -sSf | sh"
command -v rustup >/dev/null || die "rustup" "curl https://sh.rustup.rs -sSf | sh"
command -v npm >/dev/null || die "Node.js and npm" "apt-get install -y nodejs npm"
command -v cc >/dev/null || die "a C compiler (for SQLite and ring)" "apt-get install -y build-essential"

# WASM target for the hydrate build.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-leptos, built without downloads: it then finds tailwindcss and wasm-opt in
# ./node_modules/.bin and wasm-bindgen on PATH instead of fetching them from GitHub.
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 11 minutes, once per machine)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

# wasm-bindgen CLI at exactly the library version in Cargo.lock.
wb_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
[ -n "$wb_version" ] || die "wasm-bindgen in Cargo.lock" "cargo generate-lockfile"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\$"; then
  say "installing wasm-bindgen-cli $wb_version"
  # No --locked: its lockfile names a webpki-roots the registry lacks.
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# tailwindcss and wasm-opt (binaryen) for cargo-leptos. Debian's binaryen breaks hydration.
if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing build tools from npm (tailwindcss, binaryen)"
  # Not `npm ci`: npm 11 refuses this lock file because it lacks tailwind's optional packages
  # for other platforms. Versions are pinned exactly in package.json and the lock is honoured.
  npm install --no-audit --no-fund --no-save
fi

# espeak-ng renders call recordings (both modes). Optional: without it calls have no recording
# and say why, so failing to install it is a warning, not an error.
if ! command -v espeak-ng >/dev/null; then
  if command -v apt-get >/dev/null; then
    say "installing espeak-ng (call recordings)"
    if [ "$(id -u)" = 0 ]; then
      (apt-get install -y --no-install-recommends espeak-ng || (apt-get update && apt-get install -y --no-install-recommends espeak-ng)) >/dev/null 2>&1 || true
    elif command -v sudo >/dev/null; then
      (sudo apt-get install -y --no-install-recommends espeak-ng || (sudo apt-get update && sudo apt-get install -y --no-install-recommends espeak-ng)) >/dev/null 2>&1 || true
    fi
  fi
  command -v espeak-ng >/dev/null || say "espeak-ng is not installed: calls will have no recordings (install it with: sudo apt-get install espeak-ng)"
fi

if [ "$mode" = "test" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium for the Playwright suite"
    if [ "$(id -u)" = 0 ]; then
      (apt-get install -y chromium || (apt-get update && apt-get install -y chromium)) >/dev/null
    elif command -v sudo >/dev/null; then
      (sudo apt-get install -y chromium || (sudo apt-get update && sudo apt-get install -y chromium)) >/dev/null
    fi
    [ -x /usr/bin/chromium ] || die "Chromium at /usr/bin/chromium" "sudo apt-get install -y chromium"
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing Playwright (browser download skipped: it drives /usr/bin/chromium)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
say "ready"
