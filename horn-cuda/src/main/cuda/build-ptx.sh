#!/usr/bin/env bash
# Compiles horn_kernels.cu to PTX when a CUDA toolkit (nvcc) is present; Maven runs it from
# horn-cuda/pom.xml in the process-resources phase:
#
#   build-ptx.sh SOURCE.cu OUTPUT.ptx
#
# Why PTX at build time rather than NVRTC at run time: users need no CUDA toolkit and no runtime
# compiler library (libnvrtc, which JCuda 12 would load from the toolkit) — only the driver, which
# JIT-compiles PTX for whatever GPU it finds (newer architectures included) and caches the result.
# The kernels are checked here once, by ptxas, for real architectures, so a kernel that does not
# compile fails the build instead of a user's first training step.
#
# Without nvcc, a PTX already at OUTPUT (built elsewhere and carried over, as on a GPU machine
# that has a driver but no toolkit) is kept; with none there, horn-cuda ships without PTX and the
# GPU backend reports itself unavailable. The PTX records the SHA-256 of the source it was built
# from (a "// horn-kernels-source-sha256:" line); KernelsPtxTest fails when it does not match
# the source, and when nvcc is present but the PTX is missing.
#
# nvcc is looked up as: $HORN_NVCC, PATH, $CUDA_HOME/bin, $CUDA_PATH/bin, /usr/local/cuda/bin,
# /usr/local/bin (io.horn.cuda.KernelsPtxTest looks in the same places). HORN_NVCC=none builds as
# if there were no nvcc.
set -euo pipefail

src=$1
out=$2

find_nvcc() {
  local d
  case ${HORN_NVCC:-} in
    none) return 1 ;;
    '') ;;
    *) [ -x "$HORN_NVCC" ] && { echo "$HORN_NVCC"; return 0; }
       echo "[horn-cuda] ERROR: HORN_NVCC=$HORN_NVCC is not an executable" >&2; exit 1 ;;
  esac
  if command -v nvcc >/dev/null 2>&1; then
    command -v nvcc
    return 0
  fi
  for d in "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda /usr/local; do
    if [ -n "$d" ] && [ -x "$d/bin/nvcc" ]; then
      echo "$d/bin/nvcc"
      return 0
    fi
  done
  return 1
}

src_sha=$(sha256sum "$src" | cut -d' ' -f1)

if ! nvcc=$(find_nvcc); then
  if [ -f "$out" ]; then
    if grep -qx "// horn-kernels-source-sha256: $src_sha" "$out"; then
      echo "[horn-cuda] nvcc not found: keeping the PTX at $out (built elsewhere from this source)"
    else
      echo "[horn-cuda] WARNING: nvcc not found; keeping the PTX at $out, but it was built from" \
        "another version of $(basename "$src") (KernelsPtxTest will fail)"
    fi
  else
    echo "[horn-cuda] nvcc not found: horn-cuda ships without PTX (the GPU backend will be unavailable)"
  fi
  exit 0
fi

if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ] \
    && grep -qx "// horn-kernels-source-sha256: $src_sha" "$out"; then
  echo "[horn-cuda] $out is up to date"
  exit 0
fi

ptxas="$(dirname "$nvcc")/ptxas"
if [ ! -x "$ptxas" ]; then
  ptxas=$(command -v ptxas) || { echo "[horn-cuda] ERROR: nvcc at $nvcc but no ptxas" >&2; exit 1; }
fi

# The oldest virtual architecture this nvcc offers (compute_75 for CUDA 13, compute_50 for CUDA 12):
# the driver JIT-compiles it for every newer GPU.
arch=$("$nvcc" --list-gpu-arch 2>/dev/null | grep -E '^compute_[0-9]+$' | sort -t_ -k2 -n | head -1 || true)
arch=${arch:-compute_75}

# Real architectures ptxas checks the PTX against, among those this toolkit knows: the oldest one
# (the PTX target itself), Ampere, Hopper, Blackwell.
min_sm=sm_${arch#compute_}
known=$("$nvcc" --list-gpu-code 2>/dev/null || true)
targets=$min_sm
for sm in sm_80 sm_90 sm_100 sm_120; do
  if [ "$sm" != "$min_sm" ] && grep -qx "$sm" <<<"$known"; then
    targets="$targets $sm"
  fi
done

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp" "$tmp.lowered"' EXIT

echo "[horn-cuda] $("$nvcc" --version | tail -1)"
echo "[horn-cuda] nvcc -ptx -arch=$arch $src"
# IEEE float semantics as in Java: no FMA contraction (-fmad=false), no flush of denormals,
# IEEE division and square root. (sgemm_tiled calls fmaf explicitly.)
# (-Wno-deprecated-gpu-targets: CUDA 12 warns about its oldest architectures.)
"$nvcc" -ptx -arch="$arch" -fmad=false -ftz=false -prec-div=true -prec-sqrt=true \
  -Wno-deprecated-gpu-targets -o "$tmp" "$src"

# nvcc writes the PTX ISA version of its own release (9.0 for CUDA 13), which drivers older than
# that release refuse to load. The kernels use nothing newer than PTX ISA 8.0 (CUDA 12.0, the
# release JCuda 12.0.0 is built for), so declare that when ptxas accepts it: CUDA 12.x drivers can
# then load the PTX too. ptxas checks every instruction against the declared version.
isa=$(sed -n 's/^\.version \([0-9]*\.[0-9]*\)$/\1/p' "$tmp" | head -1)
floor=8.0
if [ -n "$isa" ] && [ "$(printf '%s\n%s\n' "$isa" "$floor" | sort -V | head -1)" = "$floor" ] \
    && [ "$isa" != "$floor" ]; then
  sed "s/^\.version $isa\$/.version $floor/" "$tmp" >"$tmp.lowered"
  if "$ptxas" -arch="$min_sm" -o /dev/null "$tmp.lowered" 2>/dev/null; then
    mv "$tmp.lowered" "$tmp"
    echo "[horn-cuda] PTX ISA $isa declared as $floor (loads on CUDA 12.0+ drivers)"
  else
    echo "[horn-cuda] WARNING: ptxas rejects the PTX as ISA $floor, keeping ISA $isa: drivers" \
      "older than the CUDA release of PTX ISA $isa cannot load it"
  fi
fi

for sm in $targets; do
  if ! "$ptxas" -arch="$sm" -Werror -o /dev/null "$tmp"; then
    echo "[horn-cuda] ERROR: ptxas rejected the PTX for $sm" >&2
    exit 1
  fi
done
entries=$(grep -c '^\.visible \.entry ' "$tmp" || true)
# Which source this PTX is: checked by KernelsPtxTest, kept by a build without nvcc.
echo "// horn-kernels-source-sha256: $src_sha" >>"$tmp"
echo "[horn-cuda] ptxas checked $entries kernels for: $targets"

mv "$tmp" "$out"
echo "[horn-cuda] wrote $out"
