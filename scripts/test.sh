#!/usr/bin/env bash
# Installs what the tests need, checks the sources (GObject rule, format, console logic, tidy),
# builds, and runs every test: unit and integration (ctest), the browser tests (Playwright driving
# Debian's Chromium), then the sanitizer build's tests (scripts/test-debug.sh), then the fuzz
# targets (scripts/fuzz.sh). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/check-gobject.sh
bash scripts/check-format.sh
node --test tests/console-unit/
bash scripts/build.sh
bash scripts/check-tidy.sh
mkdir -p test-output
status=0
(cd build && ctest --output-on-failure --timeout 300) || status=1
if [[ -f tests/browser/run.sh ]]; then
  bash tests/browser/run.sh || status=1
fi
bash scripts/test-debug.sh || status=1
bash scripts/fuzz.sh || status=1
exit $status
