#!/usr/bin/env bash
# What a cascade link costs the MCU (issue 22): one mixing conference of R mcu-loadgen rooms
# (default 14), then one and two more sites of kind cascade (BENCH_CASCADE_SITES), which the MCU
# treats as links of other MCUs: each receives a composite of its own (every site but itself, the
# speaker large: its compositor, a scale of each shown site, its VP8 encoder at 1280x720). MCU
# CPU over steady windows of WINDOW_S seconds (default 15) in the same run, and the MCU's threads
# whose CPU grew by 0.005 core or more between the first and the last window (each link's
# compositor thread vcompN:src and encoder thread queueN:src, the sites' decoder threads that now
# also scale for the links), beside the rooms' own 1280x720 encoder thread (one composite tier:
# what one more tier would cost). The first link says nothing of how it is shown, so its composite
# is encoded at its tier's 1280x720; the second says (as another MCU's link does, in its `link`
# message) that the far side shows it at SHOWN (default 640x360: a tile of a 2x2 grid), so its
# composite is encoded at that size. Prints the windows; writes test-output/bench/link_cost.json.
#   bench/link_cost.sh [build-dir] [rooms]
set -euo pipefail
BUILD=${1:-build}; R=${2:-14}
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
source "$(dirname "$0")/lib.sh"
L1=$((R + 1)); L2=$((R + 2))
export BENCH_CASCADE_SITES="$L1 $L2"
LG=""; LK1=""; LK2=""; MCU=""
DIR=$(mktemp -d); trap 'kill $LG $LK1 $LK2 $MCU 2>/dev/null || true; wait; rm -rf "$DIR"' EXIT
bench_start_mcu mix "$BUILD" "$DIR"
TCK=$(getconf CLK_TCK)
W=${WINDOW_S:-15}
cpu() { awk '{print $14+$15}' /proc/$MCU/stat; }
per_thread() {
  awk '{ sub(/^\(/, "", $2); sub(/\)$/, "", $2); print $1, $2, $14 + $15 }' /proc/$MCU/task/*/stat 2>/dev/null
}
# window NAME: the core used over the next W seconds; each thread's ticks in DIR/NAME.{0,1}.
window() {
  local c0 c1 t0 t1
  per_thread > "$DIR/$1.0"; c0=$(cpu); t0=$(date +%s.%N); sleep "$W"
  c1=$(cpu); t1=$(date +%s.%N); per_thread > "$DIR/$1.1"
  python3 -c "print(round(($c1 - $c0) / $TCK / ($t1 - $t0), 3))"
}
connected() { for _ in $(seq 300); do grep -q "connected $2/$2" "$1" && return; sleep 0.1; done; }
RUN=$((3 * W + 60))
bench_loadgen "$BUILD" "$DIR" "$R" "$RUN" > "$DIR/rooms.log" 2>&1 &
LG=$!
connected "$DIR/rooms.log" "$R"; sleep 3
w0=$(window rooms)
bench_loadgen "$BUILD" "$DIR" 1 "$RUN" --first "$L1" > "$DIR/link1.log" 2>&1 &
LK1=$!
connected "$DIR/link1.log" 1; sleep 3
w1=$(window link1)
SHOWN=${SHOWN:-640x360}
bench_loadgen "$BUILD" "$DIR" 1 "$RUN" --first "$L2" --link-shown "$SHOWN" > "$DIR/link2.log" 2>&1 &
LK2=$!
connected "$DIR/link2.log" 1; sleep 3
w2=$(window link2)
own=$(grep -c " vcomp" "$DIR/link2.1" || true)  # The links' compositor threads.
python3 - "$R" "$w0" "$w1" "$w2" "$W" "$TCK" "$DIR" "$own" "$OUT" "$SHOWN" <<'PY'
import json, re, sys
r, w0, w1, w2, W, tck, d, own, out, shown = sys.argv[1:]
w0, w1, w2, W, tck = float(w0), float(w1), float(w2), float(W), float(tck)
def cores(name):
    t = {}
    for which in ("0", "1"):
        for line in open(f"{d}/{name}.{which}"):
            tid, thread, ticks = line.split()
            t.setdefault(tid, [thread, None, None])[1 if which == "0" else 2] = int(ticks)
    return {tid: (v[0], (v[2] - v[1]) / tck / W) for tid, v in t.items() if v[1] is not None and v[2] is not None}
base, last = cores("rooms"), cores("link2")
kinds = {}
for tid, (thread, c) in last.items():
    grew = c - base.get(tid, (thread, 0.0))[1]
    kind = re.sub(r"\d+:src$", "N:src", thread)
    if thread.startswith("vcomp") or tid not in base or abs(grew) >= 0.005:
        kinds.setdefault(kind, []).append((thread, round(c, 3), round(grew, 3)))
# The rooms' 1280x720 VP8 tier: the branch queue0 (tier 0) of the composite.
tier0 = [round(c, 3) for tid, (thread, c) in base.items() if thread == "queue0:src"]
res = {"rooms": int(r), "windowSeconds": W, "core": {"rooms": w0, "oneLink": w1, "twoLinks": w2},
       "perLink": round((w2 - w0) / 2, 3), "firstLink": round(w1 - w0, 3), "secondLink": round(w2 - w1, 3),
       "secondLinkShownAt": shown,
       "linkViewsStarted": int(own), "tier0EncoderCore": tier0[0] if tier0 else None,
       "threadsThatGrew": kinds}
print(f"rooms={r}  core: {w0} (rooms)  {w1} (+1 link, 1280x720)  {w2} (+1 link shown at {shown})"
      f"  first link +{res['firstLink']}, second +{res['secondLink']}  links' compositors running: {own}"
      f"  rooms' 720p tier encoder: {res['tier0EncoderCore']}")
for kind, ts in sorted(kinds.items()):
    print(f"  {kind}: " + ", ".join(f"{t} {c} (+{g})" for t, c, g in ts))
json.dump(res, open(f"{out}/link_cost.json", "w"), indent=1)
print(f"wrote {out}/link_cost.json")
PY
