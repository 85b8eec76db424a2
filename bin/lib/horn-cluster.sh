# shellcheck shell=bash
# `horn cluster`: a real one-machine Hama cluster (ZooKeeper, BSPMaster, one GroomServer, and
# optionally HDFS), each daemon a JVM started by io.horn.bsp.cluster.LocalCluster.
# Source it after horn-env.sh; it defines functions and runs nothing else.
# Needs (from bin/horn): prepare, check_conf_dir, horn_full_classpath, HORN_CONF_DIR.

HORN_CLUSTER_DEFAULT_WORKDIR="$HORN_ROOT/work/cluster"
_HORN_CLUSTER_MAIN=io.horn.bsp.cluster.LocalCluster

horn_cluster_usage() {
  cat <<EOF
Usage: horn cluster start [--hdfs] [--tasks N] [--child-heap SIZE] [--site FILE] [--timeout SECONDS]
                          [-D key=value]... [--conf FILE]... [--workdir DIR]
       horn cluster start --workers FILE [--master HOST] [--launcher ssh|local] [--ssh-option OPT]...
                          [--hdfs] [--tasks N] [--replication R] [--child-heap SIZE] [--timeout SECONDS]
                          [-D key=value]... [--conf FILE]... [--workdir DIR]
       horn cluster stop   [--workdir DIR]
       horn cluster status [--workdir DIR]

Starts a real Hama cluster on this machine from Horn's jars: ZooKeeper, a BSPMaster and one
GroomServer (with --hdfs also an HDFS NameNode and DataNode, as fs.defaultFS), each its own JVM
that keeps running after this command returns. Ports are free ports picked at start, unless a
site file (--site FILE, or \$HORN_CONF_DIR/hama-site.xml) sets bsp.master.address to host:port;
then that file's ports are used and must be free.

  --workdir DIR      where configuration, logs, pids and data go (default: work/cluster)
  --hdfs             also run HDFS (formatted on first start; kept across stop/start)
  --tasks N          task slots of the GroomServer (bsp.tasks.maximum, default 3)
  --child-heap SIZE  -Xmx of each task JVM (default 1g)
  --site FILE        take settings and fixed ports from this hama-site.xml
  --timeout SECONDS  how long to wait for the cluster to answer (default 120)
  -D key=value       a setting for the daemons' configuration (hama-site.xml)
  --conf FILE        settings from a file: Hadoop XML when its name ends in .xml, Java
                     properties otherwise (as for every bin/horn command; -D wins)

Several hosts (--workers FILE: one host per line, as Hadoop's workers file; # comments):
ZooKeeper, the BSPMaster and (--hdfs) the NameNode run on --master HOST (default this
machine's name), a GroomServer and (--hdfs) a DataNode on each worker host, each bound to its
host's address. Commands reach the hosts over ssh (keys, no password: BatchMode) unless
--launcher local; Horn and the work directory must be at the same path on every host. Ports
are fixed (BSPMaster 40000, ZooKeeper 21810, NameNode 9000, groom 50000, peers 61000+; change
one with e.g. -D bsp.master.port=41000). 'bin/horn testbed up' makes such a cluster on
network namespaces of this machine.
  --replication R    HDFS block replication (default min(3, worker hosts))
  -D key=value       a setting for every host (dfs.* keys also go to hdfs-site.xml)

The generated configuration is <workdir>/conf/hama-site.xml (and core-site.xml); jobs find the
cluster with: export HORN_CONF_DIR=<workdir>/conf
EOF
}

# Prints the value of KEY in a Java properties file (as written by java.util.Properties).
_horn_cluster_prop() {
  [ -f "$1" ] || return 0
  sed -n "s/^$2=//p" "$1" | head -n 1 | sed 's/\\\(.\)/\1/g' || true
}

# Runs LocalCluster's command line (in a child JVM; it returns once the daemons are up).
_horn_cluster_java() {
  _horn_cluster_java_main "$_HORN_CLUSTER_MAIN" "$@"
}

# Runs MAIN with ARGS in a small JVM on the Horn classpath.
_horn_cluster_java_main() {
  local main=$1
  shift
  local -a opts=()
  local log4j="$HORN_ROOT/conf/log4j.properties"
  [ -f "$HORN_CONF_DIR/log4j.properties" ] && log4j="$HORN_CONF_DIR/log4j.properties"
  if [ -n "${HORN_OPTS:-}" ]; then
    read -r -a opts <<<"$HORN_OPTS"
  fi
  "$HORN_JAVA" -Xmx256m \
    "-Dlog4j.configuration=file:$log4j" \
    "-Dhorn.home=$HORN_ROOT" \
    ${opts[@]+"${opts[@]}"} \
    -cp "$(horn_full_classpath)" "$main" "$@"
}

horn_cluster() {
  local sub=${1:-}
  [ $# -gt 0 ] && shift
  case $sub in
    '' | -h | --help | help)
      horn_cluster_usage
      [ -n "$sub" ] && return 0
      return 2
      ;;
    start | stop | status) ;;
    *)
      _horn_err "horn cluster: unknown subcommand '$sub' (start, stop, status)"
      horn_cluster_usage >&2
      return 2
      ;;
  esac

  local workdir=$HORN_CLUSTER_DEFAULT_WORKDIR site="" have_site=0
  local -a pass=()
  while [ $# -gt 0 ]; do
    case $1 in
      --workdir)
        [ $# -ge 2 ] || { _horn_err "horn cluster: --workdir needs a directory"; return 2; }
        workdir=$2
        shift 2
        ;;
      --workdir=*)
        workdir=${1#--workdir=}
        shift
        ;;
      -h | --help)
        horn_cluster_usage
        return 0
        ;;
      --hdfs)
        [ "$sub" = start ] || { _horn_err "horn cluster $sub: --hdfs belongs to 'start'"; return 2; }
        pass+=(--hdfs)
        shift
        ;;
      --site | --tasks | --child-heap | --timeout)
        [ "$sub" = start ] || { _horn_err "horn cluster $sub: $1 belongs to 'start'"; return 2; }
        [ $# -ge 2 ] || { _horn_err "horn cluster: $1 needs a value"; return 2; }
        if [ "$1" = --site ]; then
          [ -f "$2" ] || { _horn_err "horn cluster: no such site file: $2"; return 2; }
          site=$(_horn_realpath "$2")
          have_site=1
        else
          pass+=("$1" "$2")
        fi
        shift 2
        ;;
      --workers | --master | --launcher | --ssh-option | --replication | -D | --conf)
        [ "$sub" = start ] || { _horn_err "horn cluster $sub: $1 belongs to 'start'"; return 2; }
        [ $# -ge 2 ] || { _horn_err "horn cluster: $1 needs a value"; return 2; }
        if [ "$1" = --workers ] || [ "$1" = --conf ]; then
          [ -f "$2" ] || { _horn_err "horn cluster: no such ${1#--} file: $2"; return 2; }
          pass+=("$1" "$(_horn_realpath "$2")")
        else
          pass+=("$1" "$2")
        fi
        shift 2
        ;;
      -D?*)
        [ "$sub" = start ] || { _horn_err "horn cluster $sub: $1 belongs to 'start'"; return 2; }
        pass+=(-D "${1#-D}")
        shift
        ;;
      --site=* | --tasks=* | --child-heap=* | --timeout=* | --workers=* | --master=* | --launcher=* | --ssh-option=* | --replication=* | --conf=*)
        set -- "${1%%=*}" "${1#*=}" "${@:2}"
        ;;
      *)
        _horn_err "horn cluster $sub: unknown option '$1'"
        horn_cluster_usage >&2
        return 2
        ;;
    esac
  done
  if [ "$sub" != start ] && [ ! -d "$workdir" ]; then
    echo "no cluster in $workdir (no such directory)"
    [ "$sub" = status ] && return 3
    return 0
  fi
  mkdir -p "$workdir" 2>/dev/null || { _horn_err "cannot create the work directory $workdir"; return 1; }
  workdir=$(cd "$workdir" && pwd -P)
  local wd_opt=""
  if [ "$workdir" != "$(_horn_realpath "$HORN_CLUSTER_DEFAULT_WORKDIR" 2>/dev/null || echo "$HORN_CLUSTER_DEFAULT_WORKDIR")" ]; then
    wd_opt=" --workdir $workdir"
  fi

  case $sub in
    start)
      prepare
      if [ "$have_site" -eq 0 ] && [ -f "$HORN_CONF_DIR/hama-site.xml" ]; then
        local conf_real
        conf_real=$(cd "$HORN_CONF_DIR" && pwd -P)
        # The cluster's own generated file is rewritten on every start; do not feed it back.
        if [ "$conf_real" != "$workdir/conf" ]; then
          site="$conf_real/hama-site.xml"
        fi
      fi
      [ -n "$site" ] && pass+=(--site "$site")
      _horn_cluster_java start "$workdir" ${pass[@]+"${pass[@]}"} || return $?
      local info="$workdir/cluster.properties" master hdfs
      master=$(_horn_cluster_prop "$info" master.address)
      hdfs=$(_horn_cluster_prop "$info" hdfs.uri)
      cat <<EOF

Submit jobs to it (bin/horn puts \$HORN_CONF_DIR first on the classpath, so jobs read its hama-site.xml):
  export HORN_CONF_DIR=$workdir/conf
  bin/horn jar <job.jar> [args...]
Or pass them with -D to a command that runs a job (bin/horn example mnist, bin/horn bench ...): -Dbsp.master.address=${master:-<see hama-site.xml>}${hdfs:+ -Dfs.defaultFS=$hdfs}
  (task JVM options, such as the JDK 17 class-loader flag, come from the cluster's own hama-site.xml)
Status: bin/horn cluster status$wd_opt    Stop: bin/horn cluster stop$wd_opt
EOF
      ;;
    stop | status)
      check_conf_dir
      horn_ensure_java_maven
      horn_build_if_needed
      _horn_cluster_java "$sub" "$workdir"
      ;;
  esac
}

HORN_TESTBED_DEFAULT_WORKDIR="$HORN_ROOT/work/testbed"

horn_testbed_usage() {
  cat <<EOF2
Usage: horn testbed up [--hosts N] [--link 1gbit|10gbit|RATE|none] [--tasks T] [--child-heap SIZE]
                       [--replication R] [--no-hdfs] [--workdir DIR]
       horn testbed down   [--workdir DIR]
       horn testbed status [--workdir DIR]

A multi-host cluster on this machine, for tests and benchmarks (root only). 'up' makes N
"hosts" (default 3): network namespaces horn-tb-h0.. with addresses 10.213.7.1.. on a private
bridge (this machine is 10.213.7.254 on it), each link limited to RATE in both directions
(tc tbf; default 1gbit). Host 1 runs ZooKeeper, the BSPMaster and the NameNode; every other
host a GroomServer with T task slots (default 3) and a DataNode (HDFS replication R, default 1,
so each block lives on one host). It prints the HORN_CONF_DIR that sends jobs to it.
'down' stops every daemon and removes the namespaces, links and bridge; it is safe to run at any
time, also after a crash. Files stay in the work directory (default work/testbed).
EOF2
}

horn_testbed() {
  local sub=${1:-}
  [ $# -gt 0 ] && shift
  case $sub in
    '' | -h | --help | help)
      horn_testbed_usage
      [ -n "$sub" ] && return 0
      return 2
      ;;
    up | down | status) ;;
    *)
      _horn_err "horn testbed: unknown subcommand '$sub' (up, down, status)"
      horn_testbed_usage >&2
      return 2
      ;;
  esac
  local workdir=$HORN_TESTBED_DEFAULT_WORKDIR
  local -a pass=()
  while [ $# -gt 0 ]; do
    case $1 in
      --workdir)
        [ $# -ge 2 ] || { _horn_err "horn testbed: --workdir needs a directory"; return 2; }
        workdir=$2
        shift 2
        ;;
      --workdir=*)
        workdir=${1#--workdir=}
        shift
        ;;
      -h | --help)
        horn_testbed_usage
        return 0
        ;;
      *)
        pass+=("$1")
        shift
        ;;
    esac
  done
  mkdir -p "$workdir" 2>/dev/null || { _horn_err "cannot create the work directory $workdir"; return 1; }
  workdir=$(cd "$workdir" && pwd -P)
  prepare
  _horn_cluster_java_main io.horn.bsp.testbed.TestbedCli "$sub" "$workdir" ${pass[@]+"${pass[@]}"}
}
