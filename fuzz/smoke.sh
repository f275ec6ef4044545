#!/usr/bin/env bash
# Build every fuzz target and run each for a short time, printing its exec/s.
#
#   bash fuzz/smoke.sh [SECONDS] [TARGET...]
#
# New inputs go to a scratch directory; corpus/<target>/ is read, never written.
# Runs on stable through RUSTC_BOOTSTRAP=1 when no nightly toolchain is present.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
shift || true
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz smoke: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
# libFuzzer itself without AddressSanitizer: the `cc` crate adds
# -fsanitize=address to C++ it builds when Cargo's sanitizer cfg says so,
# which instruments libFuzzer's own per-input loop (feature collection runs
# once per coverage counter hit, thousands of times an input). The Rust code
# under test keeps ASan; only the engine loses it, as in LLVM's own
# libFuzzer build. (Same flags for `cargo fuzz build` and `run` by hand, or
# libfuzzer-sys is rebuilt.)
export CXXFLAGS="${CXXFLAGS:+$CXXFLAGS }-fno-sanitize=address"
# No fake stacks for use-after-return: it allocates a frame on the heap for
# every call of a function with a stack array (+27% runs per CPU second on
# tcp_connection). Safe Rust cannot return a reference into a dead frame,
# and synack's `unsafe` is syscalls only; heap checks stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_stack_use_after_return=0}"
# The structure-aware targets: see the build of them below.
is_stateful() {
  case "$1" in
    tcp_connection | host | pair) return 0 ;;
    *) return 1 ;;
  esac
}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build -O >/dev/null
# The stateful targets without comparison tracing, in a target directory of
# their own (so neither build invalidates the other): their inputs decode
# into ops whatever the bytes, so there are few magic values for the
# comparison hooks to solve, and the hooks were a quarter of their time. In
# equal time the build without them reached at least the edges of the build
# with them (fuzz/README.md, "Stateful targets without comparison tracing").
stateful_dir=fuzz/target/stateful
for t in "${targets[@]}"; do
  if is_stateful "$t"; then
    cargo fuzz build -O --no-trace-compares --target-dir "$stateful_dir" "$t" >/dev/null
  fi
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '%-16s %10s %12s %8s %12s\n' target "exec/s" runs corpus "runs/cpu-s"
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  release=fuzz/target/x86_64-unknown-linux-gnu/release
  if is_stateful "$t"; then
    release=$stateful_dir/x86_64-unknown-linux-gnu/release
  fi
  log="$scratch/$t.log"
  seeds=()
  case "$t" in
    peer_*) seeds=("corpus/frame") ;;  # peers read whole frames
    *) [ -d "corpus/$t" ] && seeds=("corpus/$t") ;;
  esac
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  # The binary `cargo fuzz run -O` runs, run directly so that its CPU time
  # can be read: on a shared machine runs per CPU second is the steadier
  # figure (exec/s is wall-clock).
  cpu="$scratch/$t.cpu"
  if ! (
    TIMEFORMAT='%U %S'
    { time "$release/$t" "$scratch/$t" "${seeds[@]}" \
        -max_total_time="$secs" -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; } 2>"$cpu"
  ); then
    echo "fuzz smoke: target $t FAILED; its log:"
    tail -n 60 "$log"
    exit 1
  fi
  execs=$(awk '/stat::average_exec_per_sec:/ {print $2}' "$log")
  runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
  ncorp=$(find "$scratch/$t" -type f | wc -l)
  per_cpu=$(awk -v r="$runs" '{ printf "%.0f", r / ($1 + $2) }' "$cpu")
  printf '%-16s %10s %12s %8s %12s\n' "$t" "$execs" "$runs" "$ncorp" "$per_cpu"
  echo "$t $execs" >>"$scratch/rates"
done
# Ratios against the peer target of the same run, when it ran.
peer=$(awk '$1 == "peer_etherparse" {print $2}' "$scratch/rates")
if [ -n "$peer" ] && [ "$peer" -gt 0 ]; then
  echo
  echo "exec/s relative to peer_etherparse ($peer exec/s) in this run:"
  awk -v p="$peer" '$1 !~ /^peer_/ {printf "  %-14s %5.2fx\n", $1, $2 / p}' "$scratch/rates"
fi
