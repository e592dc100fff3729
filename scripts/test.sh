#!/usr/bin/env bash
# Installs what the tests need, checks the sources (GObject rule, format, console logic, the
# shipped Prometheus rules and Grafana dashboard, tidy),
# builds, and runs every test: unit and integration (ctest), the browser tests (Playwright driving
# Debian's Chromium), then the sanitizer build's tests (scripts/test-debug.sh), then the fuzz
# targets (scripts/fuzz.sh). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage's time, so that a slow run says where it went.
stage() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  local rc=$?
  echo "== stage $name: $((SECONDS - start)) s (exit $rc)"
  return $rc
}
stage deps bash scripts/install-deps.sh --test
stage gobject bash scripts/check-gobject.sh
stage format bash scripts/check-format.sh
stage console-unit node --test tests/console-unit/
stage monitoring bash scripts/check-monitoring.sh
stage build bash scripts/build.sh
stage tidy bash scripts/check-tidy.sh
mkdir -p test-output
status=0
stage ctest bash -c 'cd build && ctest --output-on-failure --timeout 300' || status=1
if [[ -f tests/browser/run.sh ]]; then
  stage browser bash tests/browser/run.sh || status=1
fi
stage sanitizers bash scripts/test-debug.sh || status=1
stage fuzz bash scripts/fuzz.sh || status=1
echo "== all stages: $SECONDS s"
exit $status
