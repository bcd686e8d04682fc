#!/usr/bin/env bash
# Installs what is missing, checks the formatting, builds everything with
# warnings as errors and runs every test: unit, store, end-to-end against the
# real binary (web chat, Slack and Matrix against local fakes), fault
# injection in the store (tests/store/fault_injection_test.cc), and the
# browser test in headless Chromium. Then runs clang-tidy over every .cc file
# of the project, builds again with AddressSanitizer and
# UndefinedBehaviorSanitizer (leaks included) and runs the unit and
# end-to-end tests once more under them, and last the threaded tests and the
# end-to-end tests against a bot built with ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage reports when it ended and the CPU used so far (user and system
# time of everything this script ran), so a slow stage shows in CI's log.
started=$SECONDS
stage_done() {
  echo "[test.sh] $1: done at $((SECONDS - started)) s; CPU used so far (user, system: this script, then what it ran):"
  times
}
bash scripts/deps.sh --test
stage_done "packages"

# Formatting (.clang-format): any file clang-format-14 would change fails
# the run. Takes about a second.
git ls-files '*.cc' '*.h' | xargs clang-format-14 --dry-run --Werror

# -g1 (line tables only) instead of -g: backtraces keep their files and
# lines, and compiling costs a third less (a test file measured 26 s against
# 37 s with -g on this machine type). The same in every build below.
# Unity batches (cmake/Unity.cmake): eight .cc files a translation unit, so
# the third-party headers are parsed and their templates instantiated once
# a batch; every build below and clang-tidy use them.
unity="-DCMAKE_UNITY_BUILD=ON"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKONTOBOT_WERROR=ON -DBUILD_TESTING=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON $unity >/dev/null
cmake --build build-test -j"$(nproc)"
stage_done "build"
(cd build-test && ctest --output-on-failure --timeout 600 -j"$(nproc)")
stage_done "tests"

# Static analysis (.clang-tidy, which says what is checked and why some
# checks are off): every .cc file of the project, with the build's compile
# commands; any finding fails the run (WarningsAsErrors: '*'), and headers
# of ours are checked through the files that include them. Measured on the
# 2-core CI machine type: 15 s of CPU per file alone (4 s of it parsing
# cpprestsdk, Boost and GoogleTest, the rest the checks walking the whole
# syntax tree, third-party headers included), 18 s for a unity batch of
# eight (app/'s first batch), so the checks run over the batches: each .cc
# file in a batch is checked with every check, as a header of the batch
# (cmake/Unity.cmake). Files outside a batch (SKIP_UNITY_BUILD_INCLUSION, the
# test programs that are not batched) are checked one by one. Every project
# file is checked every time; no check was dropped for speed.
# The compile commands come from a configuration of their own without
# precompiled headers (the test programs use one, tests/CMakeLists.txt, and
# clang cannot read GCC's): configuring it takes seconds, nothing is built.
cmake -S . -B build-tidy -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKONTOBOT_WERROR=ON -DBUILD_TESTING=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON $unity >/dev/null
run-clang-tidy-14 -p build-tidy -j"$(nproc)" -quiet \
  "^$PWD/((app|bot|handlers|store|config|tests|bench)/.*\.cc|build-tidy/.*/unity_[0-9]+_cxx\.cxx)\$" \
  >build-test/clang-tidy.log 2>&1 || {
  grep -E -A3 '(error|warning):' build-test/clang-tidy.log | grep -v 'warnings generated' || true
  echo "clang-tidy found problems (full output: build-test/clang-tidy.log)"
  exit 1
}
stage_done "clang-tidy"

# Fuzz corpus replay (tests/fuzz/CMakeLists.txt): every file under
# tests/fuzz/corpus/<name>/ runs once through its fuzz target, built with a
# replay main() as the ctest tests fuzz_replay_<name>, in both builds; under
# ASan+UBSan below. No fuzzing time here: scripts/fuzz.sh fuzzes.
# The libFuzzer build itself (clang, build-fuzz/) is not part of this
# command: it compiles the whole project a third time, measured at 4.7
# minutes of CPU (over 2 minutes on the 2-core CI machine, the limit set
# for it). The replay builds compile the same target sources against the
# same code on every run, so a target cannot rot unnoticed; only clang-only
# warnings would wait for the next scripts/fuzz.sh.

# -fno-sanitize=vptr: cpprestsdk's stream buffers, compiled without the
# sanitizer, fail UBSan's dynamic-type check inside its own headers
# (astreambuf.h) although nothing is wrong; every other check stays on.
sanitize="-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKONTOBOT_WERROR=ON -DBUILD_TESTING=ON $unity \
  -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="$sanitize" \
  >/dev/null
cmake --build build-asan -j"$(nproc)"
# Leaks are checked in every test process and every bot it starts. The one
# suppression, compiled into the end-to-end test program only, is memory
# cpprestsdk abandons when that process exits (tests/e2e/lsan_suppressions.cc
# says why); the bot's own leak check has none.
(cd build-asan &&
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure --timeout 900 -j"$(nproc)" -E browser_registration)
stage_done "AddressSanitizer build and tests"

# ThreadSanitizer (gcc 12), a third build with only what runs threads:
# - the unit tests with threads of their own (kontobot_thread_tests: the
#   store's group commit under concurrent writers, the inbound queue's writer
#   and worker) and the in-process fault-injection tests (the real HTTP
#   server on cpprestsdk's thread pool, the service and the store, 247
#   requests each failing at a different write, sync or lock);
# - every end-to-end test once more against a TSan-built kontobot binary:
#   its HTTP threads, outbox sender, inbound queue worker and reminder
#   scheduler under Slack, Matrix, the web chat and the test clock. The test
#   program itself is the uninstrumented one from build-test (its own HTTP
#   client runs inside cpprestsdk, which Debian builds without TSan, so TSan
#   cannot see that library's atomics and reports its shared_ptr hand-offs
#   falsely); each bot process writes any report to build-tsan/tsan/, which
#   must stay empty.
# The library's own calls (memcpy, free, pthread) are left out of race
# detection with ignore_noninstrumented_modules, on by default on macOS
# for its system libraries: a listener's handler replying in parallel got a
# report about the library's memcpy against ours one run in three without
# it, none in five with it. The one suppression, for the reference counts
# of pplx's shared task state that TSan sees only half of, says why in
# tests/tsan/suppressions.txt. That neither hides a race of ours is checked
# every run: a race planted in a listener's handler
# (tests/tsan/planted_race.cc) must be reported first.
tsan="-fsanitize=thread -fno-omit-frame-pointer"
tsan_options="ignore_noninstrumented_modules=1:suppressions=$PWD/tests/tsan/suppressions.txt"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKONTOBOT_WERROR=ON -DBUILD_TESTING=ON $unity \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCMAKE_CXX_FLAGS="$tsan" -DCMAKE_EXE_LINKER_FLAGS="$tsan" >/dev/null
cmake --build build-tsan -j"$(nproc)" --target kontobot kontobot_thread_tests kontobot_fault_tests \
  kontobot_tsan_probe
rm -rf build-tsan/probe && mkdir -p build-tsan/probe
TSAN_OPTIONS="$tsan_options:log_path=$PWD/build-tsan/probe/report" \
  build-tsan/tests/kontobot_tsan_probe $((20000 + $$ % 10000)) >/dev/null || true
if ! grep -qs 'planted_race.cc' build-tsan/probe/report.*; then
  echo "ThreadSanitizer did not report the planted race (tests/tsan/planted_race.cc)"
  exit 1
fi
TSAN_OPTIONS=$tsan_options:halt_on_error=1:exitcode=66 build-tsan/tests/kontobot_thread_tests
TSAN_OPTIONS=$tsan_options:halt_on_error=1:exitcode=66 build-tsan/tests/kontobot_fault_tests
# In two halves at once (GoogleTest's sharding; ctest runs these tests two
# at a time above too): one process of the test program per core.
rm -rf build-tsan/tsan && mkdir -p build-tsan/tsan
shards=()
for shard in 0 1; do
  GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$shard E2E_KONTOBOT_BINARY="$PWD/build-tsan/kontobot" \
    TSAN_OPTIONS="$tsan_options:log_path=$PWD/build-tsan/tsan/report" \
    build-test/tests/kontobot_e2e_tests >build-tsan/tsan/e2e.$shard.log 2>&1 &
  shards+=($!)
done
e2e_failed=0
for pid in "${shards[@]}"; do wait "$pid" || e2e_failed=1; done
if [ "$e2e_failed" != 0 ]; then
  grep -E '^\[  FAILED|Failure' -A5 build-tsan/tsan/e2e.*.log | head -80
  echo "end-to-end tests against the TSan build failed (build-tsan/tsan/e2e.*.log)"
  exit 1
fi
if compgen -G "build-tsan/tsan/report.*" >/dev/null; then
  head -c 20000 build-tsan/tsan/report.*
  echo "ThreadSanitizer reported in the bot (build-tsan/tsan/report.*)"
  exit 1
fi
stage_done "ThreadSanitizer build and tests"
echo "all stages passed"
