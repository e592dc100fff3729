#!/usr/bin/env bash
# MCU CPU per participant and per packet in the echo conference: see conference_cpu.sh.
#   bench/echo_cpu.sh [build-dir] [sites...]      e.g. bench/echo_cpu.sh build 4 16 25
exec "$(dirname "$0")/conference_cpu.sh" echo "$@"
