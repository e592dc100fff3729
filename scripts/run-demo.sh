#!/usr/bin/env bash
# Builds and starts the MCU on its embedded default configuration (demo rooms, an echo and a
# mixing conference).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
echo
echo "Console:     https://localhost:8443/   (quantri / quantri-demo, chutri / chutri-demo, kythuat / kythuat-demo)"
echo "Room page:   https://localhost:8443/room   (demo tokens in README.md; accept the self-signed certificate)"
echo "A demo room: build/mcu/mcu-room --url wss://127.0.0.1:8443/ws --ca mcu-data/tls-cert.pem --token demo-huyen-1 --conference giao-ban"
echo "Conferences: echo (yourself back), giao-ban (composite of every site, mix-minus audio)"
echo
exec build/mcu/mcu "$@"
