#!/usr/bin/env bash
# Where the MCU's CPU goes in a mixing conference: starts mcu with one mixing conference (as
# bench/mix_cpu.sh does), mcu-loadgen with N sites, and after a warm-up samples the mcu process
# with perf (cpu-clock, 499 Hz per thread, DWARF call graphs) for a steady window. Prints and writes
# to test-output/bench/profile-<N>/:
#   dso.txt       perf report --no-children --sort dso (self time per library, kernel included)
#   symbols.txt   perf report --no-children --sort dso,sym, top 30
#   threads.txt   perf report --no-children --sort comm (per thread)
#   mcu-io.txt    perf report --no-children --sort comm,dso,sym --comms mcu-io
#   summary.txt   the call chains folded by bench/profile_fold.py: per thread kind (appsrcN:src is
#                 one kind) with its top libraries, per stage (VP8 encode, sendmsg, SRTP, thread
#                 hand-offs, ...: each sample once), who calls memcpy/malloc/futex/sendmsg, and
#                 the inclusive cost of the entry points that name a stage (vpx_codec_encode,
#                 srtp_protect, nice_agent_send, ...), each as % of the MCU and in cores.
#   mcu-cpu.txt   the MCU's CPU from /proc over PROFILE_BASE seconds just before perf starts
#                 (sampling inflates the MCU's CPU by ~10% here), per thread kind,
#                 with context switches per second
#   perf.data, load.log, mcu.log
# Percentages are of the samples, i.e. of the MCU process's CPU; cores = % x the MCU's CPU without
# perf (mcu-cpu.txt). The hardware counters are not available in this VM, hence cpu-clock. Debian ships
# libvpx, the GStreamer plugins and liborc's generated code without symbol tables: their cost is
# told by library and thread, and by the inclusive cost of their exported entry points.
# Run it alone: flock /tmp/mcu-bench.lock bench/profile.sh [build-dir] [sites]
# Without a usable perf (or with PROFILE_TOOL=callgrind) it runs the mcu under valgrind's callgrind
# instead, collecting instructions for PROFILE_SECONDS after the warm-up: repeatable counts, but
# the mcu runs ~50x slower, so frames are dropped and use fewer sites (e.g. 4).
#   PROFILE_WARMUP (4), PROFILE_BASE (4) and PROFILE_SECONDS (10) set the windows; PROFILE_CALL_GRAPH
#   (dwarf) may be fp, but Debian's libraries have no frame pointers: fp stacks stop at the first one.
set -euo pipefail
BUILD=${1:-build}
N=${2:-25}
WARMUP=${PROFILE_WARMUP:-4}
BASE=${PROFILE_BASE:-4}
SECS=${PROFILE_SECONDS:-10}
OUT=${BENCH_OUT:-test-output/bench}/profile-$N
mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d)
trap 'kill $MCU 2>/dev/null || true; rm -rf "$DIR"' EXIT

TOOL=${PROFILE_TOOL:-perf}
if [[ $TOOL == perf ]] && ! perf record -q -e cpu-clock -o "$DIR/probe.data" -- true >/dev/null 2>&1; then
  echo "perf cannot sample here; falling back to callgrind" >&2
  TOOL=callgrind
fi

TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$MCU/stat"; }

if [[ $TOOL == callgrind ]]; then
  BENCH_MCU_PREFIX="valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$OUT/callgrind.out" \
    BENCH_READY_SECONDS=120 bench_start_mcu mix "$BUILD" "$DIR"
  bench_loadgen "$BUILD" "$DIR" "$N" $((WARMUP + SECS + 4)) ${LOADGEN_ARGS:-} > "$OUT/load.log" 2>&1 &
  LG=$!
  sleep "$WARMUP"
  callgrind_control -i on "$MCU" >/dev/null
  sleep "$SECS"
  callgrind_control -i off "$MCU" >/dev/null
  callgrind_control -d "$MCU" >/dev/null
  wait $LG || true
  kill -INT "$MCU"; wait "$MCU" || true
  cp "$DIR/mcu.log" "$OUT/mcu.log"
  f=$(ls -S "$OUT"/callgrind.out* | head -1)
  callgrind_annotate --inclusive=no "$f" 2>/dev/null | sed -n 1,60p > "$OUT/symbols.txt"; sed -n "/PROGRAM TOTALS/,\$p" "$OUT/symbols.txt"
  callgrind_annotate --inclusive=yes "$f" 2>/dev/null | sed -n 1,60p > "$OUT/inclusive.txt"
  echo "wrote $OUT (instruction counts; see inclusive.txt for callers)"
  exit 0
fi

# Per thread: "tid name cpu-ticks context-switches" (voluntary + involuntary); two awk, no fork per thread.
per_thread() {
  join <(awk '{ sub(/^\(/, "", $2); sub(/\)$/, "", $2); print $1, $2, $14 + $15 }' /proc/$MCU/task/*/stat 2>/dev/null | sort) \
       <(awk '/^Pid:/ { tid = $2 } /ctxt_switches/ { n[tid] += $2 } END { for (t in n) print t, n[t] }' \
           /proc/$MCU/task/*/status 2>/dev/null | sort)
}
bench_start_mcu mix "$BUILD" "$DIR"
bench_loadgen "$BUILD" "$DIR" "$N" $((WARMUP + BASE + SECS + 2)) ${LOADGEN_ARGS:-} > "$OUT/load.log" 2>&1 &
LG=$!
sleep "$WARMUP"
# First BASE seconds without perf: the MCU's own CPU, per thread kind, and its context switches.
per_thread > "$DIR/threads0"; b0=$(cpu); bt0=$(date +%s.%N)
sleep "$BASE"
per_thread > "$DIR/threads1"; b1=$(cpu); bt1=$(date +%s.%N)
c0=$(cpu); t0=$(date +%s.%N)
perf record -q -e cpu-clock -F 499 --call-graph "${PROFILE_CALL_GRAPH:-dwarf}" -p "$MCU" -o "$OUT/perf.data" \
  -- sleep "$SECS" 2>"$DIR/perf.log" || { cat "$DIR/perf.log" >&2; exit 1; }
c1=$(cpu); t1=$(date +%s.%N)
wait $LG || true
cp "$DIR/mcu.log" "$OUT/mcu.log"
rate() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" -v tck="$TCK" 'BEGIN { printf "%.3f", (b - a) / tck / (t1 - t0) }'; }
BASE_CORES=$(rate "$b0" "$b1" "$bt0" "$bt1")
CORES=$(rate "$c0" "$c1" "$t0" "$t1")
{
  echo "MCU CPU without perf ($BASE s): $BASE_CORES cores; while sampled ($SECS s): $CORES cores"
  echo "thread kind: cores without perf, context switches per second"
  join <(sort "$DIR/threads0") <(sort "$DIR/threads1") | awk -v tck="$TCK" -v secs="$BASE" '
    { name = $2; sub(/[0-9]+:src$/, "N:src", name); c[name] += ($6 - $3) / tck / secs; s[name] += ($7 - $4) / secs; n[name]++ }
    END { for (k in c) if (c[k] >= 0.002 || s[k] >= 10) printf "  %-16s x%-3d %6.3f cores %8.0f switches/s\n", k, n[k], c[k], s[k] }' | sort -k3 -rn
} > "$OUT/mcu-cpu.txt"
grep '^SUMMARY ' "$OUT/load.log" | sed 's/^SUMMARY /loadgen: /' || true
cat "$OUT/mcu-cpu.txt"

report() { perf report -i "$OUT/perf.data" --stdio --no-children -g none --percent-limit 0.3 "$@" 2>/dev/null | grep -v '^#' | grep -v '^$'; }
report --sort dso > "$OUT/dso.txt"
report --sort dso,sym > "$OUT/symbols-all.txt"
head -30 "$OUT/symbols-all.txt" > "$OUT/symbols.txt"
report --sort comm > "$OUT/threads.txt"
report --sort comm,dso,sym --comms mcu-io > "$OUT/mcu-io.txt"
echo; echo "== (a) by library (% of the MCU's CPU) =="; head -25 "$OUT/dso.txt"
echo; echo "== (b) top 30 symbols =="; cat "$OUT/symbols.txt"
echo; echo "== (c) by thread =="; head -30 "$OUT/threads.txt"
echo; echo "== mcu-io only (% of the MCU's CPU) =="; head -30 "$OUT/mcu-io.txt"

# One pass over the call chains for the folded summary.
perf script -i "$OUT/perf.data" -F comm,period,ip,sym,dso 2>/dev/null | python3 "$(dirname "$0")/profile_fold.py" "$BASE_CORES" > "$OUT/summary.txt"
echo; cat "$OUT/summary.txt"
echo "wrote $OUT"
