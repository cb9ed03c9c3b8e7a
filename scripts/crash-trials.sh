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
bin=$build_dir/deploystack
plugin_builds=$build_dir/plugin-builds
operations=("$@")
((${#operations[@]})) || operations=(setup migration plugin)
# The moments that decide what survives: data and journal writes, syncs, the atomic renames of
# the selection and key files, and the journal's deletion or truncation (SQLite's commit point).
syscalls=(fsync fdatasync rename write pwrite64 unlink ftruncate)
admin_token=crash-trial-admin-token

for tool in strace sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "crash-trials: $tool is missing (make setup)" >&2; exit 1; }
done
[[ -x $bin ]] || { echo "crash-trials: $bin is not built" >&2; exit 1; }
[[ -d $plugin_builds/v1/example && -d $plugin_builds/current/example ]] ||
  { echo "crash-trials: the example plugin builds are missing under $plugin_builds" >&2; exit 1; }

# tmpfs when there is one: an fsync there is free, and a process kill leaves the same files.
scratch=$(mktemp -d "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/ds-crash-XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -KILL $(pgrep -P "$server_pid") "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

failures=0
declare -A trials=()
fail() {
  echo "crash-trials: FAIL $*" >&2
  failures=$((failures + 1))
}

# The environment of every run in folder $1 (persistent_data/ and plugins/ inside it).
run_env() {
  env -i PATH="$PATH" HOME="$1" HOST=127.0.0.1 PORT=0 LOG_LEVEL=warn \
    DEPLOYSTACK_ADMIN_TOKEN="$admin_token" PLUGINS_PATH="$1/plugins" \
    DEPLOYSTACK_MIGRATIONS_DIR="$root/drizzle/migrations_sqlite" "${@:2}"
}

# Starts `deploystack serve` in folder $1 (more arguments: a prefix such as strace). Sets
# server_pid and server_port; returns 1 when the process ended before listening.
start_server() {
  local dir=$1
  shift
  : >"$dir/out"
  (cd "$dir" && exec "$@" env -i PATH="$PATH" HOME="$dir" HOST=127.0.0.1 PORT=0 LOG_LEVEL=warn \
    DEPLOYSTACK_ADMIN_TOKEN="$admin_token" PLUGINS_PATH="$dir/plugins" \
    DEPLOYSTACK_MIGRATIONS_DIR="$root/drizzle/migrations_sqlite" "$bin" serve) \
    >"$dir/out" 2>>"$dir/err" &
  server_pid=$!
  server_port=
  local line
  for ((i = 0; i < 3000; i++)); do  # waits for the listening line or the end of the process
    line=$(grep -m1 -o 'listening on http://127.0.0.1:[0-9]*' "$dir/out" || true)
    if [[ -n $line ]]; then
      server_port=${line##*:}
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { wait "$server_pid" || true; server_pid=; return 1; }
    sleep 0.01
  done
  echo "crash-trials: the server in $dir neither listened nor ended in 30 s" >&2
  exit 1
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  # Under strace, the server is strace's child: SIGTERM to strace would only detach it.
  local target
  target=$(pgrep -P "$server_pid" || true)
  kill -TERM ${target:-$server_pid} 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# curl against the running server: prints "<status> <body>".
http() {
  local method=$1 path=$2 body=${3:-}
  local args=(-s -o - -w ' %{http_code}' -X "$method" -H "Authorization: Bearer $admin_token")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
  local out
  out=$(curl "${args[@]}" "http://127.0.0.1:$server_port$path" 2>/dev/null) || out=" 000"
  echo "${out##* } ${out% *}"
}

db_of() { echo "$1/persistent_data/database/deploystack.db"; }

# The tables, indexes and columns of a database, one a line (the migrations' footprint).
schema_of() {
  sqlite3 "$1" "SELECT m.type || ' ' || m.name || ' ' || COALESCE(group_concat(p.name, ','), '')
                FROM sqlite_master m LEFT JOIN pragma_table_info(m.name) p
                WHERE m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__drizzle_migrations%'
                GROUP BY m.type, m.name ORDER BY m.type, m.name;"
}
applied_count() {  # rows of tracking table $2 (0 when it does not exist)
  sqlite3 "$1" "SELECT count(*) FROM sqlite_master WHERE name = '$2';" | grep -q '^1$' || { echo 0; return; }
  sqlite3 "$1" "SELECT count(*) FROM \"$2\";"
}

# Checks a database left by a kill: integrity, and the schema of exactly the applied migrations
# ($2: tracking table, $3: folder with expected schemas schema.<count>).
check_database() {
  local db=$1 table=$2 expected=$3 what=$4
  [[ -f $db ]] || return 0
  local integrity
  integrity=$(sqlite3 "$db" 'PRAGMA integrity_check;' 2>&1) || true
  [[ $integrity == ok ]] || { fail "$what: integrity_check: $integrity"; return; }
  local n
  n=$(applied_count "$db" "$table")
  if [[ -f $expected/schema.$n ]]; then
    diff -q <(schema_of "$db") "$expected/schema.$n" >/dev/null ||
      fail "$what: half-applied migration: $n rows in $table but the schema differs: $(diff <(schema_of "$db") "$expected/schema.$n" | head -5 | tr '\n' ' ')"
  elif [[ $n != 0 || -n $(schema_of "$db") ]]; then
    fail "$what: $n rows in $table and no known schema for that"
  fi
}

check_selection() {
  local file=$1/persistent_data/db.selection.json what=$2
  [[ -e $file || -L $file ]] || return 0
  python3 - "$file" <<'EOF' || fail "$what: selection file incomplete or invalid: $(head -c 200 "$file")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["type"] == "sqlite" and s["selectedAt"] and s["version"], s
EOF
}

# An encrypted value in the database needs the key file that was used to write it.
check_key() {
  local dir=$1 what=$2 db
  db=$(db_of "$dir")
  [[ -f $db ]] || return 0
  sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'globalSettings';" | grep -q '^1$' || return 0
  local secrets
  secrets=$(sqlite3 "$db" "SELECT count(*) FROM globalSettings WHERE value LIKE 'v1:%';")
  if [[ $secrets != 0 && ! -s $dir/persistent_data/encryption.key ]]; then
    fail "$what: $secrets encrypted settings and no encryption.key"
  fi
}

# Restart without strace: the database must end up initialized, with every migration and a
# key that encrypts and decrypts.
check_restart() {
  local dir=$1 expected=$2 what=$3
  start_server "$dir" || { fail "$what: restart: the server did not start: $(tail -3 "$dir/err")"; return; }
  local status
  status=$(http GET /api/db/status)
  if [[ $status != *'"initialized":true'* ]]; then
    if [[ -e $dir/persistent_data/db.selection.json ]]; then
      fail "$what: restart: selection present but $status"
      stop_server
      return
    fi
    # Not configured (the kill came before the selection was written): setup again.
    local r
    r=$(http POST /api/db/setup '{"type":"sqlite"}')
    [[ $r == 200* ]] || { fail "$what: restart: setup again answered $r"; stop_server; return; }
  fi
  local r
  r=$(http PUT /api/settings/smtp.password '{"value":"crash-trial-secret"}')
  [[ $r == 200* ]] || fail "$what: restart: writing a secret answered $r"
  r=$(http GET "/api/settings/smtp.password?reveal=true")
  [[ $r == *crash-trial-secret* ]] || fail "$what: restart: reading the secret back answered $r"
  stop_server
  local db n_expected
  db=$(db_of "$dir")
  n_expected=$(ls "$expected" | sed -n 's/^schema\.//p' | sort -n | tail -1)
  diff -q <(schema_of "$db") "$expected/schema.$n_expected" >/dev/null ||
    fail "$what: restart: schema is not the full one"
  [[ $(sqlite3 "$db" 'PRAGMA integrity_check;') == ok ]] || fail "$what: restart: integrity_check"
}

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

# ---- expected schemas: the database after 0, 1, ... migrations -----------------------------
expected_core=$scratch/expected-core
mkdir -p "$expected_core"
journal=$root/drizzle/migrations_sqlite/meta/_journal.json
tags=$(python3 -c 'import json,sys; print("\n".join(e["tag"] for e in json.load(open(sys.argv[1]))["entries"]))' "$journal")
i=0
for tag in $tags; do
  i=$((i + 1))
  partial=$scratch/partial-$i
  mkdir -p "$partial/meta"
  python3 - "$journal" "$partial/meta/_journal.json" "$i" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
j["entries"] = j["entries"][: int(sys.argv[3])]
json.dump(j, open(sys.argv[2], "w"))
EOF
  for t in $(echo "$tags" | head -n "$i"); do cp "$root/drizzle/migrations_sqlite/$t.sql" "$partial/"; done
  run_env "$scratch" DB_TYPE=sqlite SQLITE_DB_PATH="$scratch/ref-$i.db" "$bin" db up --migrations "$partial" >/dev/null
  schema_of "$scratch/ref-$i.db" >"$expected_core/schema.$i"
done

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

total=0
for op in "${!trials[@]}"; do total=$((total + trials[$op])); done
echo "crash-trials: $total kills in all, $failures failures"
((failures == 0))
