#!/usr/bin/env bash
# Installs what is missing, builds kontobot and starts it: the web chat on
# http://127.0.0.1:8080/, data in ./kontobot.db. Extra arguments go to
# `kontobot serve` (e.g. --listen 127.0.0.1:9090); see build/kontobot --help.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build --target kontobot -j"$(nproc)"
exec build/kontobot serve "$@"
