#!/usr/bin/env bash
# The GPU checks of horn-cuda, as an offline bundle; see docs/gpu.md ("Running the GPU checks").
#
# On a build machine (JDK 17, Maven, nvcc, MNIST in .cache/mnist):
#   horn-cuda/run-gpu-checks.sh --prepare DIR     build horn-core and horn-cuda and write a
#                                                 self-contained bundle to DIR: jars (JCuda's
#                                                 natives included), test classes, the PTX,
#                                                 MNIST, a Java runtime made with jlink, and
#                                                 this script
#   horn-cuda/run-gpu-checks.sh                   the same into horn-cuda/target/gpu-checks, then
#                                                 run it here
# On the GPU machine (no network, Maven, JDK or Java needed):
#   DIR/run-gpu-checks.sh                         run every check, in order
#
# Checks, in order: environment report (nvidia-smi, libcuda / libcublas versions, the bundled
# Java), probe, JIT load of every kernel, one step's gradients CPU vs GPU per weight block (both
# sgemm paths), the gpu-tagged equivalence tests, one epoch of MNIST, the benchmark (batch 128
# and 1024 against the CPU). The probe gates the rest: without a usable GPU nothing else runs.
#
# Exit status: 0 every GPU check ran and passed; 1 a check failed (or the bundle is broken);
# 2 usage or preparation error; 3 a check could not run, last line "NOT RUN: <reason>" (no
# usable GPU, or no cuBLAS for the cuBLAS path). Never 0 without a GPU.
#
# Options of --prepare:
#   --no-build         use what is built (needs --classpath): for tests
#   --classpath CP     the jars and class directories to bundle, in order (default: Maven's test
#                      classpath of horn-cuda after the build)
#   --mnist DIR        MNIST's idx files, plain or .gz (default: $HORN_MNIST_DIR, .cache/mnist)
#   --jre-cache DIR    reuse a jlink'd runtime kept there (made there when missing or stale)
# Environment:
#   HORN_MVN_OPTS      options for the Maven build of --prepare (default: -o, offline)
#   GPU_JRE_MODULES    modules of the bundled runtime (default: JRE_MODULES below)
#   GPU_CHECKS_OUT     where the run writes its logs (default: DIR/results, or a temporary
#                      directory when DIR is read-only)
#   GPU_CHECK_TIMEOUT  seconds each check may take (default 900)
set -uo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
# What jdeps finds the bundled classes need (java.sql through JUnit, java.xml for horn-core's
# configuration), and jdk.zipfs, with which JUnit finds the test classes in their jar.
JRE_MODULES=java.base,java.logging,java.sql,java.xml,jdk.unsupported,jdk.incubator.vector,jdk.incubator.foreign,jdk.zipfs
MNIST_FILES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

say() { echo "run-gpu-checks: $*"; }
die() { say "$2" >&2; exit "$1"; }
section() { printf '\n==== %s ====\n' "$*"; }

# ====================================================================================== prepare
# Jars are copied, class directories too (named after their module: .../horn-core/target/classes
# -> lib/horn-core-classes); prints the entry as the bundle's classpath lists it.
bundle_entry() {
  local entry=$1 lib=$2 name
  if [ -d "$entry" ]; then
    name="$(basename "$(dirname "$(dirname "$entry")")")-$(basename "$entry")"
    cp -r "$entry" "$lib/$name" || return 1
  elif [ -f "$entry" ] && [[ $(basename "$entry") == jcuda-natives-* ]]; then
    # Only the driver and runtime bindings: horn-cuda does not use the PTX compiler or NVRTC
    # bindings, 24 of the jar's 26 MB.
    name=$(basename "$entry")
    cp "$entry" "$lib/$name" || return 1
    if command -v zip >/dev/null 2>&1; then
      zip -q -d "$lib/$name" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' || return 1
    else
      local tmp
      tmp=$(mktemp -d)
      (cd "$tmp" && jar --extract --file "$entry" && rm -f lib/libJNvPTXCompiler-* lib/libJNvrtc-* \
        && jar --create --file "$lib/$name" --manifest META-INF/MANIFEST.MF -C "$tmp" lib) || return 1
      rm -rf "$tmp"
    fi
  elif [ -f "$entry" ]; then
    name=$(basename "$entry")
    cp "$entry" "$lib/$name" || return 1
  else
    return 0 # Maven lists output directories that a module may not have
  fi
  echo "lib/$name"
}

make_jre() {
  local dest=$1 cache=$2 modules=${GPU_JRE_MODULES:-$JRE_MODULES} jlink stamp
  jlink=$(command -v jlink || true)
  [ -z "$jlink" ] && [ -n "${JAVA_HOME:-}" ] && jlink="$JAVA_HOME/bin/jlink"
  [ -x "$jlink" ] || die 2 "jlink not found: --prepare needs a JDK 17 (set JAVA_HOME)"
  stamp="$("$jlink" --version) $modules"
  if [ -n "$cache" ] && [ -x "$cache/bin/java" ] && [ "$(cat "$cache/.horn-stamp" 2>/dev/null)" = "$stamp" ]; then
    say "Java runtime from the cache $cache"
  else
    local target=${cache:-$dest}
    rm -rf "$target"
    mkdir -p "$(dirname "$target")"
    "$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
      --compress=2 --output "$target" 2>&1 | grep -v 'incubator modules' \
      ; [ -x "$target/bin/java" ] || die 2 "jlink failed"
    # Debian's libjvm.so keeps its symbol table (4 of its 24 MB); the bundle does not need it.
    if command -v strip >/dev/null 2>&1; then
      strip --strip-unneeded "$target/lib/server/libjvm.so" 2>/dev/null || true
    fi
    "$target/bin/java" -version >/dev/null 2>&1 || die 2 "the runtime made by jlink does not start"
    echo "$stamp" >"$target/.horn-stamp"
  fi
  if [ -n "$cache" ]; then
    # Hard links where the cache shares the file system (nothing in the runtime is written to).
    cp -al "$cache" "$dest" 2>/dev/null || { rm -rf "$dest"; cp -a "$cache" "$dest"; } \
      || die 2 "cannot copy the runtime from $cache"
  fi
}

prepare() {
  local out="" build=1 cp="" mnist="${HORN_MNIST_DIR:-}" cache=""
  while [ $# -gt 0 ]; do
    case $1 in
      --no-build) build=0 ;;
      --classpath) cp=${2:?--classpath needs a value}; shift ;;
      --mnist) mnist=${2:?--mnist needs a directory}; shift ;;
      --jre-cache) cache=${2:?--jre-cache needs a directory}; shift ;;
      -*) die 2 "unknown option '$1' of --prepare" ;;
      *) [ -z "$out" ] || die 2 "--prepare takes one directory, got '$out' and '$1'"; out=$1 ;;
    esac
    shift
  done
  [ -n "$out" ] || die 2 "--prepare needs a directory: --prepare DIR"
  local root
  root=$(cd "$HERE/.." && pwd -P)
  [ -f "$root/horn-cuda/pom.xml" ] || die 2 "--prepare runs from the source tree (no $root/horn-cuda/pom.xml)"
  [ -n "$mnist" ] || mnist="$root/.cache/mnist"
  command -v jar >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/jar" ] \
    || die 2 "the jar tool is missing: --prepare needs a JDK 17"
  command -v jar >/dev/null 2>&1 || PATH="$JAVA_HOME/bin:$PATH"

  if [ "$build" = 1 ]; then
    section "build: horn-core, horn-cuda (nvcc makes the kernels' PTX)"
    (cd "$root" && mvn -B -ntp ${HORN_MVN_OPTS--o} -q -pl horn-cuda -am -DskipTests package \
      dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/gpu-bundle.classpath) \
      || die 2 "the build failed"
    local jarfile
    jarfile=$(find "$root/horn-cuda/target" -maxdepth 1 -name 'horn-cuda-*.jar' ! -name '*-sources.jar' \
      ! -name '*-tests.jar' | head -1)
    [ -n "$jarfile" ] || die 2 "no horn-cuda jar after the build"
    cp="$jarfile:$root/horn-cuda/target/test-classes:$(cat "$root/horn-cuda/target/gpu-bundle.classpath")"
  fi
  [ -n "$cp" ] || die 2 "--no-build needs --classpath"

  rm -rf "$out"
  mkdir -p "$out/lib" "$out/ptx" "$out/mnist" || die 2 "cannot create $out"
  out=$(cd "$out" && pwd -P)
  section "jars and classes"
  local entry entries=() e
  IFS=: read -r -a entries <<<"$cp"
  : >"$out/classpath"
  for entry in "${entries[@]}"; do
    case $(basename "$entry") in
      surefire*|maven-*|plexus-*) continue ;; # the test runner's own, not the checks'
    esac
    e=$(bundle_entry "$entry" "$out/lib") || die 2 "cannot bundle $entry"
    [ -n "$e" ] && ! grep -qx "$e" "$out/classpath" && echo "$e" >>"$out/classpath"
  done
  for need in horn-core horn-cuda jcuda-natives jcublas-natives junit-platform-launcher; do
    grep -q "$need" "$out/classpath" || die 2 "the classpath has no $need jar: $cp"
  done
  grep -q "test-classes" "$out/classpath" || die 2 "the classpath has no test classes of horn-cuda"
  wc -l <"$out/classpath" | xargs printf '%s entries\n'

  section "PTX"
  # The PTX the jars carry, also on its own: for a look with ptxas or cuobjdump on the GPU machine.
  local ptx="$root/horn-cuda/target/classes/io/horn/cuda/horn_kernels.ptx"
  [ -f "$ptx" ] || die 2 "no PTX built ($ptx): build on a machine with nvcc"
  cp "$ptx" "$out/ptx/horn_kernels.ptx" || die 2 "cannot copy $ptx"
  grep -c '^\.visible \.entry ' "$out/ptx/horn_kernels.ptx" | xargs printf '%s kernels\n'

  section "MNIST from $mnist"
  local f
  for f in $MNIST_FILES; do
    if [ -f "$mnist/$f.gz" ]; then
      cp "$mnist/$f.gz" "$out/mnist/" || die 2 "cannot copy $mnist/$f.gz"
    elif [ -f "$mnist/$f" ]; then
      gzip -1 -c "$mnist/$f" >"$out/mnist/$f.gz" || die 2 "cannot compress $mnist/$f"
    else
      die 2 "MNIST file $f(.gz) not found in $mnist (use --mnist DIR or HORN_MNIST_DIR)"
    fi
  done

  section "Java runtime (jlink: ${GPU_JRE_MODULES:-$JRE_MODULES})"
  make_jre "$out/jre" "$cache"
  "$out/jre/bin/java" -version 2>&1 | head -1

  cp "${BASH_SOURCE[0]}" "$out/run-gpu-checks.sh" && chmod +x "$out/run-gpu-checks.sh"
  {
    echo "horn GPU check bundle"
    echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
    echo "source: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
    echo "ptx sha256: $(sha256sum "$out/ptx/horn_kernels.ptx" | cut -d' ' -f1)"
    echo "java: $("$out/jre/bin/java" -version 2>&1 | head -1)"
  } >"$out/BUNDLE"
  section "prepared"
  du -sh "$out" | cut -f1 | xargs printf 'bundle %s: '
  echo "$out"
  echo "Copy it to the GPU machine and run $(basename "$out")/run-gpu-checks.sh there."
}

# ========================================================================================== run
STATUS=()
NOT_RUN=()

# step NAME COMMAND...: runs one check, logs it, records PASS (0), NOT RUN (3) or FAIL.
step() {
  local name=$1 rc log
  shift
  log="$LOGS/$(printf '%02d' $((${#STATUS[@]} + 1)))-$name.log"
  section "$name"
  if [ "$(type -t "$1")" != function ] && command -v timeout >/dev/null 2>&1; then
    timeout "${GPU_CHECK_TIMEOUT:-900}" "$@" 2>&1 | tee "$log"
  else
    "$@" 2>&1 | tee "$log"
  fi
  rc=${PIPESTATUS[0]}
  case $rc in
    0) if [ "$name" = environment ]; then STATUS+=("REPORT   $name"); else STATUS+=("PASS     $name"); fi ;;
    3) STATUS+=("NOT RUN  $name")
       NOT_RUN+=("$name: $(grep -h '^NOT RUN' "$log" | head -1 | sed 's/^NOT RUN:\{0,1\} *//')") ;;
    124) STATUS+=("FAIL     $name (timed out after ${GPU_CHECK_TIMEOUT:-900} s)") ;;
    *) STATUS+=("FAIL     $name (exit $rc)") ;;
  esac
  return "$rc"
}

summary() {
  section "summary"
  printf '%s\n' "${STATUS[@]}"
  echo "logs: $LOGS"
  if printf '%s\n' "${STATUS[@]}" | grep -q '^FAIL'; then
    echo "FAILED: $(printf '%s\n' "${STATUS[@]}" | grep '^FAIL' | sed 's/^FAIL *//' | paste -sd ';' -)"
    exit 1
  fi
  if [ ${#NOT_RUN[@]} -gt 0 ]; then
    echo "NOT RUN: $(printf '%s; ' "${NOT_RUN[@]}" | sed 's/; $//')"
    exit 3
  fi
  echo "ALL GPU CHECKS PASSED"
  exit 0
}

env_report() {
  echo "host: $(uname -srm) ($(nproc 2>/dev/null || echo '?') cores)"
  echo "bundle: $(sed -n '2,4p' "$HERE/BUNDLE" | paste -sd ';' -)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi || echo "nvidia-smi failed (exit $?)"
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>/dev/null || true
  else
    echo "nvidia-smi: not found (no NVIDIA driver installed?)"
  fi
  local lib found=0 p
  for lib in libcuda.so.1 libcublas.so.12 libcublasLt.so.12; do
    p=$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null) | awk -v l="$lib" '$1 == l {print $NF; exit}')
    if [ -z "$p" ]; then
      for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }}; do
        [ -e "$d/$lib" ] && { p="$d/$lib"; break; }
      done
    fi
    if [ -n "$p" ]; then
      echo "$lib: $p -> $(readlink -f "$p")"
      found=1
    else
      echo "$lib: not found"
    fi
  done
  echo "java: $("$JAVA" -version 2>&1 | head -1) ($JAVA)"
  return 0
}

run_bundle() {
  JAVA="$HERE/jre/bin/java"
  [ -x "$JAVA" ] || die 1 "broken bundle: no $JAVA"
  if [ -n "${GPU_CHECKS_OUT:-}" ]; then
    LOGS=$GPU_CHECKS_OUT
  elif [ -w "$HERE" ]; then
    LOGS="$HERE/results"
  else
    LOGS=$(mktemp -d "${TMPDIR:-/tmp}/gpu-checks.XXXXXX")
  fi
  mkdir -p "$LOGS/tmp" || die 1 "cannot write the logs to $LOGS"
  local cp="" e
  while read -r e; do cp="$cp${cp:+:}$HERE/$e"; done <"$HERE/classpath"
  # JCuda unpacks its natives into java.io.tmpdir: a writable directory of the run's own.
  local jopts=(-Xmx8g --add-modules jdk.incubator.vector,jdk.incubator.foreign --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$LOGS/tmp" -cp "$cp")
  local mnist="$HERE/mnist"
  export HORN_REQUIRE_GPU=1

  step environment env_report
  step probe "$JAVA" "${jopts[@]}" io.horn.cuda.GpuChecks probe
  case $? in
    0) ;;
    3) section "summary"; printf '%s\n' "${STATUS[@]}"
       echo "NOT RUN: $(grep -h '^NOT RUN' "$LOGS"/02-probe.log | head -1 | sed 's/^NOT RUN: *//')"
       exit 3 ;;
    *) summary ;;
  esac
  step jit "$JAVA" "${jopts[@]}" io.horn.cuda.GpuChecks jit
  step gradients "$JAVA" "${jopts[@]}" io.horn.cuda.GpuChecks gradients --data "$mnist"
  step equivalence-tests "$JAVA" "${jopts[@]}" -Dhorn.require.gpu=true io.horn.cuda.GpuTestRunner gpu
  step mnist-training "$JAVA" "${jopts[@]}" io.horn.cuda.GpuChecks mnist --data "$mnist"
  step benchmark "$JAVA" "${jopts[@]}" io.horn.cuda.GpuBenchmark --data "$mnist" --batches 128,1024
  summary
}

case ${1:-} in
  --prepare) shift; prepare "$@"; exit 0 ;;
  -h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  '') ;;
  *) die 2 "unknown argument '$1' (use --prepare DIR [options], or none)" ;;
esac

if [ -f "$HERE/BUNDLE" ]; then
  run_bundle
fi
# In the source tree: prepare the bundle next to the build, then run it here.
"$HERE/run-gpu-checks.sh" --prepare "$HERE/target/gpu-checks" --jre-cache "$HERE/target/gpu-checks-jre" \
  || exit 2
exec "$HERE/target/gpu-checks/run-gpu-checks.sh"
