#!/usr/bin/env bash
# Checks horn_kernels.cu against horn-core without a GPU: RefGen.java writes inputs and the
# outputs of horn-core's own classes (activations, costs, optimizers); check.cpp runs the kernels
# under a host emulation of CUDA (cuda_emu.h: a host thread per CUDA thread, a barrier for
# __syncthreads) over several grid and block shapes and compares bit for bit (sgemm_tiled: against
# a double-precision product). Host libm stands in for CUDA's exp/log/tanh, so this checks the
# kernels' indexing, reductions and float expressions, not the device math library.
# Needs JDK 17, g++ with C++20 and horn-core built (mvn -pl horn-core install).
# Not part of the Maven build. Usage: src/main/cuda/emu/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
guava=$(ls "$HOME"/.m2/repository/com/google/guava/guava/20.0/guava-20.0.jar)
cp="$root/horn-core/target/classes:$guava"
javac -d "$work" -cp "$cp" "$here/RefGen.java"
java -cp "$cp:$work" RefGen "$work/data"
g++ -std=c++20 -O1 -ffp-contract=off -Wno-unknown-pragmas -pthread -I"$here" -o "$work/check" \
  "$here/check.cpp"
rc=0
out=$("$work/check" "$work/data") || rc=$?
grep -Ev ' ok +\(' <<<"$out" || true
exit "$rc"
