#!/usr/bin/env bash
# Runs clang-tidy (the committed .clang-tidy, Debian 12's clang-tidy 14) over the sources of the
# domain, the adapters and the executables, with the build's compile_commands.json; exits
# non-zero on any finding. Needs a configured build (scripts/build.sh). `--changed` checks only
# the files that differ from origin/main (or from HEAD~1 without a remote), for a quick look
# before a commit; CI checks them all.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
[[ -f "$build/compile_commands.json" ]] || { echo "no $build/compile_commands.json: run scripts/build.sh" >&2; exit 2; }
if [[ "${1:-}" == "--changed" ]]; then
  base=$(git rev-parse --verify -q origin/main || git rev-parse HEAD~1)
  mapfile -t files < <(git diff --name-only "$base" -- 'apps/*.cpp' 'mcu/*.cpp' 'media/*.cpp' 'signaling/*.cpp')
else
  mapfile -t files < <(git ls-files 'apps/*.cpp' 'mcu/*.cpp' 'media/*.cpp' 'signaling/*.cpp')
fi
(( ${#files[@]} )) || { echo "tidy check: no file to check"; exit 0; }
jobs=$(nproc)
# run-clang-tidy prints every file's command and output; keep only the findings.
if ! run-clang-tidy -quiet -p "$build" -j "$jobs" "${files[@]/#/$PWD/}" >"$build/tidy.log" 2>&1; then
  grep -E "(warning|error):" "$build/tidy.log" | sort -u | head -60 >&2
  echo "tidy check: findings above (whole output: $build/tidy.log)" >&2
  exit 1
fi
echo "tidy check: ${#files[@]} files pass .clang-tidy"
