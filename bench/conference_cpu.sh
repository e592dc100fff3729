#!/usr/bin/env bash
# MCU CPU for N sites of mcu-loadgen in one conference (each site sends Opus 20 ms + VP8
# 640x360@30 ≈560 kb/s, DTLS-SRTP), read from the MCU's own /proc/<pid>/stat over a steady 8 s
# window, with its thread count and resident memory.
#   echo: also packets per second through the MCU and µs of MCU CPU per packet.
#   mix:  also composite frames received per site per second (the canvas runs at 30), the
#         time from a site's media connecting to its first composite frame, the MCU-added
#         latency of audio and video (mcu-loadgen --latency: one site sends tone bursts and
#         flashes, another decodes; p50/p95 over the run), and, in the same run, the codec floor
#         for the same number of sites (bench/codec_floor.sh; FLOOR=0 skips it) and MCU ÷ floor.
# Prints a table; writes test-output/bench/<mode>_cpu.json. LOADGEN_ARGS adds mcu-loadgen flags.
#   bench/conference_cpu.sh echo|mix [build-dir] [sites...]
set -euo pipefail
MODE=${1:?echo or mix}; shift
BUILD=${1:-build}; shift || true
if [[ $# -gt 0 ]]; then SIZES=("$@"); elif [[ $MODE == mix ]]; then SIZES=(4 9 16 25); else SIZES=(4 16 25); fi
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d); trap 'kill $MCU 2>/dev/null || true; rm -rf "$DIR"' EXIT
bench_start_mcu "$MODE" "$BUILD" "$DIR"
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$MCU/stat; }
threads() { awk '/^Threads:/{print $2}' /proc/$MCU/status; }
rss_mb() { awk '/^VmRSS:/{printf "%.0f", $2 / 1024}' /proc/$MCU/status; }
# CPU ticks per thread: "tid name ticks" (one awk, no fork per thread).
per_thread() {
  awk '{ sub(/^\(/, "", $2); sub(/\)$/, "", $2); print $1, $2, $14 + $15 }' /proc/$MCU/task/*/stat 2>/dev/null
}
SECONDS_RUN=14
[[ $MODE == mix ]] && SECONDS_RUN=24  # ~18 latency events after everyone joined.
if [[ $MODE == echo ]]; then
  echo "sites  cpu_core  cpu_per_site  packets/s  us_per_packet  threads  rss_mb"
else
  echo "sites  cpu_core  cpu_per_site  composite_fps  first_frame_ms(p50/max)  audio_ms(p50/p95)  video_ms(p50/p95)  threads  rss_mb  floor_core  mcu/floor"
fi
json="["
for n in "${SIZES[@]}"; do
  extra=(); [[ $MODE == mix ]] && extra=(--latency)
  bench_loadgen "$BUILD" "$DIR" "$n" "$SECONDS_RUN" "${extra[@]}" ${LOADGEN_ARGS:-} > "$DIR/load-$n.log" 2>&1 &
  LG=$!
  sleep 4; c0=$(cpu); per_thread > "$DIR/threads0"; t0=$(date +%s.%N)
  sleep 8; c1=$(cpu); per_thread > "$DIR/threads1"; t1=$(date +%s.%N); th=$(threads); rss=$(rss_mb)
  # Cores per thread kind (appsrcN:src -> site decode; queueN:src -> tier encode), biggest first.
  by_thread=$(join <(sort "$DIR/threads0") <(sort "$DIR/threads1") | awk -v tck="$TCK" -v secs=8 '
    { name = $2; sub(/[0-9]+:src$/, "N:src", name); d[name] += ($5 - $3) / tck / secs }
    END { for (k in d) if (d[k] >= 0.005) printf "%s=%.3f ", k, d[k] }')
  wait $LG
  cp "$DIR/load-$n.log" "$OUT/${MODE}_cpu-load-$n.log"
  s=$(grep '^SUMMARY ' "$DIR/load-$n.log" | sed 's/^SUMMARY //')
  floor=0
  if [[ $MODE == mix && ${FLOOR:-1} != 0 ]]; then
    BENCH_OUT="$DIR/floor" "$(dirname "$0")/codec_floor.sh" "$n" > /dev/null
    floor=$(python3 -c "import json;print(json.load(open('$DIR/floor/codec_floor.json'))[0]['floorCores'])")
  fi
  out=$(python3 - "$MODE" "$s" "$c0" "$c1" "$t0" "$t1" "$TCK" "$n" "$SECONDS_RUN" "$th" "$by_thread" "$rss" "$floor" <<'PY'
import json, sys
mode, s = sys.argv[1], json.loads(sys.argv[2])
c0, c1, t0, t1, tck, n, run, th = map(float, sys.argv[3:11])
by_thread = dict(kv.split("=") for kv in sys.argv[11].split())
rss = int(sys.argv[12])
floor = float(sys.argv[13])
core = (c1 - c0) / tck / (t1 - t0)
r = {"sites": int(n), "cpuCore": round(core, 3), "cpuPerSite": round(core / n, 4), "threads": int(th), "rssMB": rss,
     "connected": s["connected"],
     "coresByThread": {k: float(v) for k, v in sorted(by_thread.items(), key=lambda kv: -float(kv[1]))}}
if mode == "echo":
    # Packets the MCU handled: everything the sites sent (received by the MCU) and echoed back.
    pps = (s["audioSent"] + s["videoSent"] + s["audioReceived"] + s["videoReceived"]) / run
    r.update(packetsPerSecond=round(pps), usPerPacket=round(core * 1e6 / pps, 1))
    line = f'{r["sites"]:5d}  {core:8.3f}  {core/n:12.4f}  {pps:9.0f}  {r["usPerPacket"]:13.1f}  {r["threads"]:7d}  {rss:6d}'
else:
    fps = s["videoFramesReceived"] / n / run  # Includes the ~0.2 s to connect.
    r.update(compositeFpsPerSite=round(fps, 1), firstFrameMsMedian=round(s["firstFrameMsMedian"]),
             firstFrameMsMax=round(s["firstFrameMsMax"]), firstFrameSites=s["firstFrameSites"],
             audioPacketsPerSitePerSecond=round(s["audioReceived"] / n / run, 1))
    lat = s.get("latency", {})
    r["latency"] = lat
    pair = lambda k: f'{lat[k].get("p50", "-")}/{lat[k].get("p95", "-")}' if k in lat else "-"
    ff = f'{r["firstFrameMsMedian"]}/{r["firstFrameMsMax"]}'
    ratio = "-"
    if floor > 0:
        r.update(floorCores=floor, mcuOverFloor=round(core / floor, 2))
        ratio = f'{core / floor:.2f}'
    line = (f'{r["sites"]:5d}  {core:8.3f}  {core/n:12.4f}  {fps:13.1f}  {ff:>23}  {pair("audioMs"):>17}  '
            f'{pair("videoMs"):>17}  {r["threads"]:7d}  {rss:6d}  {floor:10.3f}  {ratio:>9}')
print(line)
print(json.dumps(r))
PY
)
  echo "$out" | head -1
  json+="$(echo "$out" | tail -1),"
done
echo "${json%,}]" > "$OUT/${MODE}_cpu.json"
echo "wrote $OUT/${MODE}_cpu.json"
