#!/usr/bin/env bash
# What the room endpoint costs and adds, on this machine: one mcu-room as a room PC runs it (the
# composite on a display, the mix on loudspeakers, a microphone through echo cancellation, noise
# suppression and gain control), receiving the 1280x720 composite and sending 640x360, in a
# mixing conference with two other rooms. The display is an Xvfb of its own, the loudspeakers a
# PulseAudio null sink whose monitor is also the microphone (the acoustic path of a room).
#
# Prints mcu-room's CPU (share of one core, over the measured window after a warm-up) and RSS,
# and from its summary (apps/mcu-room/room_media.h, PlayoutDelays), p50/p95 in ms: from a
# received frame's arrival (its RTP leaving webrtcbin's jitter buffer) to the decoded frame
# entering the display path and to its being handed to the display sink; from an audio packet's
# arrival to the decoded audio entering the playout mixer; and the pipeline latency the sinks
# then wait for before showing or playing.
#
# Usage: bench/room_endpoint.sh [build-dir] [seconds measured]   (alone on the machine)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${2:-30}
warmup=10
. bench/lib.sh
work=$(mktemp -d /tmp/room-endpoint.XXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

bench_start_mcu mix "$build" "$work"
pids+=("$MCU")
runtime=$work/runtime
mkdir -p "$runtime" && chmod 700 "$runtime"
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
pids+=($!)
env XDG_RUNTIME_DIR="$runtime" HOME="$runtime" pulseaudio -n --daemonize=no --exit-idle-time=-1 \
  --use-pid-file=no --load=module-native-protocol-unix \
  --load="module-null-sink sink_name=room_speaker" 2>"$work/pulse.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s $work/display && -S $runtime/pulse/native ]] && break; sleep 0.1; done
display=":$(head -1 "$work/display")"

room() {  # room TOKEN-INDEX [flags...]
  local i=$1; shift
  exec "$build/mcu/mcu-room" --url "wss://127.0.0.1:$PORT/ws" --ca "$work/data/tls-cert.pem" \
    --ice-address 127.0.0.1 --token "load-token-$i" --conference bench --no-device-check "$@"
}
room 2 --display none --speaker none --width 320 --height 180 --tone 660 --color 10e010 \
  >"$work/room2.log" 2>&1 &
pids+=($!)
room 3 --display none --speaker none --width 320 --height 180 --tone 880 --color 1010e0 \
  >"$work/room3.log" 2>&1 &
pids+=($!)
env DISPLAY="$display" XDG_RUNTIME_DIR="$runtime" HOME="$runtime" \
  "$build/mcu/mcu-room" --url "wss://127.0.0.1:$PORT/ws" --ca "$work/data/tls-cert.pem" \
  --ice-address 127.0.0.1 --token load-token-1 --conference bench --max-kbps 4000 \
  --display x --speaker pulse --speaker-device room_speaker --mic-device room_speaker.monitor \
  --width 640 --height 360 --exit-after $((warmup + seconds + 2)) >"$work/room.log" 2>&1 &
room=$!
pids+=("$room")

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
sleep "$warmup"
t0=$(ticks "$room")
sleep "$seconds"
t1=$(ticks "$room")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$room/status")
threads=$(awk '/Threads/ {print $2}' "/proc/$room/status")
wait "$room" || true
summary=$(grep -o 'SUMMARY .*' "$work/room.log" | cut -d' ' -f2-)
[[ -n $summary ]] || { cat "$work/room.log" >&2; exit 1; }
python3 - "$summary" "$t0" "$t1" "$hz" "$seconds" "$rss" "$threads" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
t0, t1, hz, seconds, rss, threads = (float(x) for x in sys.argv[2:])
cpu = (t1 - t0) / hz / seconds
def p(d):
    return "p50 %.1f, p95 %.1f ms (%d samples)" % (d["p50"], d["p95"], d["n"]) if d else "none"
print("mcu-room as a room PC: receiving %dx%d, sending %dx%d, echo cancellation + noise "
      "suppression + gain control on" % (s["videoWidth"], s["videoHeight"], s["sendWidth"], s["sendHeight"]))
print("  CPU %.3f of a core over %d s, RSS %.0f MB, %d threads" % (cpu, seconds, rss / 1024, threads))
print("  received %d frames in %.0f s" % (s["videoFrames"], seconds + 12))
print("  frame arrival -> decoded, into the display path: " + p(s["decodedDelayMs"]))
print("  frame arrival -> handed to the display sink: " + p(s["displayDelayMs"]))
print("  audio arrival -> decoded, into the playout mixer: " + p(s["speakerDelayMs"]))
print("  then held by the pipeline latency: %.0f ms" % s["pipelineLatencyMs"])
PY
