#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors and
# runs every test: unit, store, end-to-end against the real binary, and the
# browser test in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKONTOBOT_WERROR=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-test -j"$(nproc)"
cd build-test
ctest --output-on-failure --timeout 600 -j"$(nproc)"
