#!/usr/bin/env bash
# What a cascade link adds to latency, per hop, for audio and video.
#
# Three MCUs on loopback, as in tests/integration/cascade_test.cpp: central <- province (the
# province dials the central MCU) <- district (the district dials the province). mcu-loadgen
# --latency sends bursts and flashes from a site of the central MCU and samples them at a site of
# the central MCU itself (0 hops), of the province (1 hop) and of the district (2 hops), on one
# clock (bench/latency_probe.h). So that the probe finds the flashing picture in a tile, the
# central conference shows only the source (single layout, spotlight), the province only its
# link to the central MCU and the district only its link to the province: each composite is then
# the source's picture, once more encoded.
# A fourth MCU, a province joined to the central MCU by a SIP trunk instead (it calls
# sip:toan-quoc@central over TLS with SDES-SRTP; H.264 and Opus or G.722 on the trunk), is
# sampled the same way: the SIP hop beside the WebRTC one, in the same run.
#
# Usage: bench/cascade_latency.sh [build-dir] [seconds per run]   (alone on the machine)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${2:-20}
. bench/lib.sh
work=$(mktemp -d /tmp/cascade-latency.XXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

hash_token() { echo "$1" | "$build/mcu/mcu" hash-token; }
ready() { python3 -c "import json,sys;print(json.load(open('$1/ready.json'))[sys.argv[1]])" "$2"; }
# rest DIR METHOD PATH JSON: as the bench admin, with a fresh session.
rest() {
  local dir=$1 method=$2 path=$3 body=$4 port csrf
  port=$(ready "$dir" port)
  csrf=$(curl -sf --cacert "$dir/data/tls-cert.pem" -c "$dir/cookies" -H 'Content-Type: application/json' \
    -d '{"login":"bench","password":"bench-password"}' "https://127.0.0.1:$port/api/v1/session" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["csrfToken"])')
  curl -sf --cacert "$dir/data/tls-cert.pem" -b "$dir/cookies" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $csrf" -X "$method" -d "$body" "https://127.0.0.1:$port/api/v1$path" >/dev/null
}
cascade_site() { printf '[[sites]]\nid = "%s"\nname = "%s"\nlevel = "other"\nkind = "cascade"\n%s\n' "$1" "$2" "$3"; }
dial() { printf 'link_url = "wss://127.0.0.1:%s/ws"\nlink_conference = "%s"\nlink_credential = "%s"\nlink_fingerprint = "%s"\n' \
  "$(ready "$1" port)" "$2" "$3" "$(ready "$1" tlsFingerprint)"; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
sip_site() { printf '[[sites]]\nid = "%s"\nname = "%s"\nlevel = "other"\nkind = "sip"\nsip_uri = "%s"\n%s\n' "$@"; }

mkdir -p "$work/c" "$work/p" "$work/d" "$work/s"
central_sip=$(free_port)
BENCH_EXTRA_TOML="$(cascade_site tinh-lien-ket "Tỉnh" "token_hash = \"$(hash_token cred-tinh)\"")
$(sip_site tinh-sip "Tỉnh (SIP)" "sip:mcu@127.0.0.1" "sip_dial = false")
[sip]
tls_port = $central_sip
[[conferences]]
id = \"toan-quoc\"
title = \"Toàn quốc\"
mode = \"mix\"
layout = \"single\"
invited = [\"tinh-lien-ket\", \"tinh-sip\", \"load-1\", \"load-2\"]" bench_start_mcu mix "$build" "$work/c"
pids+=("$MCU")
BENCH_EXTRA_TOML="$(cascade_site trung-uong "Trung ương" "$(dial "$work/c" toan-quoc cred-tinh)")
$(cascade_site huyen-lien-ket "Huyện" "token_hash = \"$(hash_token cred-huyen)\"")
[[conferences]]
id = \"cap-tinh\"
title = \"Tỉnh\"
mode = \"mix\"
layout = \"single\"
invited = [\"trung-uong\", \"huyen-lien-ket\", \"load-2\"]" bench_start_mcu mix "$build" "$work/p"
pids+=("$MCU")
BENCH_EXTRA_TOML="$(cascade_site tinh "Tỉnh" "$(dial "$work/p" cap-tinh cred-huyen)")
[[conferences]]
id = \"cap-huyen\"
title = \"Huyện\"
mode = \"mix\"
invited = [\"tinh\", \"load-2\"]" bench_start_mcu mix "$build" "$work/d"
pids+=("$MCU")
# The SIP province calls when its conference opens: a scheduled one, open from now.
BENCH_EXTRA_TOML="$(sip_site trung-uong-sip "Trung ương (SIP)" "sip:toan-quoc@127.0.0.1:$central_sip;transport=tls" "")
[sip]
tls_port = $(free_port)" bench_start_mcu mix "$build" "$work/s"
pids+=("$MCU")
now=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
rest "$work/s" POST /conferences "{\"id\":\"cap-tinh-sip\",\"title\":\"Tỉnh (SIP)\",\"start\":\"$(iso "$now")\",
  \"end\":\"$(iso $((now + 3600)))\",\"leadTimeMinutes\":0,\"invited\":[\"trung-uong-sip\",\"load-2\"]}"
rest "$work/s" PUT /conferences/cap-tinh-sip/layout '{"layout":"single"}'
rest "$work/s" PUT /conferences/cap-tinh-sip/spotlight '{"site":"trung-uong-sip"}'
rest "$work/c" PUT /conferences/toan-quoc/spotlight '{"site":"load-1"}'
rest "$work/p" PUT /conferences/cap-tinh/spotlight '{"site":"trung-uong"}'
# The district takes on its parent's single layout once its link joins: its link is spotlighted
# there too, so that the district's sampled site sees the province's picture.
rest "$work/d" PUT /conferences/cap-huyen/spotlight '{"site":"tinh"}'
sleep 4  # The links and the trunk dial, join and connect.

printf '| sampled at | hops | audio ms p50 / p95 | video ms p50 / p95 | events (audio, video) |\n|---|---|---|---|---|\n'
for run in "c toan-quoc 0 central" "p cap-tinh 1 province" "d cap-huyen 2 district" "s cap-tinh-sip 1(SIP) province-over-SIP"; do
  set -- $run
  summary=$("$build/bench/mcu-loadgen" --url "wss://127.0.0.1:$(ready "$work/c" port)/ws" --ca "$work/c/data/tls-cert.pem" \
    --conference toan-quoc --sites 2 --seconds "$seconds" --latency --sampled-url "wss://127.0.0.1:$(ready "$work/$1" port)/ws" \
    --sampled-ca "$work/$1/data/tls-cert.pem" --sampled-conference "$2" 2>"$work/loadgen-$1.log" | sed -n 's/^SUMMARY //p')
  python3 - "$summary" "$4" "$3" <<'PY'
import json, sys
s = json.loads(sys.argv[1])["latency"]
a, v = s["audioMs"], s["videoMs"]
f = lambda e: f'{e.get("p50", "–")} / {e.get("p95", "–")}'
print(f'| {sys.argv[2]} | {sys.argv[3]} | {f(a)} | {f(v)} | {a["count"]}, {v["count"]} |')
PY
done
