#!/usr/bin/env bash
# A mixing conference with SIP legs: R baresip room systems (G.722 and H.264 640x360@15 over
# SIP/TLS with SDES-SRTP; bench/sip_rooms.py) call in first (so their pictures are among the 25
# tiles), then mcu-loadgen's N WebRTC sites join. Measured:
#   - call set-up: from a room's dial to the first RTP of the composite's video (and of the mix's
#     audio) at the room, p50 and max over ROUNDS rounds of dial-and-hang-up per room plus the
#     final dial (an idle MCU but for the other rooms; baresip's start-up is not counted);
#   - the MCU's CPU (cores), threads and RSS over a steady 8 s window with all N + R sites in,
#     and its cores by thread kind;
#   - in the same run, the codec floor for it (bench/codec_floor.sh with the H.264 tier and R
#     H.264 decodes beside N - R VP8 ones) and MCU ÷ floor.
# baresip's own encode and decode share the 2 cores with the MCU and the load generator.
#   bench/sip_legs.sh [build-dir] [webrtc-sites] [sip-rooms] [rounds]
set -euo pipefail
BUILD=${1:-build}; N=${2:-25}; R=${3:-4}; ROUNDS=${4:-3}
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d); trap 'kill $MCU 2>/dev/null || true; touch "$DIR/hold"; wait; rm -rf "$DIR"' EXIT
SIP_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
extra=$(printf '[sip]\ntls_port = %d\n' "$SIP_PORT")
for i in $(seq 1 "$R"); do
  extra+=$(printf '\n[[sites]]\nid = "sipload-%d"\nname = "SIP %d"\nlevel = "other"\nkind = "sip"\nsip_uri = "sip:sipload-%d@127.0.0.1"\nsip_dial = false\n' "$i" "$i" "$i")
done
BENCH_EXTRA_TOML=$extra bench_start_mcu mix "$BUILD" "$DIR"
python3 "$(dirname "$0")/sip_rooms.py" --port "$SIP_PORT" --rooms "$R" --dir "$DIR" --rounds "$ROUNDS" \
  --ready-file "$DIR/ready" --hold-file "$DIR/hold" --out "$DIR/rooms.json" > "$DIR/rooms.log" 2>&1 &
ROOMS=$!
for _ in $(seq 600); do [[ -f $DIR/ready ]] && break; kill -0 $ROOMS 2>/dev/null || break; sleep 0.1; done
[[ -f $DIR/ready ]] || { cat "$DIR/rooms.log"; exit 1; }
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$MCU/stat; }
per_thread() { awk '{ sub(/^\(/, "", $2); sub(/\)$/, "", $2); print $1, $2, $14 + $15 }' /proc/$MCU/task/*/stat 2>/dev/null; }
bench_loadgen "$BUILD" "$DIR" "$N" 16 > "$DIR/load.log" 2>&1 &
LG=$!
sleep 5; c0=$(cpu); per_thread > "$DIR/threads0"; t0=$(date +%s.%N)
sleep 8; c1=$(cpu); per_thread > "$DIR/threads1"; t1=$(date +%s.%N)
th=$(awk '/^Threads:/{print $2}' /proc/$MCU/status); rss=$(awk '/^VmRSS:/{printf "%.0f", $2 / 1024}' /proc/$MCU/status)
by_thread=$(join <(sort "$DIR/threads0") <(sort "$DIR/threads1") | awk -v tck="$TCK" -v secs=8 '
  { name = $2; sub(/[0-9]+:src$/, "N:src", name); d[name] += ($5 - $3) / tck / secs }
  END { for (k in d) if (d[k] >= 0.005) printf "%s=%.3f ", k, d[k] }')
wait $LG
touch "$DIR/hold"; wait $ROOMS || { cat "$DIR/rooms.log"; exit 1; }
kill $MCU; wait $MCU 2>/dev/null || true
shown_vp8=$(( N + R > 25 ? 25 - R : N ))
BENCH_OUT="$DIR/floor" H264=1 SIP_DECODES=$R "$(dirname "$0")/codec_floor.sh" "$shown_vp8" > /dev/null
python3 - "$DIR/rooms.json" "$c0" "$c1" "$t0" "$t1" "$TCK" "$N" "$R" "$th" "$rss" "$by_thread" \
  "$DIR/floor/codec_floor.json" "$OUT/sip_legs.json" "$(grep '^SUMMARY ' "$DIR/load.log" | sed 's/^SUMMARY //')" <<'PY'
import json, statistics, sys
rooms = json.load(open(sys.argv[1]))
c0, c1, t0, t1, tck = map(float, sys.argv[2:7])
n, r, th, rss = map(int, sys.argv[7:11])
by_thread = {k: float(v) for k, v in (kv.split("=") for kv in sys.argv[11].split())}
floor = json.load(open(sys.argv[12]))[0]["floorCores"]
load = json.loads(sys.argv[14]) if sys.argv[14] else {}
core = (c1 - c0) / tck / (t1 - t0)
setup, audio = rooms["setupMs"], rooms["audioMs"]
out = {"webrtcSites": n, "sipRooms": r, "cpuCore": round(core, 3), "threads": th, "rssMB": rss,
       "floorCores": floor, "mcuOverFloor": round(core / floor, 2),
       "setupVideoMsP50": round(statistics.median(setup)), "setupVideoMsMax": round(max(setup)),
       "setupAudioMsP50": round(statistics.median(audio)), "setupAudioMsMax": round(max(audio)),
       "setupSamples": len(setup), "webrtcConnected": load.get("connected"),
       "coresByThread": dict(sorted(by_thread.items(), key=lambda kv: -kv[1]))}
json.dump(out, open(sys.argv[13], "w"), indent=1)
print(f"webrtc {n} + sip {r}: MCU {core:.3f} cores, {th} threads, {rss} MB; floor {floor} "
      f"(MCU/floor {core / floor:.2f}); dial -> first composite video p50 {out['setupVideoMsP50']} "
      f"max {out['setupVideoMsMax']} ms, first audio p50 {out['setupAudioMsP50']} max "
      f"{out['setupAudioMsMax']} ms ({len(setup)} calls); WebRTC connected {load.get('connected')}")
print("cores by thread:", " ".join(f"{k}={v:.3f}" for k, v in out["coresByThread"].items()))
PY
echo "wrote $OUT/sip_legs.json"
