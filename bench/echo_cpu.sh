#!/usr/bin/env bash
# MCU CPU per participant and per packet in the echo conference, for N sites of mcu-loadgen
# (640x360@30 VP8 ~600 kb/s + Opus 32 kb/s each, DTLS-SRTP). Reads the MCU's own CPU from
# /proc/<pid>/stat over a steady window and its thread count. Prints a table; writes JSON.
#   bench/echo_cpu.sh [build-dir] [sites...]      e.g. bench/echo_cpu.sh build 4 16 25
set -euo pipefail
BUILD=${1:-build}; shift || true
SIZES=("${@:-4 16 25}"); [[ $# -eq 0 ]] && SIZES=(4 16 25)
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
DIR=$(mktemp -d); trap 'kill $MCU 2>/dev/null || true; rm -rf "$DIR"' EXIT
{
  printf '[server]\nlisten = "127.0.0.1"\n[media]\nice_addresses = ["127.0.0.1"]\n[log]\nlevel = "warn"\n'
  for i in $(seq 1 40); do
    printf '[[sites]]\nid = "load-%d"\nname = "Load %d"\nlevel = "other"\ntoken_hash = "%s"\n' \
      "$i" "$i" "$(echo "load-token-$i" | "$BUILD/mcu/mcu" hash-token)"
  done
  printf '[[conferences]]\nid = "echo"\ntitle = "Echo"\nmode = "echo"\n'
} > "$DIR/mcu.toml"
"$BUILD/mcu/mcu" --config "$DIR/mcu.toml" --data-dir "$DIR/data" --port 0 --ready-file "$DIR/ready.json" 2>"$DIR/mcu.log" &
MCU=$!
for _ in $(seq 100); do [[ -f $DIR/ready.json ]] && break; sleep 0.1; done
PORT=$(python3 -c "import json;print(json.load(open('$DIR/ready.json'))['port'])")
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$MCU/stat; }
threads() { awk '/^Threads:/{print $2}' /proc/$MCU/status; }
echo "sites  cpu_core  cpu_per_site  packets/s  us_per_packet  threads"
json="["
for n in "${SIZES[@]}"; do
  "$BUILD/bench/mcu-loadgen" --url "wss://127.0.0.1:$PORT/ws" --ca "$DIR/data/tls-cert.pem" \
    --sites "$n" --seconds 14 > "$DIR/load-$n.log" 2>&1 &
  LG=$!
  sleep 4; c0=$(cpu); t0=$(date +%s.%N); sleep 8; c1=$(cpu); t1=$(date +%s.%N); th=$(threads)
  wait $LG
  s=$(grep '^SUMMARY ' "$DIR/load-$n.log" | sed 's/^SUMMARY //')
  cp "$DIR/load-$n.log" "$OUT/echo_cpu-load-$n.log"
  read -r core per_site pps us <<<"$(python3 - "$s" "$c0" "$c1" "$t0" "$t1" "$TCK" "$n" <<'PY'
import json,sys
s=json.loads(sys.argv[1]); c0,c1,t0,t1,tck,n=map(float,sys.argv[2:])
secs=t1-t0; core=(c1-c0)/tck/secs
# Packets the MCU handled: everything the sites sent (received by the MCU) and echoed back.
total=s["audioSent"]+s["videoSent"]+s["audioReceived"]+s["videoReceived"]
pps=total/14.0
print(f"{core:.3f} {core/n:.4f} {pps:.0f} {core*1e6/pps:.1f}")
PY
)"
  printf "%5d  %8s  %12s  %9s  %13s  %7s\n" "$n" "$core" "$per_site" "$pps" "$us" "$th"
  json+="{\"sites\":$n,\"cpuCore\":$core,\"cpuPerSite\":$per_site,\"packetsPerSecond\":$pps,\"usPerPacket\":$us,\"threads\":$th},"
done
echo "${json%,}]" > "$OUT/echo_cpu.json"
echo "wrote $OUT/echo_cpu.json"
