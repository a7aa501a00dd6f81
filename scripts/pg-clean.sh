#!/usr/bin/env bash
# Drops the per-test databases (td_test_*) that earlier integration runs left on the server.
# Best effort: needs psql; silently does nothing without it.
url="${1:?postgres url}"
command -v psql >/dev/null || exit 0
psql "$url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'td\_test\_%'" 2>/dev/null |
  while read -r db; do psql "$url" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
exit 0
