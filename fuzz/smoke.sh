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
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build -O >/dev/null
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '%-16s %10s %12s %8s\n' target "exec/s" runs corpus
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  seeds=()
  case "$t" in
    peer_*) seeds=("corpus/frame") ;;  # peers read whole frames
    *) [ -d "corpus/$t" ] && seeds=("corpus/$t") ;;
  esac
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  if ! cargo fuzz run -O "$t" "$scratch/$t" "${seeds[@]}" -- \
      -max_total_time="$secs" -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
    echo "fuzz smoke: target $t FAILED; its log:"
    tail -n 60 "$log"
    exit 1
  fi
  execs=$(awk '/stat::average_exec_per_sec:/ {print $2}' "$log")
  runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
  ncorp=$(find "$scratch/$t" -type f | wc -l)
  printf '%-16s %10s %12s %8s\n' "$t" "$execs" "$runs" "$ncorp"
  echo "$t $execs" >>"$scratch/rates"
done
# Ratios against the peer target of the same run, when it ran.
peer=$(awk '$1 == "peer_etherparse" {print $2}' "$scratch/rates")
if [ -n "$peer" ] && [ "$peer" -gt 0 ]; then
  echo
  echo "exec/s relative to peer_etherparse ($peer exec/s) in this run:"
  awk -v p="$peer" '$1 !~ /^peer_/ {printf "  %-14s %5.2fx\n", $1, $2 / p}' "$scratch/rates"
fi
