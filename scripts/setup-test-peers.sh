#!/usr/bin/env bash
# Installs the test-only peers from the npm registry, pinned (tests/peers/package.json and its
# lock file): the local libSQL-protocol server and drizzle for the compatibility tests.
# Idempotent: does nothing when node_modules matches the lock file and tursodb is in place.
set -euo pipefail
cd "$(dirname "$0")/../tests/peers"
[[ -f package.json ]] || exit 0
# The drizzle tests run node, and the pinned better-sqlite3 needs Node.js 20 or later (Debian
# 12's own nodejs is 18): say exactly what is missing instead of failing in a native build.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ! command -v npm >/dev/null || ((node_major < 20)); then
  echo "The test peers need Node.js 20 or later with npm (found: node ${node_major:-none}," >&2
  echo "npm $(command -v npm || echo none)). Install Node.js 20 (e.g. the NodeSource nodejs 20.x" >&2
  echo "package, which includes npm), then run scripts/setup-test-peers.sh again." >&2
  exit 1
fi
if [[ -f node_modules/.package-lock.json && -x node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb ]] &&
  cmp -s package-lock.json node_modules/.ds-installed-lock; then
  exit 0
fi
# `npm install`, not `npm ci`: npm 11's ci rejects the lock of `turso` (its platform packages
# are optional dependencies without versions). package.json pins exact versions and the lock
# pins the tree, so install resolves the same packages.
npm install --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.ds-installed-lock
