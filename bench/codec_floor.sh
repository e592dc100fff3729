#!/usr/bin/env bash
# The codec floor of a mixing conference: the media work the MCU cannot avoid, done by the same
# libraries outside it, for N sites: decode N VP8 streams at their tile's size, composite them
# (with names) onto 1280x720@30, encode that once (VP8, the MCU's settings), decode N Opus
# streams and make 5 Opus encodings (four talkers and the shared mix). No transport, no jitter
# buffers, no threads of ours. Runs in real time (synced sinks) for the clips' 15 s (start-up included) and reports
# the process's CPU (user+sys over elapsed), comparable to bench/mix_cpu.sh's MCU figure.
# With H264=1 the composite is also encoded as the SIP rooms' H.264 tier (x264, the MCU's
# settings), and SIP_DECODES=<n> decodes n H.264 streams from rooms (640x360, their camera).
#   bench/codec_floor.sh [sites...]      e.g. bench/codec_floor.sh 4 9 16 25
set -euo pipefail
if [[ $# -gt 0 ]]; then SIZES=("$@"); else SIZES=(4 9 16 25); fi
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
DIR=$(mktemp -d); trap 'rm -rf "$DIR"' EXIT
cols() { local n=$1; if ((n <= 1)); then echo 1; elif ((n <= 4)); then echo 2; elif ((n <= 9)); then echo 3;
  elif ((n <= 16)); then echo 4; else echo 5; fi; }
# The clips mcu-loadgen sends (moving SMPTE bars, 30 fps, CBR scaled to the size; Opus 440 Hz).
clip() {
  local w=$1 h=$2 kbps=$(( 600 * $1 * $2 / (640 * 360) )); ((kbps < 150)) && kbps=150
  [[ -f $DIR/v$w.webm ]] || gst-launch-1.0 -q videotestsrc pattern=smpte horizontal-speed=6 num-buffers=450 ! \
    "video/x-raw,width=$w,height=$h,framerate=30/1" ! vp8enc deadline=1 cpu-used=-6 keyframe-max-dist=60 \
    end-usage=cbr target-bitrate=$((kbps * 1000)) ! webmmux ! filesink location="$DIR/v$w.webm"
}
[[ -f $DIR/a.ogg ]] || gst-launch-1.0 -q audiotestsrc wave=sine freq=440 samplesperbuffer=960 num-buffers=750 ! \
  audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 frame-size=20 ! oggmux ! filesink location="$DIR/a.ogg"
echo "sites  floor_cores  tile"
json="["
for n in "${SIZES[@]}"; do
  c=$(cols "$n"); w=$(( (1280 / c) & ~1 )); h=$(( (720 / c) & ~1 ))
  clip "$w" "$h"
  pads=""
  for ((i = 0; i < n; i++)); do
    pads+=" sink_$((i + 1))::xpos=$(( (i % c) * (1280 / c) )) sink_$((i + 1))::ypos=$(( (i / c) * (720 / c) ))"
  done
  desc="videotestsrc is-live=true pattern=black num-buffers=450 ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! "
  desc+="compositor name=comp background=black$pads ! video/x-raw,width=1280,height=720,framerate=30/1 ! "
  desc+="vp8enc deadline=1 cpu-used=16 end-usage=cbr threads=1 static-threshold=100 lag-in-frames=0 "
  desc+="keyframe-max-dist=600 error-resilient=default target-bitrate=1500000 ! rtpvp8pay mtu=1200 ! fakesink sync=true "
  if [[ ${H264:-0} == 1 ]]; then
    # The composite once more, as the H.264 tier (what media/composite_pipeline.cpp runs).
    desc="${desc/! vp8enc/! tee name=t ! queue ! vp8enc}"
    desc+="t. ! queue ! x264enc tune=zerolatency speed-preset=ultrafast threads=1 bframes=0 key-int-max=600 "
    desc+="bitrate=1500 ! video/x-h264,profile=constrained-baseline ! rtph264pay mtu=1200 config-interval=-1 ! fakesink sync=true "
  fi
  if [[ ${SIP_DECODES:-0} -gt 0 ]]; then
    [[ -f $DIR/room.mp4 ]] || gst-launch-1.0 -q videotestsrc pattern=smpte horizontal-speed=6 num-buffers=225 ! \
      video/x-raw,width=640,height=360,framerate=15/1 ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=600 ! \
      video/x-h264,profile=constrained-baseline ! mp4mux ! filesink location="$DIR/room.mp4"
    for ((i = 0; i < SIP_DECODES; i++)); do
      desc+="filesrc location=$DIR/room.mp4 ! qtdemux ! h264parse ! avdec_h264 ! fakesink sync=true "
    done
  fi
  for ((i = 0; i < n; i++)); do
    desc+="filesrc location=$DIR/v$w.webm ! matroskademux ! vp8dec ! videoconvert ! textoverlay text=Site$i "
    desc+="valignment=bottom halignment=center shaded-background=true font-desc=\"Sans Bold 12\" ! comp.sink_$((i + 1)) "
    desc+="filesrc location=$DIR/a.ogg ! oggdemux ! opusdec ! audio/x-raw,channels=1 ! fakesink sync=true "
  done
  for ((i = 0; i < 5 && i < n + 1; i++)); do
    desc+="audiotestsrc is-live=true wave=sine freq=$((300 + 100 * i)) samplesperbuffer=960 num-buffers=750 ! "
    desc+="audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 frame-size=20 complexity=5 ! fakesink sync=true "
  done
  # CPU of the child (user + sys) over its wall time.
  read -r cores elapsed < <(python3 - "$desc" <<'PY'
import resource, shlex, subprocess, sys, time
t = time.time()
subprocess.run(["gst-launch-1.0", "-q"] + shlex.split(sys.argv[1]), check=True, stdout=subprocess.DEVNULL)
wall = time.time() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(round((r.ru_utime + r.ru_stime) / wall, 3), round(wall, 2))
PY
)
  printf "%5d  %11s  %dx%d\n" "$n" "$cores" "$w" "$h"
  json+="{\"sites\":$n,\"floorCores\":$cores,\"tile\":\"${w}x${h}\",\"seconds\":$elapsed},"
done
echo "${json%,}]" > "$OUT/codec_floor.json"
echo "wrote $OUT/codec_floor.json"
