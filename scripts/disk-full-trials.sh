#!/usr/bin/env bash
# Disk-full trials: runs an operation with its data folder on a small tmpfs that is filled until
# only K pages are free, for K = 0, 1, 2, ... until the operation succeeds. The full disk is a
# real one: every write, fsync, truncate and file creation meets ENOSPC where the kernel says
# so, not where a test chose. Operations:
#   setup      POST /api/db/setup on a fresh server
#   settings   PUT of an encrypted setting over an older value
#   projects   POST /api/projects
#   migration  `deploystack db up` on a new database
# After every failure: the answer was a clear one (setup: 500 with details naming the full
# disk; other routes: 503 "Insufficient storage"; the CLI: exit 1 and a message naming it), the
# server is still running, nothing of the failed request is visible, the database passes
# integrity_check with no half-applied migration and no selection file of a failed setup; once
# the space is freed the same server (no restart) does the operation, stops with exit status 0,
# and a restart finds everything.
#   scripts/disk-full-trials.sh BUILD_DIR [OPERATION ...]
# The tmpfs is mounted in a private user and mount namespace (unshare): no root needed, and
# nothing stays mounted after the script.
set -euo pipefail

if [[ -z ${DS_DISK_FULL_NAMESPACE:-} ]]; then
  command -v unshare >/dev/null || { echo "disk-full-trials: unshare is missing (util-linux)" >&2; exit 1; }
  DS_DISK_FULL_NAMESPACE=1 exec unshare --user --map-root-user --mount "$0" "$@"
fi

build_dir=$(cd "${1:?usage: scripts/disk-full-trials.sh BUILD_DIR [setup|settings|projects|migration ...]}" && pwd)
shift
root=$(cd "$(dirname "$0")/.." && pwd)
operations=("$@")
((${#operations[@]})) || operations=(setup settings projects migration)
# shellcheck source=scripts/trials-lib.sh
source "$root/scripts/trials-lib.sh"
command -v fallocate >/dev/null || { echo "disk-full-trials: fallocate is missing (util-linux)" >&2; exit 1; }

# A trial's folder: logs beside, the data folder on its own tmpfs (unmounted by unmount_all).
mounted=()
unmount_all() {
  local m
  for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || true; done
  mounted=()
}
trial_cleanup_hooks+=(unmount_all)

new_trial_folder() {
  local dir=$1
  mkdir -p "$dir/plugins" "$dir/persistent_data"
  mount -t tmpfs -o size=32m,mode=700 disk-full-trial "$dir/persistent_data"
  mounted+=("$dir/persistent_data")
}

# Leaves exactly $2 pages free on the data folder's file system.
fill_disk() {
  local data=$1/persistent_data free=$2 avail bsize
  read -r avail bsize < <(stat -f -c '%a %S' "$data")
  ((avail > free)) || return 0
  fallocate -l $(((avail - free) * bsize)) "$data/filler"
}
free_disk() { rm -f "$1/persistent_data/filler"; }

# The answer to a request on a full disk: $1 the answer ("<status> <body>"), $2 the expected
# failure status. True: it failed as promised; false: it succeeded; anything else fails the trial.
failed_as_promised() {
  local answer=$1 status=$2 what=$3
  case $answer in
    2[0-9][0-9]*) return 1 ;;
    "$status "*'the disk is full: free space and retry'*) return 0 ;;
    *) fail "$what: on a full disk the answer was: $(head -c 300 <<<"$answer")"; return 0 ;;
  esac
}

# The server must still be serving: a full disk never ends it.
still_serving() {
  local what=$1
  if [[ -z $server_pid ]] || ! kill -0 "$server_pid" 2>/dev/null; then
    fail "$what: the server ended: $(tail -3 "$dir/err")"
    return 1
  fi
  [[ $(http GET /api/db/status) == 200* ]] || { fail "$what: status does not answer"; return 1; }
}

stop_checked() {
  local what=$1
  stop_server
  [[ $server_status == 0 ]] || fail "$what: the server exited with status $server_status: $(tail -3 "$dir/err")"
}

integrity_ok() {
  local db=$1 what=$2
  [[ -f $db ]] || return 0
  local r
  r=$(sqlite3 "$db" 'PRAGMA integrity_check;' 2>&1) || true
  [[ $r == ok ]] || fail "$what: integrity_check: $r"
}

# Runs `$prepare DIR`, fills the disk to K free pages, `$operation DIR` (true: it succeeded),
# frees the space and runs `$check DIR SUCCEEDED`, for K = 0, 1, ... until the operation
# succeeds. At least the first trial must fail, or the trial tested nothing.
full_loop() {
  local name=$1 prepare=$2 operation=$3 check=$4
  local count=0 k
  for ((k = 0; ; k++)); do
    dir=$scratch/$name-$k
    new_trial_folder "$dir"
    $prepare "$dir"
    fill_disk "$dir" "$k"
    local succeeded=0
    $operation "$dir" "$name K=$k" && succeeded=1
    free_disk "$dir"
    $check "$dir" "$succeeded" "$name K=$k"
    [[ -z $server_pid ]] || stop_checked "$name K=$k"
    unmount_all
    rm -rf "$dir"
    ((succeeded)) && break
    count=$((count + 1))
    ((k < 2000)) || { fail "$name: still failing with 2000 pages free"; break; }
  done
  ((count > 0)) || fail "$name: the operation never met the full disk (nothing was tested)"
  trials[$name]=$count
  echo "disk-full-trials: $name: $count full-disk failures, then success with $k pages free"
}

make_expected_core
n_full=$(ls "$expected_core" | sed -n 's/^schema\.//p' | sort -n | tail -1)

# ---- setup ----------------------------------------------------------------------------------
setup_prepare() { start_server "$1" || { fail "setup: the server did not start"; exit 1; }; }
setup_operation() {
  failed_as_promised "$(http POST /api/db/setup '{"type":"sqlite"}')" 500 "$2" && return 1
  return 0
}
setup_check() {
  local dir=$1 succeeded=$2 what=$3
  still_serving "$what" || return
  check_database "$(db_of "$dir")" __drizzle_migrations "$expected_core" "$what"
  if ((!succeeded)); then
    [[ ! -e $dir/persistent_data/db.selection.json ]] || fail "$what: a failed setup left a selection file"
    [[ $(http GET /api/db/status) == *'"initialized":false'* ]] || fail "$what: a failed setup says initialized"
    local r
    r=$(http POST /api/db/setup '{"type":"sqlite"}')
    [[ $r == 200* ]] || { fail "$what: setup after freeing space answered $r"; return; }
  fi
  check_selection "$dir" "$what"
  stop_checked "$what"
  check_restart "$dir" "$expected_core" "$what"
}

# ---- settings: an encrypted value replaced on a full disk ------------------------------------
# Prepared with a restart, so SQLite starts the operation with no write-ahead log to reuse.
setup_and_restart() {
  local dir=$1
  start_server "$dir" || { fail "the server did not start"; exit 1; }
  [[ $(http POST /api/db/setup '{"type":"sqlite"}') == 200* ]] || { fail "setup failed"; exit 1; }
  [[ -z ${2:-} ]] || [[ $(http PUT /api/settings/smtp.password "{\"value\":\"$2\"}") == 200* ]] ||
    { fail "the first setting write failed"; exit 1; }
  stop_server
  start_server "$dir" || { fail "the server did not restart"; exit 1; }
}
settings_prepare() { setup_and_restart "$1" before-the-full-disk; }
settings_operation() {
  failed_as_promised "$(http PUT /api/settings/smtp.password '{"value":"written-on-a-full-disk"}')" 503 "$2" && return 1
  return 0
}
settings_check() {
  local dir=$1 succeeded=$2 what=$3 expected=before-the-full-disk
  still_serving "$what" || return
  ((succeeded)) && expected=written-on-a-full-disk
  local r
  r=$(http GET "/api/settings/smtp.password?reveal=true")
  [[ $r == 200*"\"$expected\""* ]] || fail "$what: the setting reads $r, expected $expected"
  r=$(http PUT /api/settings/smtp.password '{"value":"after-freeing-space"}')
  [[ $r == 200* ]] || fail "$what: the write after freeing space answered $r"
  stop_checked "$what"
  integrity_ok "$(db_of "$dir")" "$what"
  start_server "$dir" || { fail "$what: restart failed"; return; }
  r=$(http GET "/api/settings/smtp.password?reveal=true")
  [[ $r == *after-freeing-space* ]] || fail "$what: after a restart the setting reads $r"
}

# ---- projects: a row inserted on a full disk --------------------------------------------------
projects_prepare() { setup_and_restart "$1"; }
projects_operation() {
  failed_as_promised "$(http POST /api/projects '{"name":"written-on-a-full-disk"}')" 503 "$2" && return 1
  return 0
}
projects_check() {
  local dir=$1 succeeded=$2 what=$3
  still_serving "$what" || return
  local r count
  r=$(http GET /api/projects)
  count=$(grep -o '"name":"written-on-a-full-disk"' <<<"$r" | wc -l || true)
  [[ $count == "$succeeded" ]] || fail "$what: $count projects after a request that succeeded=$succeeded: $r"
  r=$(http POST /api/projects '{"name":"after-freeing-space"}')
  [[ $r == 201* ]] || fail "$what: the insert after freeing space answered $r"
  stop_checked "$what"
  integrity_ok "$(db_of "$dir")" "$what"
}

# ---- migration: db up on a new database -------------------------------------------------------
migration_prepare() { mkdir -p "$1/persistent_data/database"; }
db_up() {
  local dir=$1
  (cd "$dir" && env -i PATH="$PATH" HOME="$dir" LOG_LEVEL=warn DB_TYPE=sqlite \
    SQLITE_DB_PATH="$(db_of "$dir")" "$bin" db up --migrations "$root/drizzle/migrations_sqlite") \
    >/dev/null 2>"$dir/err"
}
migration_operation() {
  local dir=$1 what=$2 rc=0
  db_up "$dir" || rc=$?
  ((rc == 0)) && return 0
  if [[ $rc != 1 ]] || ! grep -q 'the disk is full: free space and retry' "$dir/err"; then
    fail "$what: db up on a full disk: exit $rc: $(tail -c 300 "$dir/err")"
  fi
  return 1
}
migration_check() {
  local dir=$1 succeeded=$2 what=$3 db
  db=$(db_of "$dir")
  check_database "$db" __drizzle_migrations "$expected_core" "$what"
  ((succeeded)) || db_up "$dir" || { fail "$what: db up after freeing space failed: $(tail -3 "$dir/err")"; return; }
  diff -q <(schema_of "$db") "$expected_core/schema.$n_full" >/dev/null || fail "$what: not the full schema"
  integrity_ok "$db" "$what"
}

for op in "${operations[@]}"; do
  case $op in
    setup | settings | projects | migration) full_loop "$op" "${op}_prepare" "${op}_operation" "${op}_check" ;;
    *) echo "disk-full-trials: unknown operation $op" >&2; exit 1 ;;
  esac
done

report_trials disk-full-trials "full-disk failures"
