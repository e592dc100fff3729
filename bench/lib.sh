# Shared by the conference benchmarks; sourced, not run. Callers set -euo pipefail themselves.

# bench_start_mcu MODE BUILD DIR: writes DIR/mcu.toml (64 sites load-1..load-64, token
# "load-token-<i>", one conference "bench" of MODE echo|mix, and the console user "bench" with
# password "bench-password", an admin, for the REST API), starts mcu in the background
# (stderr to DIR/mcu.log, data in DIR/data) and waits for its ready file. Sets MCU (its pid) and
# PORT (its HTTPS/WSS port). The caller's EXIT trap should kill $MCU. BENCH_MCU_PREFIX, if set, is
# a command line the mcu runs under (e.g. valgrind); BENCH_READY_SECONDS (default 10) how long to
# wait for it. BENCH_EXTRA_TOML, if set, is appended to the configuration. BENCH_CASCADE_SITES,
# if set, lists site numbers (e.g. "15 16") made of kind cascade: a load generator's site with one
# of their tokens is a cascade link as another MCU's would be (it receives a composite of its own).
bench_start_mcu() {
  local mode=$1 build=$2 dir=$3
  {
    printf '[server]\nlisten = "127.0.0.1"\n[limits]\nmax_participants = 64\nmax_connections_per_address = 0\n[media]\nice_addresses = ["127.0.0.1"]\n[log]\nlevel = "warn"\n'
    for i in $(seq 1 64); do
      printf '[[sites]]\nid = "load-%d"\nname = "Load %d"\nlevel = "other"\ntoken_hash = "%s"\n' \
        "$i" "$i" "$(echo "load-token-$i" | "$build/mcu/mcu" hash-token)"
      [[ " ${BENCH_CASCADE_SITES:-} " == *" $i "* ]] && printf 'kind = "cascade"\n'
    done
    printf '[[conferences]]\nid = "bench"\ntitle = "Bench"\nmode = "%s"\n' "$mode"
    printf '[[users]]\nlogin = "bench"\nname = "Bench"\nrole = "admin"\npassword_hash = "%s"\n' \
      "$(echo "bench-password" | "$build/mcu/mcu" hash-password)"
    printf '%s\n' "${BENCH_EXTRA_TOML:-}"
  } > "$dir/mcu.toml"
  ${BENCH_MCU_PREFIX:-} "$build/mcu/mcu" --config "$dir/mcu.toml" --data-dir "$dir/data" --port 0 --ready-file "$dir/ready.json" 2>"$dir/mcu.log" &
  MCU=$!
  for _ in $(seq $((${BENCH_READY_SECONDS:-10} * 10))); do [[ -f $dir/ready.json ]] && break; sleep 0.1; done
  PORT=$(python3 -c "import json;print(json.load(open('$dir/ready.json'))['port'])")
}

# bench_loadgen BUILD DIR SITES SECONDS [mcu-loadgen flags...] &: mcu-loadgen against the mcu
# that bench_start_mcu started, in conference "bench". Always run it in the background: it execs
# the load generator in place of its subshell, so that `$!` is the load generator itself and a
# script's `kill $!` (its trap) stops it rather than leaving it behind.
bench_loadgen() {
  local build=$1 dir=$2 sites=$3 seconds=$4; shift 4
  exec "$build/bench/mcu-loadgen" --url "wss://127.0.0.1:$PORT/ws" --ca "$dir/data/tls-cert.pem" \
    --conference bench --sites "$sites" --seconds "$seconds" "$@"
}
