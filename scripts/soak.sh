#!/usr/bin/env bash
# Soak: SOAK_SECONDS (default 60) of mixed load at 16 connections (wrk, scripts/soak.lua)
# against a server on SQLite, then against one on a local Turso server (tursodb from the test
# peers) that is killed for ~10 s in the middle of the run and restarted on the same port and
# data. Prints the answers by status, wrk's socket errors, and the server's RSS and open file
# descriptors at start and end. Loopback only; every wait is bounded. Not part of CI.
# Usage: scripts/soak.sh [build-dir]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-build}"
[[ "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
BINARY="$BUILD/deploystack"
TURSODB="$ROOT/tests/peers/node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb"
SECONDS_TOTAL="${SOAK_SECONDS:-60}"
CONNECTIONS=16
OUTAGE_SECONDS=10
export SOAK_ADMIN_TOKEN="soak-admin-token"

[[ -x "$BINARY" ]] || { echo "no $BINARY: run make build first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh installs it" >&2; exit 1; }
[[ -x "$TURSODB" ]] || { echo "tursodb is missing: run scripts/setup-test-peers.sh" >&2; exit 1; }
[[ "$SECONDS_TOTAL" =~ ^[0-9]+$ ]] && ((SECONDS_TOTAL >= 4)) || {
  echo "SOAK_SECONDS must be a whole number of at least 4" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/deploystack-soak.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Polls `command` every 0.1 s until it succeeds, at most `tries` times.
wait_until() {
  local tries=$1; shift
  for ((i = 0; i < tries; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}

free_port() {
  for ((i = 0; i < 50; i++)); do
    local port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  echo "no free port found" >&2; return 1
}

turso_answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 -H 'Content-Type: application/json' \
    -d '{"baton":null,"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]}' \
    "http://127.0.0.1:$1/v2/pipeline" || true)
  [[ "$code" == 200 ]]
}

TURSO_PID=""
start_tursodb() {  # dir port
  RUST_LOG=error "$TURSODB" "$1/test.db" --sync-server "127.0.0.1:$2" >>"$1/tursodb.log" 2>&1 &
  TURSO_PID=$!
  PIDS+=("$TURSO_PID")
  wait_until 200 turso_answers "$2" || { echo "tursodb did not answer on port $2" >&2; exit 1; }
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
fd_count() { ls "/proc/$1/fd" | wc -l; }

listening_port() { grep -so 'deploystack listening on http://127.0.0.1:[0-9]*' "$1" | grep -o '[0-9]*$'; }

# soak <name> <server dir> [VAR=value ...]: one server, setup, load, figures, clean stop.
soak() {
  local name=$1 dir=$2; shift 2
  mkdir -p "$dir"
  (cd "$dir" && exec env PORT=0 HOST=127.0.0.1 DEPLOYSTACK_ADMIN_TOKEN="$SOAK_ADMIN_TOKEN" \
    DEPLOYSTACK_ENCRYPTION_SECRET="soak secret long enough for the key derivation" "$@" \
    "$BINARY" serve >"$dir/stdout.log" 2>"$dir/server.log") &
  local pid=$!
  PIDS+=("$pid")
  wait_until 200 listening_port "$dir/stdout.log" >/dev/null || {
    echo "the server did not start; its log:" >&2; cat "$dir/server.log" >&2; exit 1; }
  local port; port=$(listening_port "$dir/stdout.log")
  local url="http://127.0.0.1:$port"
  local type=${name%% *}
  local setup
  setup=$(curl -s -o /dev/null -w '%{http_code}' -m 60 -H 'Content-Type: application/json' \
    -d "{\"type\":\"$type\"}" "$url/api/db/setup")
  [[ "$setup" == 200 ]] || { echo "setup answered $setup; log:" >&2; cat "$dir/server.log" >&2; exit 1; }

  local rss0 fd0; rss0=$(rss_kib "$pid"); fd0=$(fd_count "$pid")
  echo "== $name: ${SECONDS_TOTAL} s, $CONNECTIONS connections, $url"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_TOTAL}s" --timeout 10s -s "$ROOT/scripts/soak.lua" "$url" \
    >"$dir/wrk.log" 2>&1 &
  local wrk_pid=$!
  PIDS+=("$wrk_pid")
  if [[ -n "${OUTAGE_DIR:-}" ]]; then outage; fi
  wait "$wrk_pid" || { echo "wrk failed:" >&2; cat "$dir/wrk.log" >&2; exit 1; }
  sed -n '/status [0-9]*:/,$p' "$dir/wrk.log"
  local rss1 fd1; rss1=$(rss_kib "$pid"); fd1=$(fd_count "$pid")
  # The server closes the load's connections as it sees them go: give it up to 2 s.
  fd_back() { (($(fd_count "$pid") <= fd0)); }
  wait_until 20 fd_back || true
  local fd2; fd2=$(fd_count "$pid")
  echo "  server RSS: ${rss0} KiB at start, ${rss1} KiB at end"
  echo "  server open fds: ${fd0} at start, ${fd1} at the end of the load, ${fd2} once its connections closed"
  echo "  server log: $(grep -c 'level=warning' "$dir/server.log" || true) warnings," \
    "$(grep -c 'level=error' "$dir/server.log" || true) errors; the most frequent:"
  grep 'level=error\|level=warning' "$dir/server.log" | cut -d' ' -f2- | sort | uniq -c | sort -rn | head -5 |
    sed 's/^/    /' || true
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  echo "  exit status after SIGTERM: $status"
  ((status == 0)) || { tail -20 "$dir/server.log" >&2; exit 1; }
}

# The outage: kill tursodb a little before the middle, bring it back ~10 s later.
outage() {
  local before=$(( (SECONDS_TOTAL - OUTAGE_SECONDS) / 2 ))
  ((before > 0)) || before=1
  local down=$(( SECONDS_TOTAL - before > OUTAGE_SECONDS ? OUTAGE_SECONDS : SECONDS_TOTAL / 2 ))
  sleep "$before"
  kill -KILL "$TURSO_PID"; wait "$TURSO_PID" 2>/dev/null || true
  echo "  tursodb killed at ${before} s"
  sleep "$down"
  start_tursodb "$OUTAGE_DIR" "$TURSO_PORT"
  echo "  tursodb back after ${down} s on the same port and data"
}

soak "sqlite" "$WORK/sqlite"

mkdir -p "$WORK/turso/db"
TURSO_PORT=$(free_port)
start_tursodb "$WORK/turso/db" "$TURSO_PORT"
OUTAGE_DIR="$WORK/turso/db" soak "turso (outage of ${OUTAGE_SECONDS} s in the middle)" "$WORK/turso/server" \
  TURSO_DATABASE_URL="http://127.0.0.1:$TURSO_PORT" TURSO_AUTH_TOKEN="soak-token"
