#!/usr/bin/env bash
# A debug build with AddressSanitizer and UndefinedBehaviorSanitizer in build-debug/: the thread
# checks (MCU_DCHECK_RUN_ON, MCU_DCHECK_ON_IO, MCU_DCHECK_THREAD) are live, and a memory error or
# undefined behaviour aborts. Runs every unit test, then the integration tests that drive the
# mixing room, the bridge and the signalling through real processes, and the bad input they must
# survive (Echo, Mix, Control, BadInput: the whole suite under the sanitizers would take twice as
# long). Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# Line tables only (-g1): the sanitizers' stacks keep their files and lines, and the build takes
# a fifth less time than with full debug information. Only the suites run below are compiled.
cmake -S . -B build-debug -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DMCU_INTEGRATION_CORE_ONLY=ON >/dev/null
cmake --build build-debug --target unit_tests integration_tests
# GLib and GStreamer keep process-wide state to the end: no leak report for what they hold.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
build-debug/tests/unit_tests --gtest_brief=1
(cd build-debug && ctest --output-on-failure --timeout 600 -R '^(Echo|Mix|Control|BadInput)\.')
