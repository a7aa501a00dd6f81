#!/usr/bin/env bash
# Call history at scale, measured (README "Performance"; not part of `make test`).
#
#   scripts/bench.sh [sqlite|postgres|both]      (default: both)
#
# Builds the release binary, seeds CALLS calls (default 1,000,000) with `talkdeck seed-demo` into
# a database of its own (SQLite under target/bench/, PostgreSQL database `talkdeck_bench`, dropped
# and created), starts the server pinned to core 0 and the load generator (wrk) pinned to core 1,
# and measures requests/s and p50/p99 latency of the call-history JSON (first page, a deep cursor
# page, a filtered page, a text search), a call's detail, the Calls page and the Overview page
# (server-side rendered), and the server's peak memory (VmHWM). Results go to
# target/bench/results-<backend>.md. A seeded database is reused while CALLS is unchanged.
#
# Environment: CALLS, DURATION (seconds per endpoint, 10), CONNS (connections, 8), PORT (3977),
# PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres), SKIP_BUILD=1, ONLY (a regular
# expression: measure only the requests whose name matches, e.g. ONLY='first page|Calls page').
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS=${CALLS:-1000000}
DURATION=${DURATION:-10}
CONNS=${CONNS:-8}
PORT=${PORT:-3977}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=talkdeck_bench
OUT=target/bench
BIN=target/release/talkdeck
EMAIL=bench@talkdeck.local
PASSWORD=Bench-pass-2468
BASE="http://127.0.0.1:$PORT"
mode=${1:-both}

say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }

# The load generator, installed once if missing.
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  if command -v apt-get >/dev/null; then
    (apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; })
  fi
  command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
fi
command -v taskset >/dev/null || { echo "taskset is needed (util-linux)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "two cores are needed: one for the server, one for the load" >&2; exit 1; }

if [ "${SKIP_BUILD:-}" != 1 ]; then
  say "cargo build --release --locked"
  cargo build --release --locked --bin talkdeck >&2
fi
mkdir -p "$OUT"

server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

# Seeds $CALLS calls into $1 (a database URL) unless the marker says it is done.
seed() {
  local url=$1 marker=$2
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$CALLS" ]; then
    say "reusing the seeded database ($CALLS calls)"
    return
  fi
  say "seeding $CALLS calls"
  local t0=$SECONDS
  DATABASE_URL=$url DATA_DIR=$OUT/data RUST_LOG=warn "$BIN" seed-demo --calls "$CALLS" --email "$EMAIL" --password "$PASSWORD" >"$OUT/seed.log"
  echo "seed: $CALLS calls in $((SECONDS - t0)) s" | tee "$marker.time" >&2
  echo "$CALLS" >"$marker"
}

# Runs wrk on one URL: prints "req/s p50 p99".
load() {
  local url=$1
  shift
  local out
  out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  [ -z "$errors" ] || say "WARNING: $errors non-2xx answers from $url"
  echo "$rps $p50 $p99"
}

run() {
  local backend=$1 url marker
  case $backend in
    sqlite)
      mkdir -p "$OUT/sqlite"
      url="sqlite://$PWD/$OUT/sqlite/bench.db?mode=rwc"
      marker=$OUT/sqlite/seeded
      [ -f "$OUT/sqlite/bench.db" ] || rm -f "$marker"
      [ -f "$marker" ] && [ "$(cat "$marker")" = "$CALLS" ] || rm -f "$OUT"/sqlite/bench.db*
      ;;
    postgres)
      url="${PG_ADMIN_URL%/*}/$PG_DB"
      marker=$OUT/postgres-seeded
      if ! [ -f "$marker" ] || [ "$(cat "$marker")" != "$CALLS" ]; then
        psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
      fi
      ;;
  esac
  seed "$url" "$marker"

  say "$backend: server on core 0"
  DATABASE_URL=$url DATA_DIR=$OUT/data LEPTOS_SITE_ADDR=127.0.0.1:$PORT RUST_LOG=warn taskset -c 0 "$BIN" serve >"$OUT/server-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done

  # An API key (JSON API) and a session cookie (pages) for the demo user.
  local token key jar=$OUT/cookies-$backend
  token=$(curl -fs "$BASE/api/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  key=$(curl -fs "$BASE/api/v1/api-keys" -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"bench"}' | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
  rm -f "$jar"
  curl -fs -c "$jar" -o /dev/null "$BASE/rpc/login" -H "origin: $BASE" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD"
  local session
  session=$(awk '$6 ~ /session/ {print $6 "=" $7}' "$jar" | head -1)
  [ -n "$key" ] && [ -n "$session" ] || { echo "could not log in as $EMAIL" >&2; exit 1; }

  local first id number deep_t deep
  first=$(curl -fs "$BASE/api/v1/calls?limit=50" -H "x-api-key: $key")
  # The newest call, and the customer's number of the newest outbound call (as someone looking a
  # caller up would type it).
  read -r id number < <(python3 -c '
import json, sys
calls = json.load(sys.stdin)["data"]
out = [c for c in calls if c["direction"] == "outbound"]
print(calls[0]["id"], (out[0] if out else calls[0])["to"].lstrip("+"))' <<<"$first")
  # A cursor 45 days back: the middle of the history.
  deep_t=$(( $(date +%s) * 1000 - 45 * 86400000 ))
  deep=$(printf '[%s,"ffffffff-ffff-7fff-bfff-ffffffffffff"]' "$deep_t" | base64 -w0 | tr '+/' '-_' | tr -d '=')

  local report=$OUT/results-$backend.md
  {
    echo "### $backend, $CALLS calls ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
    echo
    [ -f "$marker.time" ] && { echo "$(cat "$marker.time")"; echo; }
    echo "| what | request | req/s | p50 | p99 |"
    echo "|---|---|---:|---:|---:|"
  } >"$report"
  local name path auth
  while IFS='|' read -r name path auth; do
    [ -z "${ONLY:-}" ] || [[ $name =~ $ONLY ]] || continue
    local hdr=(-H "x-api-key: $key")
    [ "$auth" = cookie ] && hdr=(-H "cookie: $session")
    curl -fs -o /dev/null "${hdr[@]}" "$BASE$path" || say "WARNING: $path does not answer 2xx"
    read -r rps p50 p99 <<<"$(load "$BASE$path" "${hdr[@]}")"
    say "$name: $rps req/s, p50 $p50, p99 $p99"
    echo "| $name | \`GET ${path:0:72}\` | $rps | $p50 | $p99 |" >>"$report"
  done <<EOF
history, first page|/api/v1/calls?limit=50|key
history, deep cursor page|/api/v1/calls?limit=50&cursor=$deep|key
history, filtered (completed, positive)|/api/v1/calls?limit=50&status=completed&sentiment=positive|key
history, text search|/api/v1/calls?limit=50&q=assessment|key
history, one number's calls|/api/v1/calls?limit=50&q=$number|key
history, a digit run shared by about 1 call in 20|/api/v1/calls?limit=50&q=4155550|key
call detail|/api/v1/calls/$id|key
overview JSON (90 days)|/api/v1/calls/overview?days=90|key
Calls page (SSR)|/calls|cookie
Overview page (SSR)|/|cookie
EOF
  local hwm
  hwm=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$server_pid/status")
  echo >>"$report"
  echo "Server peak memory (VmHWM) over the run: $hwm." >>"$report"
  say "$backend: peak RSS $hwm; results in $report"
  stop_server
}

case $mode in
  sqlite | postgres) run "$mode" ;;
  both) run sqlite && run postgres ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
cat "$OUT"/results-*.md
