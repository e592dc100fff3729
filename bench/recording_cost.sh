#!/usr/bin/env bash
# What a recording and a live stream cost (issue 21): MCU CPU of one mixing conference of N
# mcu-loadgen sites (default 25) over steady windows of WINDOW_S seconds (default 8; this VM's
# CPU drifts by a few hundredths of a core between 8 s windows), in the same run: without
# either, with a recording running (POST .../recording/start as the bench's admin), with a live stream instead
# (.../stream/start), and with that stream watched by V viewers (default 10: each a loop that
# reads the playlist every second and fetches each new segment, as the watch page does); and the
# recording's disk rate (bytes written over the time recorded, as MB per hour). The differences
# are the costs: depayloading and muxing the 1280x720 tier and the full mix, which are encoded
# anyway; for the stream, cutting segments and serving them over TLS.
# An MP4 recording (the H.264 tier, encoded for it) instead: BENCH_EXTRA_TOML=$'[recording]\nformat = "mp4"';
# an MPEG-TS stream (the H.264 tier, and the mix in AAC): BENCH_EXTRA_TOML=$'[stream]\nformat = "ts"'.
# RTMP=1 also measures the stream's push to an RTMP server ([stream] rtmp_url, set here, with
# format = STREAM_FORMAT, default webm; BENCH_EXTRA_TOML must then have no [stream]): the stream
# windows run while no server listens (the push fails and waits to be tried again), then ffmpeg
# listens (discarding what it receives) and a last window runs while the push flows.
# Prints a line; writes test-output/bench/recording_cost.json.
#   bench/recording_cost.sh [build-dir] [sites] [viewers]
set -euo pipefail
BUILD=${1:-build}; N=${2:-25}; V=${3:-10}
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"
LG=""; MCU=""; VIEWERS=""
DIR=$(mktemp -d); trap 'kill $LG $MCU $VIEWERS 2>/dev/null || true; wait; rm -rf "$DIR"' EXIT
RTMP_PORT=""
if [[ "${RTMP:-}" == 1 ]]; then
  RTMP_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  BENCH_EXTRA_TOML="${BENCH_EXTRA_TOML:-}"$'\n[stream]\nformat = "'"${STREAM_FORMAT:-webm}"$'"\n'
  BENCH_EXTRA_TOML+="rtmp_url = \"rtmp://127.0.0.1:$RTMP_PORT/live/bench\""
fi
bench_start_mcu mix "$BUILD" "$DIR"
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$MCU/stat; }
W=${WINDOW_S:-8}
# The core used over the next W seconds.
window() {
  local c0 c1 t0 t1
  c0=$(cpu); t0=$(date +%s.%N); sleep "$W"; c1=$(cpu); t1=$(date +%s.%N)
  python3 -c "print(round(($c1 - $c0) / $TCK / ($t1 - $t0), 3))"
}
API="https://127.0.0.1:$PORT/api/v1"
CURL=(curl -sS --fail --cacert "$DIR/data/tls-cert.pem" -c "$DIR/cookies" -b "$DIR/cookies")
csrf=$("${CURL[@]}" -H 'Content-Type: application/json' -H "Origin: https://127.0.0.1:$PORT" \
  -d '{"login":"bench","password":"bench-password"}' "$API/session" |
  python3 -c "import json,sys;print(json.load(sys.stdin)['csrfToken'])")
post() { "${CURL[@]}" -X POST -H "Origin: https://127.0.0.1:$PORT" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d '{}' "$API$1" > /dev/null; }

bench_loadgen "$BUILD" "$DIR" "$N" $(( (RTMP_PORT ? 6 : 5) * W + (RTMP_PORT ? 60 : 40) )) > "$DIR/load.log" 2>&1 &
LG=$!
for _ in $(seq 300); do grep -q "connected $N/$N" "$DIR/load.log" && break; sleep 0.1; done
sleep 3
without=$(window)
post /conferences/bench/recording/start
t_start=$(date +%s.%N)
sleep 2
with=$(window)
post /conferences/bench/recording/stop
t_stop=$(date +%s.%N)
file=$(ls -d "$DIR"/data/recordings/* | head -1)  # .webm, or .mp4 (see the top)
bytes=$(stat -c %s "$file")
sleep 2
again=$(window)  # Nothing running again: how far the baseline drifts.

post /conferences/bench/stream/start
sleep 4  # The first segments are whole.
streamed=$(window)
# A viewer: the playlist every second, each segment not yet fetched (the watch page's loop). It
# only reads the session's cookie (ten curls writing one jar would spoil it).
VCURL=(curl -sS --fail --cacert "$DIR/data/tls-cert.pem" -b "$DIR/cookies")
viewer() {
  local last=-1 seq
  while true; do
    for seg in $("${VCURL[@]}" "$API/conferences/bench/stream/index.m3u8" | grep -oE '^[0-9]+\.(webm|ts)'); do
      seq=${seg%%.*}
      if (( seq > last )); then "${VCURL[@]}" -o /dev/null "$API/conferences/bench/stream/$seg"; last=$seq; fi
    done
    sleep 1
  done
}
for _ in $(seq "$V"); do viewer & VIEWERS="$VIEWERS $!"; done
sleep 3
watched=$(window)
kill $VIEWERS 2>/dev/null || true
VIEWERS=""
pushed=0
if [[ -n "$RTMP_PORT" ]]; then
  ffmpeg -hide_banner -nostdin -loglevel error -listen 1 -i "rtmp://127.0.0.1:$RTMP_PORT/live/bench" \
    -c copy -f null - > "$DIR/ffmpeg.log" 2>&1 &
  VIEWERS=$!  # Killed on exit with the rest.
  for _ in $(seq 300); do
    "${CURL[@]}" "$API/conferences/bench" | grep -q '"rtmp":"pushing"' && break
    sleep 0.1
  done
  sleep 3
  pushed=$(window)
fi
post /conferences/bench/stream/stop
wait $LG || true
LG=""
python3 - "$N" "$without" "$with" "$bytes" "$t_start" "$t_stop" "$OUT/recording_cost.json" "$again" "$streamed" "$watched" "$V" "$pushed" <<'PY'
import json, sys
n, without, with_, size, t0, t1, out = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
again, streamed, watched, viewers = float(sys.argv[8]), float(sys.argv[9]), float(sys.argv[10]), int(sys.argv[11])
pushed = float(sys.argv[12])
secs = t1 - t0
base = (without + again) / 2
r = {"sites": n, "cpuCoreWithout": without, "cpuCoreWith": with_, "cpuCoreWithoutAgain": again,
     "recordingCore": round(with_ - base, 3), "cpuCoreStreamed": streamed, "streamCore": round(streamed - base, 3),
     "viewers": viewers, "cpuCoreWatched": watched, "streamWithViewersCore": round(watched - base, 3),
     "bytes": size, "recordedSeconds": round(secs, 1), "mbPerHour": round(size / secs * 3600 / 1e6)}
print(f'{n} sites: MCU {without:.3f} core without a recording, {with_:.3f} with one, {again:.3f} '
      f'without again (recording +{r["recordingCore"]:.3f}); {size} bytes in {secs:.1f} s = '
      f'{r["mbPerHour"]} MB/hour')
print(f'{n} sites: MCU {streamed:.3f} core with a live stream (+{r["streamCore"]:.3f}), {watched:.3f} '
      f'with {viewers} viewers (+{r["streamWithViewersCore"]:.3f})')
if pushed:
    r["cpuCorePushed"] = pushed
    r["pushCore"] = round(pushed - streamed, 3)
    print(f'{n} sites: MCU {pushed:.3f} core with the stream pushed to an RTMP server (+{r["pushCore"]:.3f} '
          f'over the stream alone)')
json.dump(r, open(out, "w"), indent=1)
print(f"wrote {out}")
PY
