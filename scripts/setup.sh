#!/usr/bin/env bash
# Installs what building, running and testing deploystack needs on Debian 12.
# Idempotent: installs only what is missing. As root it installs; otherwise it
# prints the exact command to run. Never prompts (CI has no terminal).
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache curl
  libboost-dev libsqlite3-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libcurl4-openssl-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk nginx-light sqlite3
  clang libfuzzer-14-dev libclang-rt-14-dev strace
  python3
  chromium  # headless, for the browser CORS test (a page on another origin calling the API)
  prometheus  # for promtool, which checks GET /metrics in the tests; its daemon is not used
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing Debian packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
