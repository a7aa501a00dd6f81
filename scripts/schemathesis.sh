#!/usr/bin/env bash
# Schemathesis against the running debug server, once on SQLite and once on PostgreSQL (when
# 127.0.0.1:5432 answers): every /api/v1 operation of /api/v1/openapi.json is called with
# generated valid and invalid requests, and the run fails on any server error, any response that
# breaks the document (status, content type, headers, schema), an invalid request that is
# accepted, an unauthenticated one that is served, or an undocumented method that is not 405.
#
# Not generated: NUL characters (the API refuses them everywhere with 400, by design: PostgreSQL
# cannot store them). Not gating: `positive_data_acceptance` (a schema-valid request refused),
# because some refusals depend on data a schema cannot describe: a cursor that was not issued by
# the server, a template variable the agent needs, transferring a project to oneself. Set
# ST_STRICT=1 to gate on it too.
#
# Usage: scripts/schemathesis.sh [max-examples per operation]   (default 25)
# Needs the debug binary (built here unless SCHEMATHESIS_PREBUILT=1) and python3; the venv is
# cached in target/venv-schemathesis. PG_URL (default postgres://postgres@127.0.0.1:5432/postgres)
# names the server to create a fresh database on; that database is dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${1:-25}"
venv=target/venv-schemathesis
pg_admin="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
started=$(date +%s)

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "schemathesis>=4,<5"
fi
"$venv/bin/schemathesis" --version

# `make test` sets SCHEMATHESIS_PREBUILT=1: `make unit` has just built target/debug/talkdeck (cargo
# test builds the binary too), and a `cargo build` would rebuild it with the non-test feature set.
[ "${SCHEMATHESIS_PREBUILT:-0}" = 1 ] && [ -x target/debug/talkdeck ] || cargo build --locked --quiet
bin=target/debug/talkdeck

free_port() {
  for p in $(seq 3200 3299); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port in 3200-3299" >&2
  exit 1
}

pids=()
dbs=()
cleanup() {
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  for db in "${dbs[@]:-}"; do
    [ -n "$db" ] && psql "$pg_admin" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

# run NAME DATABASE_URL: one server, one user with a project, an agent and an API key, one run.
run() {
  local name="$1" db_url="$2"
  local port data base log token project
  port=$(free_port)
  data=$(mktemp -d -t talkdeck-schemathesis.XXXXXX)
  base="http://127.0.0.1:$port"
  log="$data/server.log"
  export DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" PUBLIC_URL="$base" RUST_LOG="${RUST_LOG:-warn}"
  # Nothing listens there: a fuzzed HubSpot token is refused at once (502) instead of waiting on the internet.
  export HUBSPOT_API_BASE="http://127.0.0.1:9"
  if [ -n "$db_url" ]; then export DATABASE_URL="$db_url"; else unset DATABASE_URL; fi
  TALKDECK_PASSWORD='Schemathesis-pass-1' "$bin" create-user --email st@example.com --name "Schemathesis" >/dev/null
  "$bin" serve >"$log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 120); do
    curl -fsS "$base/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "$base/health" >/dev/null || { echo "server did not start; log:"; cat "$log"; return 1; }

  token=$(curl -fsS -H 'content-type: application/json' -d '{"email":"st@example.com","password":"Schemathesis-pass-1"}' \
    "$base/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
  project=$(curl -fsS "${auth[@]}" -d '{"name":"Schemathesis","description":"fuzzed"}' "$base/api/v1/projects" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')
  curl -fsS "${auth[@]}" -d "{\"project_id\":\"$project\",\"name\":\"Ada\",\"system_prompt\":\"Hello {{name}}\"}" "$base/api/v1/agents" >/dev/null
  curl -fsS "${auth[@]}" -d "{\"project_id\":\"$project\",\"name\":\"fuzz key\"}" "$base/api/v1/api-keys" >/dev/null
  curl -fsS "${auth[@]}" -d "{\"project_id\":\"$project\",\"number\":\"+14155552671\"}" "$base/api/v1/phone-numbers" >/dev/null

  # negative_data_rejection (lenient input accepted, e.g. a JSON array as DELETE's optional body)
  # is reported with ST_STRICT=1 but does not gate: it is not a server error or a broken answer.
  local checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,ignored_auth,unsupported_method
  [ "${ST_STRICT:-0}" = 1 ] && checks="$checks,positive_data_acceptance,negative_data_rejection"
  echo "== schemathesis on $name ($base)"
  local t0=$(date +%s) status=0
  # Only /api/v1: the Talkstack operations include logout, password changes and key rotation,
  # which would revoke the credentials the run uses. Twilio import and the HubSpot connection
  # (`/integrations/hubspot`, whose PUT checks the token with HubSpot) are left out: they call a
  # service this run cannot reach, so fuzzed credentials can only end in an honest 502
  # (tests/hubspot.rs covers that route against a fake). The
  # call stream is left out too: an event stream never ends, so every request would time out. The stateful phase needs links the
  # document does not declare.
  "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --include-path-regex '^/api/v1/' \
    --exclude-path-regex '(/twilio/import|/calls/stream|/integrations/hubspot)$' \
    --phases examples,coverage,fuzzing \
    --checks "$checks" \
    --generation-allow-x00 false \
    --max-examples "$examples" \
    --request-timeout 10 \
    --max-time 240 \
    --workers 2 \
    --seed 1 \
    --suppress-health-check all \
    --report junit --report-dir "$data/report" || status=$?
  echo "== $name: schemathesis exit $status in $(( $(date +%s) - t0 )) s (report in $data/report)"
  # Findings about the API are JUnit <failure>s; an <error> is schemathesis failing inside itself
  # (seen: a KeyError in its coverage phase), reported but not held against the API.
  local failures errors
  failures=$(cat "$data"/report/*.xml 2>/dev/null | grep -c '<failure' || true)
  errors=$(cat "$data"/report/*.xml 2>/dev/null | grep -c '<error' || true)
  echo "== $name: ${failures:-0} API finding(s), ${errors:-0} schemathesis-internal error(s)"
  if [ "$status" -ne 0 ] && [ "${failures:-0}" -eq 0 ] && [ "${errors:-0}" -gt 0 ]; then status=0; fi
  if grep -qE 'ERROR|panicked' "$log"; then
    echo "== $name: server log has errors:"; grep -E 'ERROR|panicked' "$log" | head -20; status=1
  fi
  return "$status"
}

overall=0
run sqlite "" || overall=1
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  db="td_schemathesis_$(date +%s)_$$"
  psql "$pg_admin" -q -c "CREATE DATABASE $db" >/dev/null
  dbs+=("$db")
  run postgres "${pg_admin%/*}/$db" || overall=1
else
  echo "PostgreSQL not reachable on 127.0.0.1:5432: schemathesis ran on SQLite only"
fi
echo "schemathesis: done in $(( $(date +%s) - started )) s"
exit "$overall"
