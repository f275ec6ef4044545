#!/usr/bin/env bash
# Per-target coverage report from a corpus, through `cargo fuzz coverage`
# and llvm-cov:
#
#   bash fuzz/coverage.sh <target> [CORPUS_DIR...]     (default: corpus/<target>)
#
# Writes fuzz/coverage/<target>/report.txt (per file, the stack crate's),
# fuzz/coverage/<target>/html/index.html (annotated sources), and prints the
# line coverage of stack/src and of each of its directories.
#
# llvm-cov must match rustc's LLVM: it is taken from the toolchain's
# llvm-tools component (`rustup component add llvm-tools-preview`, tried
# here when missing), else an `llvm-cov-<major>` on the PATH of the same
# major version (Debian's llvm-<major> package).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bash fuzz/coverage.sh <target> [CORPUS_DIR...]" >&2
  exit 2
fi
target=$1
shift
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
corpus=("$@")
[ ${#corpus[@]} -eq 0 ] && corpus=("corpus/$target")

host=$(rustc -vV | awk '/^host:/ {print $2}')
major=$(rustc -vV | awk '/^LLVM version:/ {split($3, v, "."); print v[1]}')
tools="$(rustc --print sysroot)/lib/rustlib/$host/bin"
if [ ! -x "$tools/llvm-cov" ]; then
  rustup component add llvm-tools-preview >/dev/null 2>&1 || true
fi
if [ -x "$tools/llvm-cov" ]; then
  llvm_cov="$tools/llvm-cov"
elif command -v "llvm-cov-$major" >/dev/null 2>&1; then
  llvm_cov="llvm-cov-$major"
else
  echo "no llvm-cov for LLVM $major: rustup component add llvm-tools-preview," >&2
  echo "or apt-get install llvm-$major" >&2
  exit 1
fi

# Runs every input of the corpus through an instrumented build of the
# target and merges the profiles into fuzz/coverage/<target>/coverage.profdata
# (COVERAGE_REPORT_ONLY=1 reuses the last one, to redo only the reports).
out="fuzz/coverage/$target"
mkdir -p fuzz/coverage
if [ "${COVERAGE_REPORT_ONLY:-0}" != 1 ]; then
  cargo fuzz coverage "$target" "${corpus[@]}" >/dev/null 2>"$out.log" || {
    tail -n 30 "$out.log" >&2
    exit 1
  }
  rm -f "$out.log"
fi
# cargo-fuzz builds it under the project's target directory.
exe=""
for dir in target fuzz/target; do
  candidate="$dir/$host/coverage/$host/release/$target"
  [ -x "$candidate" ] && exe=$candidate && break
done
if [ -z "$exe" ]; then
  echo "cannot find the coverage build of $target" >&2
  exit 1
fi
profile=(-instr-profile="$out/coverage.profdata")
ignore=(-ignore-filename-regex='/(\.cargo|rustc|library)/')
stack="$PWD/stack/src"
"$llvm_cov" report "$exe" "${profile[@]}" "${ignore[@]}" "$stack" >"$out/report.txt"
"$llvm_cov" show "$exe" "${profile[@]}" "${ignore[@]}" -format=html \
  -output-dir="$out/html" "$stack" "$PWD/src" >/dev/null

# The TOTAL line of a report: lines are columns 8 to 10.
lines() {
  "$llvm_cov" report "$exe" "${profile[@]}" "${ignore[@]}" "$@" |
    awk '$1 == "TOTAL" {printf "%s (%d of %d lines)", $10, $8 - $9, $8}'
}
ninputs=$(find "${corpus[@]}" -type f | wc -l)
echo "coverage of $target from $ninputs inputs (report: $out/report.txt, $out/html/index.html)"
printf '  %-22s %s\n' "stack/src" "$(lines "$stack")"
for dir in "$stack"/*/; do
  name=${dir#"$PWD/"}
  if "$llvm_cov" report "$exe" "${profile[@]}" "${ignore[@]}" "$dir" 2>/dev/null | grep -q '^TOTAL'; then
    printf '  %-22s %s\n' "${name%/}" "$(lines "$dir")"
  fi
done
