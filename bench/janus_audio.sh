#!/usr/bin/env bash
# Audio-only sites, side by side: Janus AudioBridge (Debian's `janus` package) and the MCU, each
# mixing the same number of Opus sites under the same load. Each site sends the same 440 Hz Opus
# tone (32 kb/s, 20 ms packets, DTLS-SRTP, the project's transport) and counts what it receives:
# janus-load (offerer, Janus HTTP API) against one AudioBridge room (sampling_rate 48000),
# mcu-loadgen --no-video (answerer, video m-line rejected) against one mixing conference.
# CPU is the server process's own (/proc/<pid>/stat, user+sys) over an 8 s window after 4 s of
# warm-up, with its threads and resident memory, as bench/conference_cpu.sh measures. Both must
# really mix: each site must receive about 50 packets a second in the window (each server sends
# a site at most one packet per 20 ms, so the average over the sites can only be near 50 when
# every site gets its own stream).
# Installs Debian's janus with apt-get if there is no `janus` on PATH (nothing else is fetched).
# Prints one table; writes test-output/bench/janus_audio.json.
#   bench/janus_audio.sh [build-dir] [sites...]      default: build 25 50 100
# JANUS_EVENT_LOOPS=N gives Janus a pool of N event-loop threads (default: one per handle).
set -euo pipefail
BUILD=${1:-build}; shift || true
cmake --build "$BUILD" --target janus-load mcu >/dev/null
if [[ $# -gt 0 ]]; then SIZES=("$@"); else SIZES=(25 50 100); fi
MAX_SITES=$(printf '%s\n' "${SIZES[@]}" | sort -n | tail -1)
OUT=${BENCH_OUT:-test-output/bench}; mkdir -p "$OUT"
SECONDS_RUN=14
TCK=$(getconf CLK_TCK)
DIR=$(mktemp -d)
JANUS=""; MCU=""; DUMMY=""
cleanup() {
  [[ -n $JANUS ]] && kill "$JANUS" 2>/dev/null || true
  [[ -n $MCU ]] && kill "$MCU" 2>/dev/null || true
  [[ -n $DUMMY ]] && ip link del "$DUMMY" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

if ! command -v janus >/dev/null; then
  echo "installing Debian's janus" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus >/dev/null
fi
# Janus never gathers ICE candidates on a loopback interface (not even when told to), so both
# sides use a local non-loopback address; with none, a dummy interface with one from the
# benchmarking range (RFC 2544) is added for the run. Packets between local addresses still only
# cross the kernel's loopback path, as the MCU's do on 127.0.0.1.
ADDR=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
if [[ -z $ADDR ]]; then
  DUMMY=mcubench0; ADDR=198.18.0.1
  ip link add "$DUMMY" type dummy && ip addr add "$ADDR/32" dev "$DUMMY" && ip link set "$DUMMY" up
fi
JLIB=$(dirname "$(dirname "$(dpkg -L janus | grep '/plugins/libjanus_audiobridge.so$' | head -1)")")

# ----- Janus: only the HTTP transport (127.0.0.1) and the AudioBridge plugin -----------------
mkdir -p "$DIR/janus/plugins" "$DIR/janus/transports" "$DIR/janus/none"
ln -s "$JLIB/plugins/libjanus_audiobridge.so" "$DIR/janus/plugins/"
ln -s "$JLIB/transports/libjanus_http.so" "$DIR/janus/transports/"
JPORT=18088
cat > "$DIR/janus/janus.jcfg" <<EOF
general: {
	configs_folder = "$DIR/janus"
	plugins_folder = "$DIR/janus/plugins"
	transports_folder = "$DIR/janus/transports"
	events_folder = "$DIR/janus/none"
	loggers_folder = "$DIR/janus/none"
	debug_level = 4
	${JANUS_EVENT_LOOPS:+event_loops = $JANUS_EVENT_LOOPS}
}
media: {
}
nat: {
	ice_enforce_list = "$ADDR"
}
EOF
cat > "$DIR/janus/janus.transport.http.jcfg" <<EOF
general: {
	json = "plain"
	base_path = "/janus"
	http = true
	ip = "127.0.0.1"
	port = $JPORT
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
EOF
cat > "$DIR/janus/janus.plugin.audiobridge.jcfg" <<EOF
general: {
}
room-1234: {
	description = "bench"
	sampling_rate = 48000
	record = false
}
EOF

# ----- The MCU: one mixing conference, MAX_SITES sites ---------------------------------------
mkdir -p "$DIR/mcu"
{
  printf '[server]\nlisten = "127.0.0.1"\n[media]\nice_addresses = ["127.0.0.1"]\n[log]\nlevel = "warn"\n'
  printf '[limits]\nmax_participants = %d\nmax_connections_per_address = 0\n' "$((MAX_SITES + 8))"
  for i in $(seq 1 "$MAX_SITES"); do
    printf '[[sites]]\nid = "load-%d"\nname = "Load %d"\nlevel = "other"\ntoken_hash = "%s"\n' \
      "$i" "$i" "$(echo "load-token-$i" | "$BUILD/mcu/mcu" hash-token)"
  done
  printf '[[conferences]]\nid = "bench"\ntitle = "Bench"\nmode = "mix"\n'
} > "$DIR/mcu/mcu.toml"

# measure PID: CPU over the steady window of a run that started 0 s ago; prints
# "ticks0 ticks1 t0 t1 threads rss_mb by_thread".
measure() {
  local pid=$1 c0 c1 t0 t1
  # "tid name ticks"; a thread name may hold spaces (Janus's "hloop <handle>"): they become "_".
  per_thread() {
    awk '{ l = index($0, "("); r = match($0, /\) [A-Za-z] /); name = substr($0, l + 1, r - l - 1)
           gsub(/ /, "_", name); split(substr($0, r + 2), f, " "); print $1, name, f[12] + f[13] }' \
      /proc/"$pid"/task/*/stat 2>/dev/null
  }
  sleep 4; c0=$(awk '{print $14+$15}' /proc/"$pid"/stat); per_thread > "$DIR/th0"; t0=$(date +%s.%N)
  sleep 8; c1=$(awk '{print $14+$15}' /proc/"$pid"/stat); per_thread > "$DIR/th1"; t1=$(date +%s.%N)
  local th rss by
  th=$(awk '/^Threads:/{print $2}' /proc/"$pid"/status)
  rss=$(awk '/^VmRSS:/{printf "%.0f", $2 / 1024}' /proc/"$pid"/status)
  # Cores per thread kind (digits folded: hloop 1..N count as one), biggest first.
  by=$(join <(sort "$DIR/th0") <(sort "$DIR/th1") | awk -v tck="$TCK" -v secs=8 '
    { name = $2; gsub(/[0-9]+/, "N", name); d[name] += ($5 - $3) / tck / secs }
    END { for (k in d) if (d[k] >= 0.005) printf "%s=%.3f,", k, d[k] }')
  echo "$c0 $c1 $t0 $t1 $th $rss ${by%,}"
}

# record SYSTEM N LOG MEASUREMENT: one JSON line for the run.
record() {
  python3 - "$1" "$2" "$3" "$TCK" "$SECONDS_RUN" $4 <<'PY'
import json, re, sys
system, n, log, tck, run = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
c0, c1, t0, t1 = map(float, sys.argv[6:10])
threads, rss = int(sys.argv[10]), int(sys.argv[11])
by = dict(kv.split("=") for kv in (sys.argv[12].split(",") if len(sys.argv) > 12 and sys.argv[12] else []))
text = open(log).read()
m = re.search(r"^SUMMARY (.*)$", text, re.M)
s = json.loads(m.group(1)) if m else {}
# Packets received per site per second over the CPU window (t=4 s .. t=12 s of the progress lines).
rx = {int(t): int(r) for t, r in re.findall(r"t=(\d+)s .*received a(?:/v)? (\d+)", text)}
per_site = (rx[12] - rx[4]) / 8 / n if 4 in rx and 12 in rx else s.get("audioReceived", 0) / n / run
core = (c1 - c0) / tck / (t1 - t0)
print(json.dumps({"system": system, "sites": n, "cpuCore": round(core, 3), "cpuPerSite": round(core / n, 5),
                  "sitesPerCore": round(n / core, 1) if core > 0 else None, "threads": threads, "rssMB": rss,
                  "connected": s.get("connected", 0), "audioPacketsPerSitePerSecond": round(per_site, 1),
                  "errors": s.get("errors", 0),
                  "coresByThread": {k: float(v) for k, v in sorted(by.items(), key=lambda kv: -float(kv[1]))}}))
PY
}

: > "$DIR/runs.jsonl"
# Janus first, then the MCU; one server process each, serving every size in turn.
janus -C "$DIR/janus/janus.jcfg" -F "$DIR/janus" > "$DIR/janus.log" 2>&1 &
JANUS=$!
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$JPORT/janus/info', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
for n in "${SIZES[@]}"; do
  "$BUILD/bench/janus-load" --url "http://127.0.0.1:$JPORT/janus" --sites "$n" --seconds "$SECONDS_RUN" \
    --ice-address "$ADDR" > "$DIR/janus-load-$n.log" 2>&1 &
  LG=$!
  m=$(measure "$JANUS")
  wait $LG
  cp "$DIR/janus-load-$n.log" "$OUT/janus_audio-janus-$n.log"
  record janus "$n" "$DIR/janus-load-$n.log" "$m" >> "$DIR/runs.jsonl"
  sleep 2  # Janus tears the handles down.
done
cp "$DIR/janus.log" "$OUT/janus_audio-janus.log"
kill "$JANUS"; wait "$JANUS" 2>/dev/null || true; JANUS=""

"$BUILD/mcu/mcu" --config "$DIR/mcu/mcu.toml" --data-dir "$DIR/mcu/data" --port 0 --ready-file "$DIR/mcu/ready.json" 2>"$DIR/mcu.log" &
MCU=$!
for _ in $(seq 100); do [[ -f $DIR/mcu/ready.json ]] && break; sleep 0.1; done
PORT=$(python3 -c "import json;print(json.load(open('$DIR/mcu/ready.json'))['port'])")
for n in "${SIZES[@]}"; do
  "$BUILD/bench/mcu-loadgen" --url "wss://127.0.0.1:$PORT/ws" --ca "$DIR/mcu/data/tls-cert.pem" \
    --conference bench --sites "$n" --seconds "$SECONDS_RUN" --no-video > "$DIR/mcu-load-$n.log" 2>&1 &
  LG=$!
  m=$(measure "$MCU")
  wait $LG
  cp "$DIR/mcu-load-$n.log" "$OUT/janus_audio-mcu-$n.log"
  record mcu "$n" "$DIR/mcu-load-$n.log" "$m" >> "$DIR/runs.jsonl"
  sleep 1  # The conference empties and drops its room.
done

python3 - "$DIR/runs.jsonl" "$OUT/janus_audio.json" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
by = {(r["system"], r["sites"]): r for r in runs}
rows, ok = [], True
print("sites  janus_cores  mcu_cores  janus_cpu/site  mcu_cpu/site  janus_sites/core  mcu_sites/core  ratio  rx/s/site(janus/mcu)")
for n in sorted({r["sites"] for r in runs}):
    j, m = by.get(("janus", n)), by.get(("mcu", n))
    if not j or not m: continue
    ratio = round(j["cpuCore"] / m["cpuCore"], 2) if m["cpuCore"] > 0 else None
    for r in (j, m):
        if r["connected"] != n or r["audioPacketsPerSitePerSecond"] < 45:
            ok = False
            print(f'  {r["system"]} at {n} sites: connected {r["connected"]}, '
                  f'{r["audioPacketsPerSitePerSecond"]} packets/s per site: not every site got its mix', file=sys.stderr)
    print(f'{n:5d}  {j["cpuCore"]:11.3f}  {m["cpuCore"]:9.3f}  {j["cpuPerSite"]:14.5f}  {m["cpuPerSite"]:12.5f}  '
          f'{j["sitesPerCore"]:16.1f}  {m["sitesPerCore"]:14.1f}  {ratio:5.2f}  '
          f'{j["audioPacketsPerSitePerSecond"]}/{m["audioPacketsPerSitePerSecond"]}')
    rows.append({"sites": n, "janus": j, "mcu": m, "ratioSitesPerCore": ratio})
json.dump(rows, open(sys.argv[2], "w"), indent=1)
print("wrote", sys.argv[2])
sys.exit(0 if ok else 1)
PY
