#!/usr/bin/env bash
# What one composite tier costs to encode, per encoder and size: the MCU's VP8 settings (WebRTC
# sites) against the H.264 encoders a SIP tier could use (x264 at the MCU's settings, openh264),
# and x264 in packetization-mode 0 (slices of at most 1100 bytes, single NAL units),
# each on one thread, over the same moving 30 fps picture (SMPTE bars, the load generator's
# clip), with the payloader the MCU puts behind it. Not real time: frames per CPU-second, and
# the share of one core a 30 fps tier takes (30 / that).
#   bench/tier_encoders.sh [frames]      (default 600: 20 s of video per run)
set -euo pipefail
FRAMES=${1:-600}
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
declare -A ENC=(
  [vp8]="vp8enc deadline=1 cpu-used=16 end-usage=cbr threads=1 static-threshold=100 lag-in-frames=0 keyframe-max-dist=600 error-resilient=default target-bitrate=KBPS000 ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit"
  [x264]="x264enc tune=zerolatency speed-preset=ultrafast threads=1 bframes=0 key-int-max=600 bitrate=KBPS ! video/x-h264,profile=constrained-baseline,stream-format=avc,alignment=au ! rtph264pay pt=109 mtu=1200 config-interval=-1 aggregate-mode=zero-latency"
  [x264-pm0]="x264enc tune=zerolatency speed-preset=ultrafast threads=1 bframes=0 key-int-max=600 bitrate=KBPS option-string=slice-max-size=1100 ! video/x-h264,profile=constrained-baseline,stream-format=avc,alignment=au ! rtph264pay pt=109 mtu=1200 config-interval=-1 aggregate-mode=none"
  [openh264]="openh264enc complexity=low rate-control=bitrate bitrate=KBPS000 gop-size=600 multi-thread=1 ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au ! rtph264pay pt=109 mtu=1200 config-interval=-1 aggregate-mode=zero-latency"
)
ERR=$(mktemp); trap 'rm -f "$ERR"' EXIT
cpu_seconds() {  # CPU (user+sys) of one gst-launch run, in seconds (bash's own `time`).
  local t TIMEFORMAT='%U %S'
  t=$( { time gst-launch-1.0 -q "$@" >/dev/null 2>"$ERR" || echo FAILED; } 2>&1 | tail -1)
  if [[ $t == FAILED ]]; then echo "pipeline failed: $*" >&2; cat "$ERR" >&2; exit 1; fi
  awk '{printf "%.3f", $1 + $2}' <<<"$t"
}
echo "encoder   size       kbps  fps_per_cpu_s  cores_at_30fps"
json="["
for size in 1280x720 640x360; do
  w=${size%x*}; h=${size#*x}
  kbps=$([[ $size == 1280x720 ]] && echo 1500 || echo 600)
  src="videotestsrc pattern=smpte horizontal-speed=6 num-buffers=$FRAMES ! video/x-raw,format=I420,width=$w,height=$h,framerate=30/1"
  # The source alone, subtracted: what is left is the encoder and its payloader.
  base=$(cpu_seconds $src ! fakesink)
  for enc in vp8 x264 x264-pm0 openh264; do
    desc=${ENC[$enc]//KBPS/$kbps}
    # shellcheck disable=SC2086  # The pipeline description is words for gst-launch.
    total=$(cpu_seconds $src ! $desc ! fakesink)
    read -r fps cores < <(awk -v f="$FRAMES" -v t="$total" -v b="$base" \
      'BEGIN { c = t - b; if (c <= 0) c = 0.001; printf "%.0f %.3f\n", f / c, 30 * c / f }')
    printf "%-9s %-9s %5s  %13s  %14s\n" "$enc" "$size" "$kbps" "$fps" "$cores"
    json+="{\"encoder\":\"$enc\",\"size\":\"$size\",\"kbps\":$kbps,\"fpsPerCpuSecond\":$fps,\"coresAt30fps\":$cores},"
  done
done
echo "${json%,}]" > "$OUT/tier_encoders.json"
echo "written: $OUT/tier_encoders.json"
