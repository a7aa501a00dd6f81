#!/usr/bin/env bash
# A batch killed mid-run: starts the real server, runs a batch on the simulator (ordinary rows,
# busy rows retried twice), kills the server with SIGKILL while calls are under way, starts it
# again and waits for the batch to finish. Then counts, in the database: every row final, at most
# one call per (row, attempt), attempts numbered 1..n without gaps, each row's attempts equal to
# its calls, and no row called more often than its allowed attempts. On SQLite, and on
# PostgreSQL when 127.0.0.1:5432 answers.
#
# Usage: scripts/batch-crash.sh [binary] [rows]   (default target/release/talkdeck, 60 rows)
# Needs curl, python3 and psql.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/talkdeck}"
rows="${2:-60}"
pg_admin="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
[ -x "$bin" ] || { echo "no server binary at $bin (build it first)"; exit 1; }

pid=""
dbs=()
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  for db in "${dbs[@]:-}"; do
    [ -n "$db" ] && psql "$pg_admin" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start_server() {
  "$bin" serve >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do
    curl -fsS "$base/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "server did not start; log:"; tail -50 "$log"; return 1
}

# sql QUERY: one value from the run's database.
sql() {
  if [ -n "${DATABASE_URL:-}" ]; then
    psql "$DATABASE_URL" -tAq -c "$1"
  else
    python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])" "$DATA_DIR/talkdeck.db" "$1"
  fi
}

run() {
  local name="$1" db_url="$2"
  local port=3290 data
  data=$(mktemp -d -t talkdeck-crash.XXXXXX)
  base="http://127.0.0.1:$port"
  log="$data/server.log"
  export DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" PUBLIC_URL="$base" RUST_LOG=warn SIMULATOR_TIME_SCALE=40
  if [ -n "$db_url" ]; then export DATABASE_URL="$db_url"; else unset DATABASE_URL; fi
  echo "== $name"
  TALKDECK_PASSWORD='Crash-test-pass-1' "$bin" create-user --email crash@example.com --name Crash >/dev/null
  start_server
  local token project agent number batch
  token=$(curl -fsS -H 'content-type: application/json' -d '{"email":"crash@example.com","password":"Crash-test-pass-1"}' "$base/api/auth/login" | json 'd["token"]')
  local auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
  project=$(curl -fsS "${auth[@]}" -d '{"name":"Crash"}' "$base/api/v1/projects" | json 'd["data"]["id"]')
  agent=$(curl -fsS "${auth[@]}" -d "{\"project_id\":\"$project\",\"name\":\"Ava\",\"direction\":\"outbound\",\"system_prompt\":\"You call {{name}}.\",\"first_message\":\"Hi {{name}}!\"}" "$base/api/v1/agents" | json 'd["data"]["id"]')
  number=$(curl -fsS "${auth[@]}" -d "{\"project_id\":\"$project\",\"number\":\"+14155550100\"}" "$base/api/v1/phone-numbers" | json 'd["data"]["id"]')
  curl -fsS -X PUT "${auth[@]}" -d "{\"direction\":\"outbound\",\"phone_number_ids\":[\"$number\"]}" "$base/api/v1/agents/$agent/calling" >/dev/null
  # Every fifth row is busy (0001) and retried twice; the rest are ordinary conversations.
  local body
  body=$(python3 - "$project" "$agent" "$rows" <<'EOF'
import json, sys
project, agent, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
exchanges = [x for x in range(220, 1000) if x % 100 != 11]
rows = [{"number": f"+1415{exchanges[i]}{'0001' if i % 5 == 0 else '2671'}", "variables": {"name": f"P{i}"}} for i in range(n)]
print(json.dumps({"project_id": project, "agent_id": agent, "name": "Crash", "rows": rows}))
EOF
)
  batch=$(curl -fsS "${auth[@]}" -d "$body" "$base/api/v1/batches" | json 'd["data"]["id"]')
  curl -fsS "${auth[@]}" -d '{"concurrency":5,"retry":{"on":["busy"],"max_retries":2,"cooldown_seconds":1}}' "$base/api/v1/batches/$batch/start" >/dev/null
  # Kill once a few rows are done and calls are live.
  for _ in $(seq 1 300); do
    local done_rows calling
    done_rows=$(sql "SELECT COUNT(*) FROM batch_rows WHERE batch_id = '$batch' AND state IN ('done','failed')")
    calling=$(sql "SELECT COUNT(*) FROM batch_rows WHERE batch_id = '$batch' AND state = 'calling'")
    if [ "$done_rows" -ge 5 ] && [ "$calling" -ge 1 ]; then break; fi
    sleep 0.2
  done
  echo "   SIGKILL with $(sql "SELECT COUNT(*) FROM batch_rows WHERE batch_id = '$batch' AND state = 'calling'") rows calling, $(sql "SELECT COUNT(*) FROM calls WHERE batch_id = '$batch'") calls placed"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  start_server
  local status=""
  for _ in $(seq 1 600); do
    status=$(curl -fsS "${auth[@]}" "$base/api/v1/batches/$batch" | json 'd["data"]["status"]')
    [ "$status" = completed ] && break
    sleep 0.5
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  local fail=0
  check() { # check LABEL QUERY EXPECTED
    local got; got=$(sql "$2")
    if [ "$got" = "$3" ]; then echo "   ok   $1 ($got)"; else echo "   FAIL $1: got $got, want $3"; fail=1; fi
  }
  [ "$status" = completed ] || { echo "   FAIL batch is $status, not completed"; fail=1; }
  check "rows not final" "SELECT COUNT(*) FROM batch_rows WHERE batch_id = '$batch' AND state NOT IN ('done','failed','skipped','canceled','invalid')" 0
  check "calls sharing a (row, attempt)" "SELECT COUNT(*) FROM (SELECT batch_row_id, batch_attempt FROM calls WHERE batch_id = '$batch' GROUP BY batch_row_id, batch_attempt HAVING COUNT(*) > 1) d" 0
  check "rows whose attempts differ from their calls" "SELECT COUNT(*) FROM batch_rows r WHERE r.batch_id = '$batch' AND r.attempts <> (SELECT COUNT(*) FROM calls c WHERE c.batch_row_id = r.id)" 0
  check "rows whose attempt numbers have gaps" "SELECT COUNT(*) FROM batch_rows r WHERE r.batch_id = '$batch' AND r.attempts <> COALESCE((SELECT MAX(c.batch_attempt) FROM calls c WHERE c.batch_row_id = r.id), 0)" 0
  check "rows called more than 3 times" "SELECT COUNT(*) FROM batch_rows WHERE batch_id = '$batch' AND attempts > 3" 0
  check "ordinary rows called more than once" "SELECT COUNT(*) FROM batch_rows WHERE batch_id = '$batch' AND number NOT LIKE '%0001' AND attempts > 1" 0
  check "busy rows not tried three times" "SELECT COUNT(*) FROM batch_rows WHERE batch_id = '$batch' AND number LIKE '%0001' AND attempts <> 3" 0
  echo "   calls: $(sql "SELECT COUNT(*) FROM calls WHERE batch_id = '$batch'") for $rows rows"
  return "$fail"
}

overall=0
run sqlite "" || overall=1
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  db="td_crash_$(date +%s)_$$"
  psql "$pg_admin" -q -c "CREATE DATABASE $db" >/dev/null
  dbs+=("$db")
  run postgres "${pg_admin%/*}/$db" || overall=1
fi
exit "$overall"
