#!/usr/bin/env bash
# `make bench BENCH_BASELINE=<build of an older commit>`: what recording the metrics costs.
# GET /api/db/status (SQLite, set up) under wrk -t2 -c32, BENCH_ROUNDS (6) rounds of
# BENCH_DURATION (10s) for each binary, alternating new and baseline so the machine's noise hits
# both alike; prints each round, the medians and their ratio, and the CPU per request.
# Usage: scripts/bench-metrics.sh BUILD_DIR BASELINE_BUILD_DIR
set -euo pipefail

build_dir=${1:?usage: scripts/bench-metrics.sh BUILD_DIR BASELINE_BUILD_DIR}
baseline_dir=${2:?usage: scripts/bench-metrics.sh BUILD_DIR BASELINE_BUILD_DIR (a build of an older commit)}
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${BENCH_ROUNDS:-6}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
wrk_sched=${BENCH_WRK_SCHED:-batch}
bin=
bench_admin_token=bench-admin-token
ds_env=("DEPLOYSTACK_ADMIN_TOKEN=$bench_admin_token")

# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"
require_http_tools
declare -A binary=([new]=$(binary_of "$build_dir") [baseline]=$(binary_of "$baseline_dir"))
declare -A port pid

for label in new baseline; do
  bin=${binary[$label]}
  start_deploystack "$work/$label"
  port[$label]=$ds_port
  pid[$label]=$ds_pid
  out=$(curl -sS -o "$work/$label/setup.json" -w '%{http_code}' -X POST \
    -H 'content-type: application/json' --data '{"type":"sqlite"}' \
    "http://127.0.0.1:$ds_port/api/db/setup")
  [[ $out == 200 ]] || die "$label setup answered $out: $(cat "$work/$label/setup.json")"
  body=$(curl -sS "http://127.0.0.1:$ds_port/api/db/status")
  [[ $body == '{"configured":true,"initialized":true,"dialect":"sqlite"}' ]] ||
    die "$label: unexpected status body: $body"
done

echo "bench: GET /api/db/status, wrk -t$threads -c$connections -d$duration, $rounds alternating rounds"
declare -A rates
for ((r = 1; r <= rounds; r++)); do
  for label in new baseline; do
    rate=$(run_wrk "http://127.0.0.1:${port[$label]}/api/db/status" "$label" "${pid[$label]}")
    rates[$label]+="$rate "
    printf '  round %d %-8s %8s req/s  p99 %s\n' "$r" "$label" "$rate" "$(latency_p99 "$label")"
  done
done
# The new binary really records: its counter holds every request of the rounds.
scrape=$(curl -sS "http://127.0.0.1:${port[new]}/metrics" -H "Authorization: Bearer $bench_admin_token")
grep -q '^deploystack_http_requests_total{method="GET",route="/api/db/status",status="200"} ' <<<"$scrape" ||
  die "the new binary's /metrics holds no status counter: $(head -c 300 <<<"$scrape")"

read -r -a new_rates <<<"${rates[new]}"
read -r -a old_rates <<<"${rates[baseline]}"
new_median=$(median "${new_rates[@]}")
old_median=$(median "${old_rates[@]}")
mapfile -t new_cpu <"$work/cpu-new"
mapfile -t old_cpu <"$work/cpu-baseline"
printf 'median req/s: new %s, baseline %s, ratio %s\n' "$new_median" "$old_median" \
  "$(awk -v a="$new_median" -v b="$old_median" 'BEGIN { printf "%.3f", a / b }')"
printf 'median server CPU per request: new %s us, baseline %s us\n' \
  "$(median "${new_cpu[@]}")" "$(median "${old_cpu[@]}")"
