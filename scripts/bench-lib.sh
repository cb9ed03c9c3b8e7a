# Shared by the benchmarks (bench.sh, bench-writes.sh): a temp folder removed on exit, starting
# and stopping deploystack, CPU and RSS of a process, wrk runs. Source it after setting
# `bin` (the deploystack binary), `threads`, `connections`, `duration` and `wrk_sched`.
# `ds_env` (an array of NAME=value) is added to the server's environment.
die() { echo "bench: $*" >&2; exit 1; }

# The HTTP benchmarks' tools; a missing one stops the benchmark with the install command.
require_http_tools() {
  local tool
  for tool in wrk curl chrt; do
    command -v "$tool" >/dev/null || die "$tool is missing: sudo apt-get install -y wrk curl util-linux"
  done
}

# The deploystack binary of build folder $1, as an absolute path.
binary_of() {
  local b
  b=$(cd "$1" && pwd)/deploystack
  [[ -x $b ]] || die "no binary at $b (build it first)"
  echo "$b"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/ds-bench.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]+"${pids[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts deploystack in data dir $1 on a free port; its stdout goes to the fifo $work/out.fifo
# held open on fd $ds_out. Sets ds_pid, ds_port and ds_start_ms (exec to listening line).
start_deploystack() {
  local dir=$1 line t0 t1
  mkdir -p "$dir"
  [[ -p $work/out.fifo ]] || mkfifo "$work/out.fifo"
  t0=$EPOCHREALTIME
  (cd "$dir" && exec env -i PATH=/usr/bin:/bin HOST=127.0.0.1 PORT=0 "${ds_env[@]+"${ds_env[@]}"}" "$bin" serve) \
    >"$work/out.fifo" 2>>"$dir/stderr.log" &
  ds_pid=$!
  pids+=("$ds_pid")
  exec {ds_out}<"$work/out.fifo"
  IFS= read -r -t 10 -u "$ds_out" line || die "deploystack did not print its listening line (see $dir/stderr.log)"
  t1=$EPOCHREALTIME
  [[ $line =~ ^deploystack\ listening\ on\ http://127\.0\.0\.1:([0-9]+)$ ]] || die "unexpected first line: $line"
  ds_port=${BASH_REMATCH[1]}
  # No child process here: the start loop also sums the children's CPU time.
  local us=$(( (10#${t1/./} - 10#${t0/./}) ))
  ds_start_ms=$(printf '%d.%02d' $((us / 1000)) $((us % 1000 / 10)))
}

stop_deploystack() {
  kill -TERM "$ds_pid"
  wait "$ds_pid" || die "deploystack exited with $? on SIGTERM"
  exec {ds_out}<&-
  forget_pid "$ds_pid"
}

forget_pid() {
  local kept=() pid
  for pid in "${pids[@]+"${pids[@]}"}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# CPU time (user + system, clock ticks) used so far by the processes $@.
cpu_ticks() {
  local pid total=0 f
  for pid in "$@"; do
    f=$(<"/proc/$pid/stat")
    f=${f##*) }  # fields after the command name; utime and stime are fields 14 and 15
    read -r -a f <<<"$f"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# wrk under scheduling policy $1 (batch | other). wrk shares the server's two cores: under the
# default policy each response wakes a wrk thread that preempts the server at once (measured:
# 0.5-0.8 involuntary context switches of the server per request, ~12 us of its CPU), a cost
# clients on other machines never impose. SCHED_BATCH keeps wrk's CPU share and only drops
# that wake-up preemption, so the server is measured rather than the co-location.
wrk_as() {
  local policy=$1
  shift
  if [[ $policy == batch ]]; then chrt --batch 0 wrk "$@"; else wrk "$@"; fi
}

# wrk against $1 served by the processes $3...; prints req/s, stops the benchmark on non-2xx
# answers or socket errors, and appends the servers' CPU microseconds per request to
# $work/cpu-$label. The policy is $wrk_policy when set, else $wrk_sched; $wrk_script, when set,
# is wrk's Lua script (the requests to send).
run_wrk() {
  local url=$1 label=$2 out before after requests
  shift 2
  before=$(cpu_ticks "$@")
  out=$(wrk_as "${wrk_policy:-$wrk_sched}" -t"$threads" -c"$connections" -d"$duration" --latency \
    ${wrk_script:+-s "$wrk_script"} "$url")
  after=$(cpu_ticks "$@")
  echo "$out" >"$work/wrk-$label.txt"
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%.2f\n", t / hz * 1e6 / n }' >>"$work/cpu-$label"
  # A failed request is never reported as a figure.
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    die "$label had errors: $(grep -E 'Non-2xx|Socket errors' <<<"$out")"
  fi
  awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out"
}

latency_p99() { awk '$1 == "99%" { print $2 }' "$work/wrk-$1.txt"; }
