#!/usr/bin/env bash
# Installs everything the MCU needs to build, run and test, from Debian 12 packages only.
# Idempotent: packages already present are left as they are.
#   scripts/install-deps.sh          build + run (Node.js and npm install the console's chart
#                                    library, uPlot, from the npm registry)
#   scripts/install-deps.sh --test   also what the test suite needs (Chromium, tshark, iproute2,
#                                    iptables and libnetfilter-queue for network impairment,
#                                    clang-format and clang-tidy for the source checks, baresip
#                                    and SIPp as SIP room systems, ffmpeg as a portal's RTMP
#                                    server, clang with libFuzzer's runtime and llvm-symbolizer
#                                    for scripts/fuzz.sh, and promtool, from Debian's
#                                    prometheus package, for the shipped alert rules)
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libssl-dev tzdata libnice-dev libsrtp2-dev libopus-dev libvpx-dev
  libx11-dev libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-nice gstreamer1.0-tools gstreamer1.0-libav gstreamer1.0-plugins-ugly gstreamer1.0-x fonts-dejavu-core
  gstreamer1.0-alsa gstreamer1.0-gl gstreamer1.0-pulseaudio
  libboost-dev libboost-system-dev
  nlohmann-json3-dev libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  prometheus-cpp-dev libargon2-dev
  libsofia-sip-ua-dev libspandsp-dev libspeexdsp-dev
  libgtest-dev libgmock-dev
)
test_pkgs=(baresip-core baresip-ffmpeg sip-tester ffmpeg chromium xvfb xdotool pulseaudio pulseaudio-utils tshark iproute2 sox procps iptables libnetfilter-queue-dev clang-format clang-tidy clang libclang-rt-14-dev llvm-14 prometheus)

want=("${build_pkgs[@]}")
# Node.js may come from Debian (then npm is a separate package) or already be present with npm.
command -v node >/dev/null || want+=(nodejs)
command -v npm >/dev/null || want+=(npm)
[[ "${1:-}" == "--test" ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
