#!/usr/bin/env bash
# Runs the browser tests (the room page, the kiosk room, the web console, its classified
# conferences, a live stream in MPEG-TS, and a cascade link set up from the console): installs playwright-core (no browser download: the tests use Debian's
# /usr/bin/chromium), then `node --test`. The MCU binary must be built (default
# <repo>/build/mcu/mcu, or set MCU_BIN). One spec alone, once installed:
# `cd tests/browser && node --test classified.test.mjs`.
# Output: <repo>/test-output/browser/.
set -euo pipefail
cd "$(dirname "$0")"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
exec node --test --test-concurrency=1 room.test.mjs kiosk.test.mjs console.test.mjs classified.test.mjs stream.test.mjs cascade.test.mjs "$@"
