#!/usr/bin/env bash
# Crash trials at the worst moments: runs an operation under strace and kills it (SIGKILL) at
# the Nth fsync, fdatasync, rename, write, pwrite64, unlink or ftruncate, for every N the operation reaches, then
# checks what a crash there leaves behind and that a restart recovers. Operations:
#   setup      POST /api/db/setup on SQLite (a fresh server, no plugins)
#   migration  `deploystack db up` applying the checked-in core migrations to a new database
#   plugin     a start-up that upgrades the example plugin from v1 to v2 (one pending migration)
# After every kill: PRAGMA integrity_check is ok; no half-applied migration (the tables of the
# database are exactly those of the migrations its tracking table lists); the selection file
# is absent or complete and valid; an encrypted setting implies a key file that decrypts it;
# and a restart without strace reaches status initialized with the right schema and data.
#   scripts/crash-trials.sh BUILD_DIR [OPERATION ...]
# strace counts per thread: "the Nth call" is the Nth of whichever thread gets there first.
# The trials kill the process, not the machine: they prove crash consistency of the process
# (what SQLite's journal and the atomic renames promise), not durability across power loss.
set -euo pipefail

build_dir=$(cd "${1:?usage: scripts/crash-trials.sh BUILD_DIR [setup|migration|plugin ...]}" && pwd)
shift
root=$(cd "$(dirname "$0")/.." && pwd)
operations=("$@")
((${#operations[@]})) || operations=(setup migration plugin)
# The moments that decide what survives: data and journal writes, syncs, the atomic renames of
# the selection and key files, and the journal's deletion or truncation (SQLite's commit point).
syscalls=(fsync fdatasync rename write pwrite64 unlink ftruncate)
# shellcheck source=scripts/trials-lib.sh
source "$root/scripts/trials-lib.sh"
[[ -d $plugin_builds/v1/example && -d $plugin_builds/current/example ]] ||
  { echo "crash-trials: the example plugin builds are missing under $plugin_builds" >&2; exit 1; }

# Runs `$prepare DIR` then `$operation DIR INJECT` for N = 1, 2, ... per syscall until an
# operation completes without being killed, then `$check DIR` after each kill.
trial_loop() {
  local name=$1 prepare=$2 operation=$3 check=$4
  local count=0
  for sc in "${syscalls[@]}"; do
    for ((n = 1; ; n++)); do
      local dir=$scratch/$name-$sc-$n
      mkdir -p "$dir"
      $prepare "$dir"
      local -a inject=(strace -f -qq -o /dev/null -e trace="$sc"
        -e inject="$sc":signal=SIGKILL:when="$n")
      if $operation "$dir" "${inject[@]}"; then
        rm -rf "$dir"
        break  # the operation never reached its Nth $sc: every kill point is covered
      fi
      count=$((count + 1))
      $check "$dir" "$name $sc #$n"
      rm -rf "$dir"
    done
  done
  trials[$name]=$count
  echo "crash-trials: $name: $count kills ($(IFS=,; echo "${syscalls[*]}"))"
}

make_expected_core

# ---- setup ----------------------------------------------------------------------------------
setup_prepare() { mkdir -p "$1/plugins"; }
setup_operation() {  # true: setup finished without a kill
  local dir=$1
  shift
  start_server "$dir" "$@" || return 1
  local r
  r=$(http POST /api/db/setup '{"type":"sqlite"}')
  # No answer at all: the kill came during the request (the process may still be exiting).
  if [[ $r != 000* && -n $(pgrep -P "$server_pid") ]]; then  # not killed: the setup ran to its end
    stop_server
    [[ $r == 200* ]] || fail "setup answered $r without a kill"
    return 0
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  return 1
}
setup_check() {
  local dir=$1 what=$2
  check_database "$(db_of "$dir")" __drizzle_migrations "$expected_core" "$what"
  check_selection "$dir" "$what"
  check_key "$dir" "$what"
  check_restart "$dir" "$expected_core" "$what"
}

# ---- migration: db up on a new database -----------------------------------------------------
migration_prepare() { mkdir -p "$1/plugins" "$1/persistent_data/database"; }
migration_operation() {
  local dir=$1
  shift
  (cd "$dir" && "$@" env -i PATH="$PATH" HOME="$dir" LOG_LEVEL=warn DB_TYPE=sqlite \
    SQLITE_DB_PATH="$(db_of "$dir")" "$bin" db up --migrations "$root/drizzle/migrations_sqlite") \
    >/dev/null 2>>"$dir/err"
}
migration_check() {
  local dir=$1 what=$2 db
  db=$(db_of "$dir")
  check_database "$db" __drizzle_migrations "$expected_core" "$what"
  migration_operation "$dir" || { fail "$what: db up again failed: $(tail -3 "$dir/err")"; return; }
  local n_expected
  n_expected=$(ls "$expected_core" | sed -n 's/^schema\.//p' | sort -n | tail -1)
  diff -q <(schema_of "$db") "$expected_core/schema.$n_expected" >/dev/null ||
    fail "$what: db up again did not give the full schema"
  [[ $(sqlite3 "$db" 'PRAGMA integrity_check;') == ok ]] || fail "$what: integrity after db up again"
}

# ---- plugin: a start-up upgrading the example plugin v1 -> v2 --------------------------------
plugin_base=$scratch/plugin-base
expected_plugin=$scratch/expected-plugin
mkdir -p "$plugin_base/plugins" "$expected_plugin"
cp -r "$plugin_builds/v1/example" "$plugin_base/plugins/example"
start_server "$plugin_base" || { echo "crash-trials: the v1 server did not start: $(cat "$plugin_base/err")" >&2; exit 1; }
[[ $(http POST /api/db/setup '{"type":"sqlite"}') == 200* ]] || { echo "crash-trials: v1 setup failed" >&2; exit 1; }
[[ $(http POST /api/plugin/example/notes '{"title":"written by v1"}') == 201* ]] ||
  { echo "crash-trials: v1 note failed" >&2; exit 1; }
stop_server
# The expected schemas: 1 plugin migration applied (v1, now) and 2 (after the upgrade).
schema_of "$(db_of "$plugin_base")" >"$expected_plugin/schema.1"
rm -f "$plugin_base/out" "$plugin_base/err"
upgraded=$scratch/plugin-upgraded
cp -r "$plugin_base" "$upgraded"
rm -rf "$upgraded/plugins/example" && cp -r "$plugin_builds/current/example" "$upgraded/plugins/example"
start_server "$upgraded" || { echo "crash-trials: the v2 server did not start" >&2; exit 1; }
stop_server
schema_of "$(db_of "$upgraded")" >"$expected_plugin/schema.2"
cmp -s "$expected_plugin/schema.1" "$expected_plugin/schema.2" &&
  { echo "crash-trials: the v2 upgrade changed nothing" >&2; exit 1; }
# Core migrations never change in this operation: only the plugin's tracking table varies.

plugin_prepare() {
  cp -r "$plugin_base/." "$1/"
  rm -rf "$1/plugins/example" && cp -r "$plugin_builds/current/example" "$1/plugins/example"
}
plugin_operation() {  # true: the start-up reached listening (the upgrade is done) unkilled
  local dir=$1
  shift
  start_server "$dir" "$@" || return 1
  stop_server
  return 0
}
plugin_check() {
  local dir=$1 what=$2 db
  db=$(db_of "$dir")
  check_database "$db" __drizzle_migrations_example "$expected_plugin" "$what"
  check_selection "$dir" "$what"
  check_key "$dir" "$what"
  check_restart "$dir" "$expected_plugin" "$what"
  local notes
  notes=$(sqlite3 "$db" "SELECT group_concat(title, '|') FROM (SELECT title FROM example_notes ORDER BY title);")
  [[ $notes == 'Welcome to the example plugin|written by v1' ]] || fail "$what: notes after restart: $notes"
}

for op in "${operations[@]}"; do
  case $op in
    setup | migration | plugin) trial_loop "$op" "${op}_prepare" "${op}_operation" "${op}_check" ;;
    *) echo "crash-trials: unknown operation $op" >&2; exit 1 ;;
  esac
done

report_trials crash-trials kills
