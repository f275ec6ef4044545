#!/usr/bin/env bash
# Keep an input the fuzzer found (a crash, a timeout, a leak) as a regression
# input that `cargo test` replays forever after:
#
#   bash fuzz/regress.sh <target> <crash-file>
#
# The file is copied to corpus/<target>/regress-<first 16 hex digits of its
# SHA-1> (the same input always gets the same name), then tests/corpus.rs,
# which replays every file of corpus/ through the target's body, is run:
# it fails until the bug is fixed. Commit the file with the fix.
# Set REGRESS_NO_TEST=1 to copy only.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: bash fuzz/regress.sh <target> <crash-file>" >&2
  exit 2
fi
target=$1
file=$(realpath "$2")
cd "$(dirname "$0")/.."
if [ ! -d "corpus/$target" ]; then
  echo "no corpus/$target/: is $target a fuzz target? (cargo fuzz list)" >&2
  exit 2
fi
hash=$(sha1sum "$file" | cut -c1-16)
dest="corpus/$target/regress-$hash"
cp "$file" "$dest"
echo "kept as $dest"
if [ "${REGRESS_NO_TEST:-0}" = 1 ]; then
  exit 0
fi
if cargo test -q -p synack --test corpus every_corpus_file_replays_through_its_target 2>&1 | tail -n 20; then
  echo "corpus replays clean: the bug is fixed; commit $dest with the fix"
else
  echo "the replay fails: fix the bug, then commit $dest with the fix" >&2
  exit 1
fi
