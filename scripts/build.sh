#!/usr/bin/env bash
# Configures and builds everything into build/ (Ninja, RelWithDebInfo), and installs the web
# console's one third-party asset (uPlot, pinned in web-console/package-lock.json) into
# web-console/node_modules, from where the MCU serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! web-console/node_modules/.package-lock.json -nt web-console/package-lock.json ]]; then
  (cd web-console && npm ci --no-audit --no-fund --loglevel=error)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
