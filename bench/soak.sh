#!/usr/bin/env bash
# The soak: does the MCU give back what it takes? A mixing conference with 3 sites in it
# (mcu-loadgen: VP8 and Opus) while one more site joins and goes CYCLES times (bench/soak.cpp:
# media both ways every time; odd cycles send `leave`, even ones hang up), and at the same time
# LOGINS console logins, each opening the event feed (/api/v1/events) and logging out, from 250
# loopback addresses in turn (a per-address login limit is not what is measured).
# The MCU's resident memory (VmRSS), threads and open file descriptors are read after a warm-up
# (20 cycles, 20 logins) once threads and descriptors have stopped moving, and again at the end,
# once they are back at or below the start or have stopped moving (polled every 0.5 s, not a
# fixed sleep). Exits 1 if RSS grew by more than MARGIN_MB (default 30), if threads or descriptors
# grew at all, or if a cycle or a login failed. Not part of CI: some 15 minutes on 2 cores.
#   bench/soak.sh [build-dir] [cycles] [logins]
set -euo pipefail
BUILD=${1:-build}; CYCLES=${2:-1000}; LOGINS=${3:-1000}; MARGIN_MB=${MARGIN_MB:-30}
cmake --build "$BUILD" --target mcu-soak mcu >/dev/null
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"
LG=""; MCU=""
DIR=$(mktemp -d); trap 'kill $LG $MCU 2>/dev/null || true; wait; rm -rf "$DIR"' EXIT
bench_start_mcu mix "$BUILD" "$DIR"
bench_loadgen "$BUILD" "$DIR" 3 100000 > "$DIR/load.log" 2>&1 &
LG=$!
for _ in $(seq 300); do grep -q "connected 3/3" "$DIR/load.log" && break; sleep 0.1; done
grep -q "connected 3/3" "$DIR/load.log" || { cat "$DIR/load.log"; exit 1; }

soak() {
  "$BUILD/bench/mcu-soak" --url "wss://127.0.0.1:$PORT/ws" --ca "$DIR/data/tls-cert.pem" \
    --conference bench --token load-token-4 --login bench --password bench-password "$@"
}
# "rss-kB threads fds" of the MCU now.
sample() {
  echo "$(awk '/^VmRSS:/{print $2}' /proc/$MCU/status) $(awk '/^Threads:/{print $2}' /proc/$MCU/status) $(ls /proc/$MCU/fd | wc -l)"
}
# settle [THREADS FDS]: the first sample with threads and fds at or below THREADS and FDS, or
# else the one after they have not moved for STILL samples (3 s; 30 s when a target is given,
# so that a slow release is not taken for a leak); at most 4 minutes.
settle() {
  local still=$(( $# == 2 ? 60 : 6 )) prev="" same=0 s rss th fd
  for _ in $(seq 480); do
    s=$(sample); read -r rss th fd <<<"$s"
    if (( $# == 2 )) && (( th <= $1 && fd <= $2 )); then echo "$s"; return; fi
    if [[ "$th $fd" == "$prev" ]]; then same=$((same + 1)); else same=0; prev="$th $fd"; fi
    (( same >= still )) && { echo "$s"; return; }
    sleep 0.5
  done
  echo "$s"
}

soak --cycles 20 --logins 20 --first-address 127.0.1.2 --addresses 20 > "$DIR/warmup.log" 2>&1 ||
  { cat "$DIR/warmup.log"; exit 1; }
read -r rss0 th0 fd0 <<<"$(settle)"
t0=$(date +%s)
status=0
soak --cycles "$CYCLES" --logins "$LOGINS" --first-address 127.0.0.2 --addresses 250 \
  > "$DIR/soak.log" 2>&1 || status=$?
t1=$(date +%s)
read -r rss1 th1 fd1 <<<"$(settle "$th0" "$fd0")"
hwm=$(awk '/^VmHWM:/{print $2}' /proc/$MCU/status)
summary=$(grep '^SUMMARY ' "$DIR/soak.log" | sed 's/^SUMMARY //' || true)
[[ -n $summary ]] || { tail -20 "$DIR/soak.log"; exit 1; }
grep -E ' (WARN|warn|warning) ' "$DIR/soak.log" | head -5 || true
echo "others during the soak: $(grep -E 't=[0-9]+s connected' "$DIR/load.log" | tail -1 | sed 's/.*\] //')"
python3 - "$summary" "$rss0" "$th0" "$fd0" "$rss1" "$th1" "$fd1" "$hwm" "$MARGIN_MB" \
  "$((t1 - t0))" "$status" "$OUT/soak.json" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
rss0, th0, fd0, rss1, th1, fd1, hwm, margin, secs, status = map(int, sys.argv[2:12])
mb = lambda kb: round(kb / 1024, 1)
c, l = s["cycles"], s["logins"]
out = {"cycles": c, "logins": l, "seconds": secs,
       "start": {"rssMB": mb(rss0), "threads": th0, "fds": fd0},
       "end": {"rssMB": mb(rss1), "threads": th1, "fds": fd1},
       "growth": {"rssMB": mb(rss1 - rss0), "threads": th1 - th0, "fds": fd1 - fd0},
       "peakRssMB": mb(hwm), "rssMarginMB": margin}
failed = []
if rss1 - rss0 > margin * 1024: failed.append(f"RSS grew {mb(rss1 - rss0)} MB (margin {margin})")
if th1 > th0: failed.append(f"threads grew by {th1 - th0}")
if fd1 > fd0: failed.append(f"file descriptors grew by {fd1 - fd0}")
if c["failed"] or l["failed"] or status: failed.append("cycles or logins failed")
out["failed"] = failed
json.dump(out, open(sys.argv[12], "w"), indent=1)
print(f"{c['done']} join/leave cycles ({c['failed']} failed, median {c['msMedian']:.0f} ms, "
      f"max {c['msMax']:.0f} ms), {l['done']} logins with feed and logout ({l['failed']} failed, "
      f"median {l['msMedian']:.0f} ms) in {secs} s")
print(f"RSS {mb(rss0)} -> {mb(rss1)} MB ({mb(rss1 - rss0):+} MB, margin {margin}; peak "
      f"{mb(hwm)} MB), threads {th0} -> {th1} ({th1 - th0:+}), fds {fd0} -> {fd1} ({fd1 - fd0:+})")
if c["failures"] or l["failures"]: print("failures:", c["failures"], l["failures"])
print("FAILED: " + "; ".join(failed) if failed else "flat")
sys.exit(1 if failed else 0)
PY
echo "wrote $OUT/soak.json"
