#!/usr/bin/env bash
# Runs every GPU check of horn-cuda on a machine with an NVIDIA GPU, unchanged from one machine
# to the next; see docs/gpu.md ("Running the GPU checks").
#
#   horn-cuda/run-gpu-checks.sh            on the GPU machine: report the machine, run the tests
#                                          tagged "gpu" and the GPU benchmark
#   horn-cuda/run-gpu-checks.sh --prepare  on a build machine (JDK 17, Maven, nvcc): build Horn
#                                          and put what a GPU machine without Maven needs into
#                                          horn-cuda/target/gpu-checks (classes, test classes,
#                                          dependency jars with JCuda's natives, the JUnit
#                                          console launcher, the benchmark's jars)
#   horn-cuda/run-gpu-checks.sh --prepare --jre
#                                          the same, plus a jlink'd Java runtime in
#                                          horn-cuda/target/gpu-checks/jre for a machine with no Java
#
# On the GPU machine the tests run through Maven when `mvn` is on PATH, otherwise through the JUnit
# console launcher from the prepared directory (JUNIT_CONSOLE_JAR names another standalone
# junit-platform-console jar). Java comes from JAVA_HOME, PATH, or the prepared jre/.
#
# Environment:
#   GPU_CHECK_GROUPS   JUnit tags to run (default: gpu; empty runs every horn-cuda test)
#   GPU_BENCH_ARGS     arguments for the GPU benchmark (default: none)
#   JUNIT_CONSOLE_JAR  a junit-platform-console-standalone jar (default: the prepared one)
#   GPU_JRE_MODULES    modules for --prepare --jre (default: JLINK_MODULES below, about 51 MB; without
#                      java.desktop, which the horn-cuda tests do not need, about 41 MB)
#
# Exit status: 0 every check ran and passed; 1 a check failed; 2 no Java (or nothing to run the
# tests with); 3 the tests passed but a check could not run (e.g. no GPU benchmark yet).
set -uo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
BUNDLE="$ROOT/horn-cuda/target/gpu-checks"
JUNIT_VERSION=1.10.2
GROUPS_WANTED=${GPU_CHECK_GROUPS-gpu}
BENCH_CLASS=io.horn.examples.bench.GpuBenchmark
JLINK_MODULES=java.base,java.logging,java.xml,java.management,java.naming,java.desktop,jdk.unsupported,java.sql,java.security.jgss,jdk.incubator.vector

section() { printf '\n==== %s ====\n' "$*"; }
say() { echo "run-gpu-checks: $*"; }

# ------------------------------------------------------------------------------ --prepare
prepare() {
  local with_jre=$1
  command -v mvn >/dev/null 2>&1 || { say "--prepare needs Maven (mvn) and a JDK 17"; exit 2; }
  cd "$ROOT" || exit 2
  section "build (mvn -DskipTests install; nvcc builds the kernels' PTX)"
  mvn -B -ntp -q -DskipTests install -pl horn-cuda -am || { say "build failed"; exit 1; }
  if [ -f horn-examples/pom.xml ]; then
    mvn -B -ntp -q -DskipTests install -pl horn-examples -am \
      || say "horn-examples did not build; the GPU benchmark will be missing from the bundle"
  fi
  rm -rf "$BUNDLE"
  mkdir -p "$BUNDLE/lib" "$BUNDLE/bench"
  cp -r horn-cuda/target/classes "$BUNDLE/classes"
  cp -r horn-cuda/target/test-classes "$BUNDLE/test-classes"
  section "dependencies (test scope, JUnit left to the console launcher)"
  mvn -B -ntp -q -pl horn-cuda dependency:copy-dependencies -DincludeScope=test \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
    -DoutputDirectory="$BUNDLE/lib" || { say "copying dependencies failed"; exit 1; }
  mvn -B -ntp -q dependency:copy \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION" \
    -DoutputDirectory="$BUNDLE" || { say "fetching the JUnit console launcher failed"; exit 1; }
  local ex j
  ex=$(find horn-examples/target -maxdepth 1 -name 'horn-examples-*.jar' ! -name '*-sources.jar' \
    ! -name '*-javadoc.jar' ! -name '*-tests.jar' -print -quit 2>/dev/null || true)
  if [ -n "$ex" ]; then
    cp "$ex" "$BUNDLE/bench/"
    # Logging for the benchmark; the rest of its classpath is horn-cuda's.
    for j in horn-examples/target/lib/slf4j-log4j12-*.jar horn-examples/target/lib/slf4j-reload4j-*.jar \
        horn-examples/target/lib/log4j-1.2*.jar; do
      [ -f "$j" ] && cp "$j" "$BUNDLE/bench/"
    done
    [ -f conf/log4j.properties ] && cp conf/log4j.properties "$BUNDLE/bench/"
  fi
  if [ "$with_jre" = 1 ]; then
    section "Java runtime (jlink)"
    command -v jlink >/dev/null 2>&1 || { say "jlink not found (needs a JDK 17)"; exit 2; }
    jlink --add-modules "${GPU_JRE_MODULES:-$JLINK_MODULES}" --strip-debug --no-header-files --no-man-pages \
      --compress=2 --output "$BUNDLE/jre" || { say "jlink failed"; exit 1; }
  fi
  section "prepared"
  du -sh "$BUNDLE" 2>/dev/null || true
  echo "Copy horn-cuda/target/gpu-checks (and the source tree) to the GPU machine, then run"
  echo "horn-cuda/run-gpu-checks.sh there."
  exit 0
}

case ${1:-} in
  --prepare)
    jre=0
    [ "${2:-}" = "--jre" ] && jre=1
    prepare "$jre"
    ;;
  -h | --help)
    sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  '') ;;
  *)
    say "unknown argument '$1' (use --prepare [--jre], or none on the GPU machine)"
    exit 2
    ;;
esac

cd "$ROOT" || exit 2
export HORN_REQUIRE_GPU=1

# ------------------------------------------------------------------------------ the machine
section "nvidia-smi"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi || say "nvidia-smi failed (rc $?): no usable driver?"
else
  say "nvidia-smi not found: no NVIDIA driver on this machine"
fi

section "which java"
JAVA=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
  JAVA=$(command -v java)
elif [ -x "$BUNDLE/jre/bin/java" ]; then
  JAVA="$BUNDLE/jre/bin/java"
elif [ -x "$ROOT/jre/bin/java" ]; then
  JAVA="$ROOT/jre/bin/java"
fi
which java 2>/dev/null || echo "(no java on PATH)"
if [ -z "$JAVA" ]; then
  cat <<EOF
No Java here. Build a runtime on a machine with JDK 17 and copy it over:

  jlink --add-modules $JLINK_MODULES --output jre

(add --strip-debug --no-header-files --no-man-pages --compress=2 to shrink it from about 93 MB
to about 51 MB), then copy jre/ to $ROOT/jre on this machine; or run
'horn-cuda/run-gpu-checks.sh --prepare --jre' there and copy horn-cuda/target/gpu-checks.
EOF
  exit 2
fi
echo "using $JAVA"
"$JAVA" -version 2>&1

section "ldconfig -p | grep -E 'cublas|cuda'"
ldconfig -p 2>/dev/null | grep -E 'cublas|cuda' || echo "(no CUDA or cuBLAS library in the ldconfig cache)"

# ------------------------------------------------------------------------------ tests
TESTS=""
section "tests (tags: ${GROUPS_WANTED:-all})"
if command -v mvn >/dev/null 2>&1; then
  export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}
  if mvn -B -ntp -pl horn-cuda -am test ${GROUPS_WANTED:+-Dgroups="$GROUPS_WANTED"} \
      -Dhorn.require.gpu=true -Dsurefire.failIfNoSpecifiedTests=false; then
    TESTS=PASS
  else
    TESTS=FAIL
  fi
else
  console=${JUNIT_CONSOLE_JAR:-}
  if [ -z "$console" ]; then
    console=$(find "$BUNDLE" -maxdepth 1 -name 'junit-platform-console-standalone-*.jar' \
      -print -quit 2>/dev/null || true)
  fi
  if [ -z "$console" ] || [ ! -f "$console" ] || [ ! -d "$BUNDLE/test-classes" ]; then
    cat <<EOF
No mvn here, and no prepared test bundle: run 'horn-cuda/run-gpu-checks.sh --prepare' on a build
machine and copy horn-cuda/target/gpu-checks over (or set JUNIT_CONSOLE_JAR to a
junit-platform-console-standalone jar and prepare the rest).
EOF
    exit 2
  fi
  cp_tests="$BUNDLE/test-classes:$BUNDLE/classes:$BUNDLE/lib/*:$console"
  tag_args=()
  [ -n "$GROUPS_WANTED" ] && tag_args=(--include-tag "$GROUPS_WANTED")
  if "$JAVA" -Dhorn.require.gpu=true -cp "$cp_tests" org.junit.platform.console.ConsoleLauncher \
      execute --scan-class-path "$BUNDLE/test-classes" ${tag_args[@]+"${tag_args[@]}"} \
      --details=tree --disable-banner --disable-ansi-colors; then
    TESTS=PASS
  else
    TESTS=FAIL
  fi
fi

# ------------------------------------------------------------------------------ benchmark
BENCH=""
section "GPU benchmark ($BENCH_CLASS)"
read -r -a bench_args <<<"${GPU_BENCH_ARGS:-}"
bench_src="$ROOT/horn-examples/src/main/java/${BENCH_CLASS//.//}.java"
bench_jar=$(find "$BUNDLE/bench" -maxdepth 1 -name 'horn-examples-*.jar' -print -quit 2>/dev/null || true)
if command -v mvn >/dev/null 2>&1 && [ -x "$ROOT/bin/horn" ]; then
  if [ ! -f "$bench_src" ]; then
    say "NOT RUN: $BENCH_CLASS does not exist ($bench_src is missing)"
    BENCH="NOT RUN"
  elif "$ROOT/bin/horn" bench gpu ${bench_args[@]+"${bench_args[@]}"}; then
    BENCH=PASS
  else
    BENCH=FAIL
  fi
elif [ -n "$bench_jar" ] && grep -qa "${BENCH_CLASS//.//}.class" "$bench_jar"; then
  log_opt=()
  [ -f "$BUNDLE/bench/log4j.properties" ] && log_opt=("-Dlog4j.configuration=file:$BUNDLE/bench/log4j.properties")
  if "$JAVA" -Xmx4g --add-modules jdk.incubator.vector ${log_opt[@]+"${log_opt[@]}"} \
      -cp "$BUNDLE/classes:$BUNDLE/lib/*:$BUNDLE/bench/*" "$BENCH_CLASS" \
      ${bench_args[@]+"${bench_args[@]}"}; then
    BENCH=PASS
  else
    BENCH=FAIL
  fi
else
  if [ -n "$bench_jar" ]; then
    say "NOT RUN: $BENCH_CLASS is not in $(basename "$bench_jar") (not written yet?)"
  else
    say "NOT RUN: $BENCH_CLASS not found (no mvn for bin/horn, and no horn-examples jar in $BUNDLE/bench)"
  fi
  BENCH="NOT RUN"
fi

# ------------------------------------------------------------------------------ summary
section "summary"
echo "tests (${GROUPS_WANTED:-all}): $TESTS"
echo "benchmark:          $BENCH"
if [ "$TESTS" = FAIL ] || [ "$BENCH" = FAIL ]; then
  exit 1
fi
if [ "$BENCH" = "NOT RUN" ]; then
  exit 3
fi
exit 0
