#!/usr/bin/env bash
# A scheduled meeting with N rooms that nobody touches: N mcu-loadgen sites stay online and idle
# (--wait-call, as mcu-room without --conference); a conference inviting all of them is created
# through the REST API 3 s ahead with no lead time. Measures, per N (bench/schedule_join.py):
# from the scheduler's open to every site called, media-connected (ICE + DTLS-SRTP) and receiving
# its first composite frame; the login time (Argon2id); the round trip of control calls (mute,
# layout) and of the roll-call with everyone in, and the MCU's CPU while they run.
# Prints a table; writes test-output/bench/schedule_join.json.
#   bench/schedule_join.sh [build-dir] [sites...]      (default: 14 22)
set -euo pipefail
BUILD=${1:-build}; shift || true
if [[ $# -gt 0 ]]; then SIZES=("$@"); else SIZES=(14 22); fi
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"
echo "sites  login_ms  open->called_max  open->connected(p50/max)  open->first_frame(p50/max)  mute_ms(p50/p95)  layout_ms(p50/p95)  roll_call_ms(p50/p95)  cpu_core"
json="["
for n in "${SIZES[@]}"; do
  DIR=$(mktemp -d)
  bench_start_mcu mix "$BUILD" "$DIR"
  "$BUILD/bench/mcu-loadgen" --url "wss://127.0.0.1:$PORT/ws" --ca "$DIR/data/tls-cert.pem" \
    --wait-call --sites "$n" --seconds 40 > "$DIR/load.log" 2>&1 &
  LG=$!
  python3 "$(dirname "$0")/schedule_join.py" "$PORT" "$DIR/data/tls-cert.pem" "$n" "$DIR/result.json" \
    "$DIR/load.log" "$MCU" --phase control > /dev/null || { kill $LG $MCU; cat "$DIR/mcu.log" >&2; exit 1; }
  wait $LG
  python3 "$(dirname "$0")/schedule_join.py" "$PORT" "$DIR/data/tls-cert.pem" "$n" "$DIR/result.json" \
    "$DIR/load.log" "$MCU" --phase summary > /dev/null
  kill $MCU; wait $MCU 2>/dev/null || true
  cp "$DIR/load.log" "$OUT/schedule_join-load-$n.log"
  r=$(cat "$DIR/result.json")
  python3 -c "
import json; r = json.loads('''$r''')
print(f\"{r['sites']:>5}  {r['loginMsP50']:>8}  {r['openToCalledMsMax']:>16}  {r['openToConnectedMsP50']:>11}/{r['openToConnectedMsMax']:<12}  {r['openToFirstFrameMsP50']:>12}/{r['openToFirstFrameMsMax']:<13}  {r['muteMsP50']:>7}/{r['muteMsP95']:<8}  {r['layoutMsP50']:>8}/{r['layoutMsP95']:<9}  {r['rollCallMsP50']:>10}/{r['rollCallMsP95']:<10}  {r['mcuCpuCoreDuringControl']}\")"
  json+="$r,"
  rm -rf "$DIR"
done
echo "${json%,}]" > "$OUT/schedule_join.json"
