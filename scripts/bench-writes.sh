#!/usr/bin/env bash
# `make bench`, writes: POST /api/projects on SQLite under wrk -t2 -c32 for BENCH_WRITE_DURATION
# (60s), with the WAL file's largest size and the server's RSS sampled every 100 ms; then a
# 9:1 read/write mix and a lone writer (one connection: the latency a quiet server gives).
# Usage: scripts/bench-writes.sh BUILD_DIR [BASELINE_BUILD_DIR]. With a baseline (a build of an
# older commit in another folder), both run side by side, alternating, and the ratios are
# printed: the machine's noise then hits both alike.
# Knobs: BENCH_WRITE_DURATION (60s), BENCH_MIX_DURATION (10s), BENCH_LONE_DURATION (5s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_WRK_SCHED (batch), BENCH_SYNCHRONOUS
# ("normal full": each value is run for BUILD_DIR; the baseline runs with its own default).
set -euo pipefail

build_dir=${1:?usage: scripts/bench-writes.sh BUILD_DIR [BASELINE_BUILD_DIR]}
baseline_dir=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
write_duration=${BENCH_WRITE_DURATION:-60s}
mix_duration=${BENCH_MIX_DURATION:-10s}
lone_duration=${BENCH_LONE_DURATION:-5s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
wrk_sched=${BENCH_WRK_SCHED:-batch}
read -r -a synchronous_modes <<<"${BENCH_SYNCHRONOUS:-normal full}"
duration=$write_duration
bin=

# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"
require_http_tools
new_bin=$(binary_of "$build_dir")
[[ -z $baseline_dir ]] || old_bin=$(binary_of "$baseline_dir")

# Samples the WAL file's size and the server's RSS every 100 ms into $1 until killed.
sample() {
  local out=$1 wal=$2 pid=$3 size
  while kill -0 "$pid" 2>/dev/null; do
    size=$(stat -c %s "$wal" 2>/dev/null || echo 0)
    echo "$size $(rss_kb "$pid")" >>"$out"
    sleep 0.1
  done
}

# One full round for binary $1 labelled $2, extra server environment in $3...: fresh data
# folder, setup, the write storm (sampled), the mix, the lone writer. Results go to
# $work/result-$2 as "name value" lines.
run_round() {
  local label=$2 dir sampler out
  bin=$1
  ds_env=("${@:3}")
  dir="$work/$label-$RANDOM"
  start_deploystack "$dir"
  out=$(curl -sS -o "$dir/setup.json" -w '%{http_code}' -X POST -H 'content-type: application/json' \
    --data '{"type":"sqlite"}' "http://127.0.0.1:$ds_port/api/db/setup")
  [[ $out == 200 ]] || die "$label: setup answered $out: $(cat "$dir/setup.json")"
  local base="http://127.0.0.1:$ds_port" wal="$dir/persistent_data/database/deploystack.db-wal"
  local result="$work/result-$label"
  : >"$result"

  # The write storm, sampled.
  sample "$work/samples-$label" "$wal" "$ds_pid" &
  sampler=$!
  duration=$write_duration wrk_script="$root/bench/http/post_project.lua" \
    run_wrk "$base/api/projects" "writes-$label" "$ds_pid" >"$work/rps"
  kill "$sampler" && wait "$sampler" 2>/dev/null || true
  echo "writes_rps $(<"$work/rps")" >>"$result"
  echo "writes_p99 $(latency_p99 "writes-$label")" >>"$result"
  echo "writes_cpu_us $(tail -1 "$work/cpu-writes-$label")" >>"$result"
  awk '{ if ($1 > m) m = $1 } END { printf "wal_max_mb %.1f\n", m / 1048576 }' "$work/samples-$label" >>"$result"
  # RSS over the run: the smallest and the largest sample after the first tenth (warm-up).
  awk '{ v[NR] = $2 } END { s = int(NR / 10) + 1; lo = v[s]; hi = v[s]
         for (i = s; i <= NR; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i] }
         printf "rss_min_mb %.1f\nrss_max_mb %.1f\n", lo / 1024, hi / 1024 }' \
    "$work/samples-$label" >>"$result"
  rm -f "$work/samples-$label"

  duration=$mix_duration wrk_script="$root/bench/http/read_write_mix.lua" \
    run_wrk "$base/api/projects?limit=20" "mix-$label" "$ds_pid" >"$work/rps"
  echo "mix_rps $(<"$work/rps")" >>"$result"
  echo "mix_p99 $(latency_p99 "mix-$label")" >>"$result"

  threads=1 connections=1 duration=$lone_duration wrk_script="$root/bench/http/post_project.lua" \
    run_wrk "$base/api/projects" "lone-$label" "$ds_pid" >"$work/rps"
  echo "lone_rps $(<"$work/rps")" >>"$result"
  echo "lone_p99 $(latency_p99 "lone-$label")" >>"$result"
  stop_deploystack
  rm -rf "$dir"
}

value() { awk -v k="$2" '$1 == k { print $2 }' "$work/result-$1"; }

echo "bench: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "bench: writes: wrk -t$threads -c$connections -d$write_duration POST /api/projects; mix 9:1 -d$mix_duration; lone writer -t1 -c1 -d$lone_duration"
labels=()
for mode in "${synchronous_modes[@]}"; do
  [[ -z $baseline_dir ]] || { run_round "$old_bin" "baseline-$mode"; labels+=("baseline-$mode"); }
  run_round "$new_bin" "$mode" "SQLITE_SYNCHRONOUS=$mode"
  labels+=("$mode")
done

printf '\n%-28s' "measure"
for l in "${labels[@]}"; do printf '%14s' "$l"; done
echo
for key in writes_rps writes_p99 writes_cpu_us wal_max_mb rss_min_mb rss_max_mb mix_rps mix_p99 lone_rps lone_p99; do
  printf '%-28s' "$key"
  for l in "${labels[@]}"; do printf '%14s' "$(value "$l" "$key")"; done
  echo
done
if [[ -n $baseline_dir ]]; then
  # Each mode against the baseline round run just before it.
  for mode in "${synchronous_modes[@]}"; do
    for key in writes_rps mix_rps lone_rps; do
      printf '%-28s' "$key $mode/baseline"
      awk -v a="$(value "$mode" "$key")" -v b="$(value "baseline-$mode" "$key")" 'BEGIN { printf "%14.2f\n", a / b }'
    done
  done
fi
