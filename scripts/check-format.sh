#!/usr/bin/env bash
# The C++ sources keep the committed .clang-format (Debian 12's clang-format 14). Prints the
# first differences and exits non-zero if any file is not formatted; `--fix` formats in place.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -E '^(apps|mcu|media|signaling|tests|bench)/')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2> >(head -40 >&2); then
  echo "format check: files differ from .clang-format; run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "format check: ${#files[@]} files follow .clang-format"
