#!/usr/bin/env bash
# The libFuzzer targets of fuzz/ (the parsers of outside input) in build-fuzz/: clang with
# -fsanitize=fuzzer,address,undefined, built alone (-DMCU_FUZZ=ON: no GStreamer, no libnice).
# Runs each target FUZZ_SECONDS (default 30) on a fresh copy of its seeds, fuzz/corpus/<target>/
# (the grown corpus stays in build-fuzz/corpus/<target>/), with fuzz/<target>.dict if there is
# one, FUZZ_JOBS targets at once (default: one per core), and prints a line per target. A crash,
# leak, undefined behaviour, timeout or memory blow-up fails it: the input is saved in
# test-output/fuzz/ with the log, and the script exits non-zero after the other targets have run.
# Reproduce one with `build-fuzz/fuzz/<target> <input>`. Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
# Target and the longest input worth trying (-max_len).
targets=(
  fuzz_sip_sdp:16384
  fuzz_sdes:1024
  fuzz_sip_uri:1024
  fuzz_sip_info:4096
  fuzz_rtp:1500
  fuzz_video_frames:8192
  fuzz_protocol:8192
  fuzz_rest:4096
  fuzz_config:16384
)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMCU_FUZZ=ON >/dev/null
cmake --build build-fuzz
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Symbolized stacks: Debian's llvm-14 has the symbolizer, not always on PATH.
if ! command -v llvm-symbolizer >/dev/null && [[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
out=test-output/fuzz
mkdir -p "$out"
# One target: its line on stdout, or on failure its findings on stderr and a file in $out.
run_target() {
  local target=${1%%:*} max_len=${1##*:}
  local corpus=build-fuzz/corpus/$target log=build-fuzz/$target.log
  # cp follows the corpus's symbolic links (fuzz_config's seeds include configs/*.toml as they are).
  rm -rf "$corpus" && mkdir -p "$corpus" && cp fuzz/corpus/"$target"/* "$corpus"/
  local dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  local start rc=0 elapsed_ms runs input
  start=$(date +%s%N)
  build-fuzz/fuzz/"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$out/$target-" "${dict[@]}" \
    "$corpus" >"$log" 2>&1 || rc=$?
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if ((rc == 0)) && [[ -n "$runs" ]]; then
    printf 'fuzz %s: %s executions in %d.%d s, %s inputs, OK\n' "$target" "$runs" \
      $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100)) "$(find "$corpus" -type f | wc -l)"
    return 0
  fi
  cp "$log" "$out/$target.log"
  grep -E "ERROR: |SUMMARY: |runtime error: " "$log" | head -5 >&2 || true
  input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
  echo "fuzz $target: FAILED (exit $rc); input: ${input:-none saved}; log: $out/$target.log" >&2
  return 1
}

# Each target is one process on one core: as many run at once as there are cores (FUZZ_JOBS).
jobs=${FUZZ_JOBS:-$(nproc)}
failed=$out/failed
rm -f "$failed"
for entry in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  { run_target "$entry" || echo "${entry%%:*}" >>"$failed"; } &
done
wait
status=0
[[ -s $failed ]] && status=1
exit $status
