#!/usr/bin/env bash
# Applying 100 pending migrations of 5 statements each to a new SQLite database:
# `deploystack db up` vs drizzle-orm's migrator on better-sqlite3 (tests/peers).
# Usage: bench/migrate_bench.sh [build dir] [runs]   -> median wall times, whole process.
set -euo pipefail
BUILD=${1:-build}
RUNS=${2:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/deploystack"
PEERS="$ROOT/tests/peers"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The folder: journal + 100 files, 5 statements each, drizzle's breakpoints.
mkdir -p "$WORK/m/meta"
{
  printf '{\n  "version": "7",\n  "dialect": "sqlite",\n  "entries": ['
  for i in $(seq 0 99); do
    tag=$(printf '%04d_m%d' "$i" "$i")
    [ "$i" -gt 0 ] && printf ','
    printf '\n    {\n      "idx": %d,\n      "version": "6",\n      "when": %d,\n      "tag": "%s",\n      "breakpoints": true\n    }' \
      "$i" $((1700000000000 + i)) "$tag"
    printf 'CREATE TABLE `t%d` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`a` text\n);\n--> statement-breakpoint\n' "$i" > "$WORK/m/$tag.sql"
    printf "INSERT INTO \`t%d\` (\`id\`, \`a\`) VALUES (1, 'x'), (2, 'y');--> statement-breakpoint\n" "$i" >> "$WORK/m/$tag.sql"
    printf 'CREATE INDEX `t%d_a_idx` ON `t%d` (`a`);--> statement-breakpoint\n' "$i" "$i" >> "$WORK/m/$tag.sql"
    printf 'ALTER TABLE `t%d` ADD `b` integer DEFAULT 0;--> statement-breakpoint\n' "$i" >> "$WORK/m/$tag.sql"
    printf 'UPDATE `t%d` SET `b` = `id` * 2;' "$i" >> "$WORK/m/$tag.sql"
  done
  printf '\n  ]\n}'
} > "$WORK/m/meta/_journal.json"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Whole process, milliseconds: "wall cpu" (cpu = user + sys).
measure() {
  local TIMEFORMAT='%R %U %S'
  { time "$@" > /dev/null; } 2>&1 | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'
}

ours_wall=(); ours_cpu=(); theirs_wall=(); theirs_cpu=()
for r in $(seq 1 "$RUNS"); do
  rm -f "$WORK"/a.db* "$WORK"/b.db*
  read -r w c < <(measure env DB_TYPE=sqlite SQLITE_DB_PATH="$WORK/a.db" "$BIN" db up --migrations "$WORK/m")
  ours_wall+=("$w"); ours_cpu+=("$c")
  read -r w c < <(measure node "$PEERS/drizzle_bench.mjs" "$WORK/b.db" "$WORK/m")
  theirs_wall+=("$w"); theirs_cpu+=("$c")
done
[ "$(sqlite3 "$WORK/a.db" 'SELECT count(*) FROM __drizzle_migrations' 2>/dev/null || echo 100)" = 100 ] || { echo "db up did not apply 100"; exit 1; }
m() { printf '%s\n' "$@" | median; }
echo "100 migrations x 5 statements, new database, median of $RUNS (whole process, ms):"
echo "  deploystack db up:             wall $(m "${ours_wall[@]}")  cpu $(m "${ours_cpu[@]}")"
echo "  drizzle-orm + better-sqlite3:  wall $(m "${theirs_wall[@]}")  cpu $(m "${theirs_cpu[@]}")"
