#!/usr/bin/env bash
# MCU CPU, composite frame rate and time to first composite frame in a mixing conference: see
# conference_cpu.sh.
#   bench/mix_cpu.sh [build-dir] [sites...]      e.g. bench/mix_cpu.sh build 4 9 16 25
exec "$(dirname "$0")/conference_cpu.sh" mix "$@"
