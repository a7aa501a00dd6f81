#!/usr/bin/env bash
# Starts the release server on a fresh data directory, waits for /health, runs Playwright, stops
# the server. The tests read mails from $DATA_DIR/mail.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-3100}"
data_dir="$(mktemp -d -t talkdeck-e2e.XXXXXX)"
log="$data_dir/server.log"
export DATA_DIR="$data_dir" BASE_URL="http://127.0.0.1:$port"
export LEPTOS_SITE_ADDR="127.0.0.1:$port" PUBLIC_URL="$BASE_URL"
export WEBHOOK_ALLOW_PRIVATE_TARGETS=true  # the integrations spec runs its webhook receiver on 127.0.0.1
export HUBSPOT_API_BASE="http://127.0.0.1:${HUBSPOT_FAKE_PORT:-3199}"  # and its HubSpot fake there
export LEPTOS_OUTPUT_NAME=talkdeck LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_HASH_FILES=true
export RUST_LOG="${RUST_LOG:-info}"
target/release/talkdeck serve >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  if curl -fsS "$BASE_URL/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "server exited; log:"; cat "$log"; exit 1; fi
  sleep 0.5
done
status=0
(cd end2end && npx playwright test) || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log ($log) ---"; tail -n 80 "$log"; fi
exit "$status"
