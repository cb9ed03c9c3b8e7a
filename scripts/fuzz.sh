#!/usr/bin/env bash
# Runs every libFuzzer harness of fuzz/ for SECONDS each (built by `make fuzz-build` into
# BUILD_DIR). Each starts from its checked-in seeds (fuzz/corpus/<name>/: replayed first, so a
# regression input fails at once) and grows a work corpus in BUILD_DIR/corpus/<name>/. A crash
# leaves its input in BUILD_DIR/artifacts/ and fails the run.
#   scripts/fuzz.sh BUILD_DIR SECONDS [NAME ...]
set -euo pipefail

build_dir=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [NAME ...]}
seconds=${2:?usage: scripts/fuzz.sh BUILD_DIR SECONDS [NAME ...]}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "$build_dir" && pwd)  # absolute: the HTTP harness changes its working folder

names=("$@")
if ((${#names[@]} == 0)); then
  for f in "$root"/fuzz/*_fuzzer.cpp; do
    n=$(basename "$f" .cpp)
    names+=("${n%_fuzzer}")
  done
fi

mkdir -p "$build_dir/artifacts"
failed=()
for name in "${names[@]}"; do
  bin="$build_dir/${name}_fuzzer"
  seeds="$root/fuzz/corpus/$name"
  work="$build_dir/corpus/$name"
  [[ -x $bin ]] || { echo "fuzz: $bin is not built (make fuzz-build)" >&2; exit 1; }
  [[ -d $seeds ]] || { echo "fuzz: no seed corpus $seeds" >&2; exit 1; }
  mkdir -p "$work"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$build_dir/artifacts/$name-")
  [[ -f $root/fuzz/$name.dict ]] && args+=(-dict="$root/fuzz/$name.dict")
  log="$build_dir/$name.log"
  echo "fuzz: $name for ${seconds}s (log: $log)"
  if "$bin" "${args[@]}" "$work" "$seeds" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done ' "$log" | sed "s/^/  $name: /" || true
    echo "  $name: corpus $(find "$work" -type f | wc -l) inputs (work) + $(find "$seeds" -type f | wc -l) seeds"
  else
    echo "fuzz: $name FAILED; its report:" >&2
    grep -E -A30 'ERROR: |==[0-9]+==|deadly signal|http_request_fuzzer: ' "$log" | head -60 >&2 || tail -40 "$log" >&2
    failed+=("$name")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in: ${failed[*]} (inputs in $build_dir/artifacts/)" >&2
  exit 1
fi
