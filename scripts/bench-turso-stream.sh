#!/usr/bin/env bash
# Streaming reads on Turso: Connection::stream() over BENCH_STREAM_ROWS (100000) rows of about
# 100 bytes on the suites' Hrana 3 test server (tests/support/hrana_server.py, stock sqlite3),
# through `POST /v3/cursor` and through the pipeline, side by side in one run, each read in its
# own process: the peak RSS growth over the read and rows/s. Any failed step stops the run.
# Usage: scripts/bench-turso-stream.sh BUILD_DIR
set -euo pipefail

build_dir=${1:?usage: scripts/bench-turso-stream.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${BENCH_STREAM_ROWS:-100000}
bench=$(cd "$build_dir" && pwd)/bench/turso_stream_bench
[[ -x $bench ]] || { echo "no $bench (build the turso_stream_bench target first)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$root/tests/support/hrana_server.py" --db "$work/bench.db" --port 0 --versions 3 \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on' "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.out")
[[ -n $port ]] || { echo "the Hrana server did not start" >&2; cat "$work/server.err" >&2; exit 1; }
url="http://127.0.0.1:$port"

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "rows: $rows (~100 bytes each), server: hrana_server.py --versions 3 (python $(python3 -c 'import sys; print(sys.version.split()[0])'), sqlite3)"
"$bench" "$url" fill "$rows"
for round in 1 2; do
  echo "round $round"
  "$bench" "$url" cursor "$rows"
  "$bench" "$url" pipeline "$rows"
done
