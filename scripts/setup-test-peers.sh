#!/usr/bin/env bash
# Installs the test-only peers from the npm registry, pinned (tests/peers/package.json and its
# lock file): the local libSQL-protocol server and drizzle for the compatibility tests.
# Idempotent: does nothing when node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/../tests/peers"
[[ -f package.json ]] || exit 0
if [[ -f node_modules/.package-lock.json ]] && cmp -s package-lock.json node_modules/.ds-installed-lock; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm is missing: install Node.js 20 and npm (apt-get install nodejs npm)" >&2
  exit 1
fi
# `npm install`, not `npm ci`: npm 11's ci rejects the lock of `turso` (its platform packages
# are optional dependencies without versions). package.json pins exact versions and the lock
# pins the tree, so install resolves the same packages.
npm install --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.ds-installed-lock
