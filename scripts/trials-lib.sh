# Shared by the fault trials (scripts/crash-trials.sh, scripts/disk-full-trials.sh): the
# scratch folder, a server started in a folder of its own, curl against it, and the checks of
# what a fault leaves behind. Sourced after setting build_dir and root; defines bin,
# plugin_builds, scratch, admin_token, fail() and failures.
# shellcheck shell=bash

bin=$build_dir/deploystack
plugin_builds=$build_dir/plugin-builds
admin_token=trial-admin-token

for tool in strace sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "trials: $tool is missing (make setup)" >&2; exit 1; }
done
[[ -x $bin ]] || { echo "trials: $bin is not built" >&2; exit 1; }

# tmpfs when there is one: an fsync there is free, and a process kill leaves the same files.
scratch=$(mktemp -d "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/ds-trials-XXXXXX")
server_pid=
server_status=
trial_cleanup_hooks=()
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -KILL $(pgrep -P "$server_pid") "$server_pid" 2>/dev/null || true
  fi
  local hook
  for hook in "${trial_cleanup_hooks[@]}"; do $hook || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

failures=0
declare -A trials=()
fail() {
  echo "trials: FAIL $*" >&2
  failures=$((failures + 1))
}

# Prints the total of trials[] ("$1: N $2 in all, F failures") and fails when any check failed.
report_trials() {
  local total=0 op
  for op in "${!trials[@]}"; do total=$((total + trials[$op])); done
  echo "$1: $total $2 in all, $failures check failures"
  ((failures == 0))
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

# Stops the server with SIGTERM and waits; its exit status goes to server_status.
stop_server() {
  [[ -n $server_pid ]] || return 0
  # Under strace, the server is strace's child: SIGTERM to strace would only detach it.
  local target
  target=$(pgrep -P "$server_pid" || true)
  kill -TERM ${target:-$server_pid} 2>/dev/null || true
  server_status=0
  wait "$server_pid" 2>/dev/null || server_status=$?
  server_pid=
}

# curl against the running server: prints "<status> <body>" ("000" when no answer came in 30 s).
http() {
  local method=$1 path=$2 body=${3:-}
  local args=(-s -m 30 -o - -w ' %{http_code}' -X "$method" -H "Authorization: Bearer $admin_token")
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

# The expected schemas of the core migrations: $expected_core/schema.N is the database after
# the first N of them.
make_expected_core() {
  expected_core=$scratch/expected-core
  mkdir -p "$expected_core"
  local journal tags i=0 tag partial t
  journal=$root/drizzle/migrations_sqlite/meta/_journal.json
  tags=$(python3 -c 'import json,sys; print("\n".join(e["tag"] for e in json.load(open(sys.argv[1]))["entries"]))' "$journal")
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
}
