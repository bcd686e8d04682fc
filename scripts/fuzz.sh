#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/<name>_fuzz.cc) one after the
# other, each for a set time, in one process (libFuzzer's default; no
# -jobs/-workers: the machine is shared).
#   scripts/fuzz.sh [seconds-per-target] [target...]
# Default: 60 seconds for every target. Targets: slack_events,
# slack_interactivity, slack_signature, matrix_transaction, webchat_request,
# template_loader, directory_loader, catalog, answers.
#
# Builds with clang 14 in build-fuzz/ (ASan + UBSan + libFuzzer). Each run
# uses tests/fuzz/corpus/<name>/ as its corpus, so new interesting inputs are
# added there, and writes a crashing input there too (crash-<sha1>): commit
# it with the fix, and the test command replays it forever after
# (fuzz_replay_<name> in ctest). Prints the executions of each run; exits
# non-zero if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
all=(slack_events slack_interactivity slack_signature matrix_transaction webchat_request
     template_loader directory_loader catalog answers)
targets=("$@")
(( ${#targets[@]} )) || targets=("${all[@]}")

bash scripts/deps.sh --fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKONTOBOT_FUZZ=ON -DBUILD_TESTING=OFF \
  -DKONTOBOT_WERROR=ON -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/%/_fuzz}"

failed=()
summary=()
for t in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/$t"
  mkdir -p "$corpus"
  log="build-fuzz/$t.log"
  echo "fuzz: $t for ${seconds}s"
  status=0
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "build-fuzz/tests/fuzz/${t}_fuzz" "$corpus" -max_total_time="$seconds" \
    -artifact_prefix="$corpus/" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  # (Not `$([[ $status -ne 0 ]] && echo …)` inside the assignment: its exit
  # status 1 on success ended the whole script under set -e after the first
  # target.)
  line="$t: ${execs:-?} executions, corpus $(ls "$corpus" | wc -l) files"
  (( status == 0 )) || line+=", FAILED (see $log)"
  summary+=("$line")
  (( status == 0 )) || failed+=("$t")
done
printf '%s\n' "${summary[@]}"
if (( ${#failed[@]} )); then
  echo "fuzz: crashes in ${failed[*]}; the inputs are in tests/fuzz/corpus/<target>/ (crash-*, leak-*, timeout-*, oom-*)" >&2
  exit 1
fi
