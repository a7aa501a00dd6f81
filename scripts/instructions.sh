#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind (README "Performance"; not part of
# `make test`). Unlike requests/s, the count does not depend on what else the machine is doing,
# so two builds can be compared on a busy or noisy machine: run this once per binary.
#
#   scripts/instructions.sh [BINARY]      (default: target/release/talkdeck)
#
# Uses the SQLite database `scripts/bench.sh sqlite` seeded (target/bench/sqlite/bench.db; run
# that first). Starts the server under callgrind with instrumentation off, logs in, warms each
# request up, then counts N requests of each (default 20) and prints instructions per request.
# Profiles are kept in target/bench/callgrind.<n> for `callgrind_annotate`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/talkdeck}
N=${N:-20}
PORT=${PORT:-3979}
BASE="http://127.0.0.1:$PORT"
DB=target/bench/sqlite/bench.db
EMAIL=bench@talkdeck.local
PASSWORD=Bench-pass-2468
say() { printf '\033[1;34m[instructions]\033[0m %s\n' "$*" >&2; }

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
[ -f "$DB" ] || { echo "no seeded database at $DB: run scripts/bench.sh sqlite first" >&2; exit 1; }
out=target/bench/callgrind
rm -f "$out".*

DATABASE_URL="sqlite://$PWD/$DB" DATA_DIR=target/bench/data LEPTOS_SITE_ADDR=127.0.0.1:$PORT RUST_LOG=warn \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "$BIN" serve >target/bench/callgrind-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.5; done

token=$(curl -fs "$BASE/api/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
key=$(curl -fs "$BASE/api/v1/api-keys" -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"instructions"}' | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
jar=$(mktemp)
curl -fs -c "$jar" -o /dev/null "$BASE/rpc/login" -H "origin: $BASE" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD"
session=$(awk '$6 ~ /session/ {print $6 "=" $7}' "$jar" | head -1)
rm -f "$jar"
[ -n "$key" ] && [ -n "$session" ] || { echo "could not log in as $EMAIL" >&2; exit 1; }
id=$(curl -fs "$BASE/api/v1/calls?limit=1" -H "x-api-key: $key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')

n=0
printf '| request | instructions per request |\n|---|---:|\n'
while IFS='|' read -r name path auth; do
  hdr=(-H "x-api-key: $key")
  [ "$auth" = cookie ] && hdr=(-H "cookie: $session")
  for _ in 1 2 3; do curl -fs -o /dev/null "${hdr[@]}" "$BASE$path"; done
  callgrind_control --zero "$pid" >/dev/null
  callgrind_control --instr=on "$pid" >/dev/null
  for _ in $(seq "$N"); do curl -fs -o /dev/null "${hdr[@]}" "$BASE$path"; done
  n=$((n + 1))
  callgrind_control --dump="request $n" "$pid" >/dev/null
  callgrind_control --instr=off "$pid" >/dev/null
  total=$(awk '/^summary:/ {print $2}' "$out.$n")
  printf '| %s | %s |\n' "$name" "$(python3 -c "print(f'{$total / $N:,.0f}')")"
done <<LIST
history JSON, first page of 50|/api/v1/calls?limit=50|key
call detail|/api/v1/calls/$id|key
Calls page SSR|/calls|cookie
Overview page SSR|/|cookie
LIST
say "profiles in $out.1 .. $out.$n (callgrind_annotate --inclusive=yes FILE)"
