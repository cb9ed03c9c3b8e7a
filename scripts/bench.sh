#!/usr/bin/env bash
# `make bench`: GET /api/db/status throughput of deploystack against nginx answering the same
# bytes (the ceiling), in the same run, plus start-to-listening time and idle RSS after setup;
# then GET /api/projects?limit=20 over 10,000 projects (a database read per request).
# Usage: scripts/bench.sh BUILD_DIR. Builds nothing (make bench builds first). Loopback only;
# every process it starts is stopped on exit.
# Knobs (environment): BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_START_RUNS (20), BENCH_ROUNDS (1: alternating deploystack/nginx runs; the medians are
# reported, which steadies the numbers on a busy machine), BENCH_PROJECTS (10000: rows seeded),
# BENCH_ONLY=projects (only the projects scenario: no nginx, no start-time loop),
# BENCH_WRK_SCHED (batch: wrk runs as SCHED_BATCH, see wrk_as; other: the default policy).
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true  # bash 5.2: '&' in ${x//a/b} stays literal

build_dir=${1:?usage: scripts/bench.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$build_dir" && pwd)/deploystack
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
start_runs=${BENCH_START_RUNS:-20}
rounds=${BENCH_ROUNDS:-1}
project_rows=${BENCH_PROJECTS:-10000}
only=${BENCH_ONLY:-}
wrk_sched=${BENCH_WRK_SCHED:-batch}
[[ -z $only || $only == projects ]] || { echo "bench: BENCH_ONLY is 'projects' or unset" >&2; exit 1; }

# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"
[[ -x $bin ]] || die "no binary at $bin (run make build first)"
[[ $wrk_sched == batch || $wrk_sched == other ]] || { echo "bench: BENCH_WRK_SCHED is 'batch' or 'other'" >&2; exit 1; }
for tool in wrk nginx curl sqlite3 chrt; do
  command -v "$tool" >/dev/null || die "$tool is missing: sudo apt-get install -y wrk nginx-light curl sqlite3 util-linux"
done

echo "bench: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"

# 1. deploystack, set up with SQLite: status is the post-setup body.
start_deploystack "$work/ds"
setup_status=$(curl -sS -o "$work/setup.json" -w '%{http_code}' -X POST \
  -H 'content-type: application/json' --data '{"type":"sqlite"}' \
  "http://127.0.0.1:$ds_port/api/db/setup")
[[ $setup_status == 200 ]] || die "setup answered $setup_status: $(cat "$work/setup.json")"
body=$(curl -sS "http://127.0.0.1:$ds_port/api/db/status")
[[ $body == '{"configured":true,"initialized":true,"dialect":"sqlite"}' ]] || die "unexpected status body: $body"
sleep 1  # a short idle after setup
idle_rss_kb=$(rss_kb "$ds_pid")

# GET /api/projects?limit=20 over $project_rows projects written into the server's own database
# file (sqlite3 CLI, one transaction, while the server runs: WAL lets both use it), with
# uuid-shaped ids and the columns a POST fills; the answer is checked before the load.
bench_projects() {
  local db_file="$work/ds/persistent_data/database/deploystack.db" url first
  [[ -f $db_file ]] || die "no database file at $db_file after setup"
  sqlite3 -bail "$db_file" <<SQL || die "seeding $project_rows projects failed"
.timeout 5000
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $project_rows)
INSERT INTO projects (id, name, description, user_id, created_at, updated_at)
SELECT printf('%08x-0000-4000-8000-%012d', i, i), 'Project ' || i,
       CASE WHEN i % 2 = 0 THEN 'a seeded project' END, NULL, 1700000000 + i, 1700000000 + i
FROM n;
SQL
  url="http://127.0.0.1:$ds_port/api/projects?limit=20"
  first=$(curl -sS "$url")
  [[ $(grep -o '"id":' <<<"$first" | wc -l) == 20 ]] || die "projects: expected 20 rows, got: ${first:0:200}"
  [[ $first == '[{"id":"00000001-0000-4000-8000-000000000001","name":"Project 1",'* ]] ||
    die "projects: unexpected first row: ${first:0:200}"
  echo "bench: wrk -t$threads -c$connections -d$duration (keep-alive, wrk policy $wrk_sched) GET /api/projects?limit=20 ($project_rows rows)"
  wrk_as "$wrk_sched" -t"$threads" -c"$connections" -d2s "$url" >/dev/null
  # Each round also runs wrk under the default policy, reported beside (see wrk_as).
  projects_runs=() projects_default_runs=()
  for ((round = 1; round <= rounds; round++)); do
    projects_runs+=("$(run_wrk "$url" projects "$ds_pid")")
    projects_default_runs+=("$(wrk_policy=other run_wrk "$url" projects-default "$ds_pid")")
    ((rounds == 1)) || echo "bench: round $round: projects ${projects_runs[-1]} (wrk $wrk_sched), ${projects_default_runs[-1]} (wrk default policy)"
  done
  projects_rps=$(printf "%.0f" "$(median "${projects_runs[@]}")")
  projects_default_rps=$(printf "%.0f" "$(median "${projects_default_runs[@]}")")
}

print_projects() {
  printf '%-40s %14s %14s %s\n' "GET /api/projects?limit=20 req/s" "$projects_rps" ">= 30000" "$(verdict "$projects_rps" '>=' 30000)"
  printf '%-40s %14s %14s\n' "  server CPU per request (us)" "$(median $(<"$work/cpu-projects"))" ""
  printf '%-40s %14s %14s\n' "  p99 latency" "$(latency_p99 projects)" ""
  printf '%-40s %14s %14s\n' "  same, wrk default policy: req/s" "$projects_default_rps" ""
  printf '%-40s %14s %14s\n' "  server CPU per request (us)" "$(median $(<"$work/cpu-projects-default"))" ""
  printf '%-40s %14s %14s\n' "  p99 latency" "$(latency_p99 projects-default)" ""
}

verdict() { if awk -v v="$1" -v t="$3" "BEGIN { exit !(v $2 t) }"; then echo ok; else echo MISSED; fi; }

if [[ $only == projects ]]; then
  bench_projects
  stop_deploystack
  printf '\n%-40s %14s %14s %s\n' "measure" "value" "target" ""
  print_projects
  exit 0
fi

# 2. nginx with the same bytes, on a free loopback port.
mkdir -p "$work/nginx/tmp"
nginx_body=${body//\\/\\\\}
nginx_body=${nginx_body//\'/\\\'}
template=$(<"$root/bench/http/nginx.conf.in")
nginx_pid=
for _ in 1 2 3 4 5; do
  nginx_port=$((20000 + RANDOM % 40000))
  [[ -z $(ss -Hltn "sport = :$nginx_port") ]] || continue
  conf=${template//@PREFIX@/$work/nginx}
  conf=${conf//@PORT@/$nginx_port}
  conf=${conf//@BODY@/$nginx_body}
  printf '%s\n' "$conf" >"$work/nginx/nginx.conf"
  nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' \
    2>>"$work/nginx/stderr.log" &
  nginx_pid=$!
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/api/db/status" && break
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.02
  done
  if kill -0 "$nginx_pid" 2>/dev/null; then pids+=("$nginx_pid"); break; fi
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=
done
[[ -n $nginx_pid ]] || die "nginx did not start: $(tail -3 "$work/nginx/error.log" 2>/dev/null)"
nginx_body_seen=$(curl -sS "http://127.0.0.1:$nginx_port/api/db/status")
[[ $nginx_body_seen == "$body" ]] || die "nginx answers different bytes: $nginx_body_seen"

nginx_workers=$(ps -o pid= --ppid "$nginx_pid" | tr -s ' \n' ' ')
[[ -n ${nginx_workers// /} ]] || die "no nginx worker processes"

# 3. Throughput, same run, same wrk settings: a short warm-up each, then the measured runs.
echo "bench: wrk -t$threads -c$connections -d$duration (keep-alive, wrk policy $wrk_sched) GET /api/db/status"
wrk_as "$wrk_sched" -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$ds_port/api/db/status" >/dev/null
wrk_as "$wrk_sched" -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$nginx_port/api/db/status" >/dev/null
ds_runs=() nginx_runs=() ratios=()
for ((round = 1; round <= rounds; round++)); do
  ds_runs+=("$(run_wrk "http://127.0.0.1:$ds_port/api/db/status" deploystack "$ds_pid")")
  nginx_runs+=("$(run_wrk "http://127.0.0.1:$nginx_port/api/db/status" nginx $nginx_workers)")
  ratios+=("$(awk -v a="${ds_runs[-1]}" -v b="${nginx_runs[-1]}" 'BEGIN { printf "%.2f", a / b }')")
  ((rounds == 1)) || echo "bench: round $round: deploystack ${ds_runs[-1]}, nginx ${nginx_runs[-1]}, ratio ${ratios[-1]}"
done
ds_rps=$(printf "%.0f" "$(median "${ds_runs[@]}")")
nginx_rps=$(printf "%.0f" "$(median "${nginx_runs[@]}")")
ratio=$(median "${ratios[@]}")
loaded_rss_kb=$(rss_kb "$ds_pid")
kill -TERM "$nginx_pid" && wait "$nginx_pid" 2>/dev/null || true
forget_pid "$nginx_pid"
bench_projects
stop_deploystack

# 4. Start to listening: exec to the listening line, with the set-up SQLite database (the
#    boot opens it and runs the init stages) and with a fresh, unconfigured directory.
#    The children's CPU time (bash `times`) over the loop, per start+stop, is the cost that
#    does not depend on how busy the machine is.
children_cpu_ms() {  # sets cpu_ms; runs in this shell (a subshell has no children's times)
  local t
  times >"$work/times"
  { read -r t; read -r t; } <"$work/times"
  [[ $t =~ ^([0-9]+)m([0-9]+)\.([0-9]+)s\ ([0-9]+)m([0-9]+)\.([0-9]+)s$ ]] || { cpu_ms=0; return; }
  local r=("${BASH_REMATCH[@]}")
  cpu_ms=$(( (10#${r[1]} + 10#${r[4]}) * 60000 + (10#${r[2]} + 10#${r[5]}) * 1000 + 10#${r[3]} + 10#${r[6]} ))
}
starts_configured=()
starts_fresh=()
children_cpu_ms
cpu_before=$cpu_ms
for ((i = 0; i < start_runs; i++)); do
  start_deploystack "$work/ds"
  starts_configured+=("$ds_start_ms")
  stop_deploystack
  start_deploystack "$work/fresh-$i"
  starts_fresh+=("$ds_start_ms")
  stop_deploystack
done
children_cpu_ms
cpu_per_cycle=$(awk -v a="$cpu_before" -v b="$cpu_ms" -v n="$start_runs" 'BEGIN { printf "%.1f", (b - a) / (2 * n) }')
start_med=$(median "${starts_configured[@]}")
start_fresh_med=$(median "${starts_fresh[@]}")
start_max=$(printf '%s\n' "${starts_configured[@]}" | sort -n | tail -1)

printf '\n%-40s %14s %14s %s\n' "measure" "value" "target" ""
printf '%-40s %14s %14s %s\n' "deploystack req/s" "$ds_rps" ">= 50000" "$(verdict "$ds_rps" '>=' 50000)"
printf '%-40s %14s %14s\n' "nginx req/s (2 workers, return 200)" "$nginx_rps" "ceiling"
printf '%-40s %14s %14s %s\n' "ratio deploystack / nginx" "$ratio" ">= 0.80" "$(verdict "$ratio" '>=' 0.8)"
printf '%-40s %14s %14s\n' "server CPU per request (us) ds / nginx" "$(median $(<"$work/cpu-deploystack")) / $(median $(<"$work/cpu-nginx"))" ""
printf '%-40s %14s %14s\n' "p99 latency deploystack / nginx" "$(latency_p99 deploystack) / $(latency_p99 nginx)" ""
printf '%-40s %14s %14s %s\n' "start to listening, set up (median ms)" "$start_med" "< 20" "$(verdict "$start_med" '<' 20)"
printf '%-40s %14s %14s\n' "  max of $start_runs runs (ms)" "$start_max" ""
printf '%-40s %14s %14s\n' "start to listening, fresh (median ms)" "$start_fresh_med" ""
printf '%-40s %14s %14s\n' "CPU per start+stop cycle (ms)" "$cpu_per_cycle" ""
printf '%-40s %14s %14s %s\n' "idle RSS after setup (MB)" "$(awk -v k="$idle_rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')" "< 15" "$(verdict "$idle_rss_kb" '<' 15360)"
printf '%-40s %14s %14s\n' "RSS after the load (MB)" "$(awk -v k="$loaded_rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')" ""
print_projects
