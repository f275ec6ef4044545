#!/bin/bash -eu
# Build every fuzz target of fuzz/ into $OUT, each with its seed corpus
# (corpus/<target>/ as <target>_seed_corpus.zip) and its dictionary
# (fuzz/dict/<target>.dict as <target>.dict), as ClusterFuzzLite and
# OSS-Fuzz expect. Runs in the repository's root (the image's WORKDIR).
#
# Outside the image (to check it): OUT=/tmp/out bash .clusterfuzzlite/build.sh
# On a stable toolchain, RUSTC_BOOTSTRAP=1 stands in for nightly.
mkdir -p "$OUT"
# The image's cargo picks the sanitizer and flags from $SANITIZER and
# $RUSTFLAGS; cargo-fuzz's default outside it is AddressSanitizer.
cargo fuzz build -O
# The structure-aware stateful targets again, without comparison tracing
# (see fuzz/README.md, "Stateful targets without comparison tracing"), in
# a target directory of their own.
for target in tcp_connection host pair; do
  cargo fuzz build -O --no-trace-compares --target-dir fuzz/target/stateful "$target"
done
for target in $(cargo fuzz list); do
  release=fuzz/target/x86_64-unknown-linux-gnu/release
  case "$target" in
    peer_*) continue ;; # yardsticks for exec/s, not tests of synack
    tcp_connection | host | pair) release=fuzz/target/stateful/x86_64-unknown-linux-gnu/release ;;
  esac
  cp "$release/$target" "$OUT/"
  if [ -d "corpus/$target" ]; then
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
  if [ -f "fuzz/dict/$target.dict" ]; then
    cp "fuzz/dict/$target.dict" "$OUT/$target.dict"
  fi
done
