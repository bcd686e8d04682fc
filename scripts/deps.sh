#!/usr/bin/env bash
# Installs what kontobot needs from Debian's packages (and, for the browser
# test, playwright-core from npm). Idempotent: installs only what is missing.
#   scripts/deps.sh          build and run
#   scripts/deps.sh --test   also what the tests need
#   scripts/deps.sh --fuzz   also clang 14 and its libFuzzer runtime (scripts/fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake make pkg-config
  libcpprest-dev libssl-dev
  nlohmann-json3-dev
  libsqlite3-dev libsqlitecpp-dev
  libboost-program-options-dev
  libspdlog-dev
  libyaml-cpp-dev
  libkainjow-mustache-dev
  libhowardhinnant-date-dev tzdata
  ghostscript   # the dossier as PDF/A-2b (kontobot export; with chromium, below)
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev chromium nodejs)
  # The e-archive package's test validates METS and ERMS against their schemas.
  packages+=(libxml2-utils)
  # The sign-in tests run config/nginx/kontobot.conf in a real nginx.
  packages+=(nginx)
  # The format check and static analysis (scripts/test.sh): Debian's clang 14 tools.
  packages+=(clang-format-14 clang-tidy-14 clang-tools-14)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # nodejs may come from another repository under the same name; a working
    # node is enough.
    if [[ "$p" == nodejs ]] && command -v node >/dev/null 2>&1; then continue; fi
    missing+=("$p")
  fi
done
if (( ${#missing[@]} )); then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]] && { [[ ! -d tests/browser/node_modules/playwright-core ]] ||
  [[ ! -d tests/browser/node_modules/axe-core ]]; }; then
  echo "deps: installing playwright-core and axe-core (npm) for the browser test"
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
