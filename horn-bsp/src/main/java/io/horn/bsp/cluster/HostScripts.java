package io.horn.bsp.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shell scripts a multi-host cluster runs on its hosts through a {@link HostLauncher}: write
 * a host's files, start one daemon, report, stop. POSIX {@code sh} and Linux {@code /proc}; every
 * value in them is quoted. A daemon runs in its own session (so that stopping its process group
 * also ends the task JVMs it started), with its pid in {@code pids/<id>.pid}; the {@link Daemon}
 * marks on its command line are checked before any signal, so a reused pid is never signalled.
 * Stateless.
 */
final class HostScripts {
  /** Ends each file of {@link #writeFiles}; a file that contains it is refused. */
  private static final String EOF_MARK = "HORN_FILE_END_5b1d";

  private HostScripts() {}

  /** Creates {@code dirs} and writes {@code files} (absolute path to content), each atomically. */
  static String writeFiles(List<Path> dirs, Map<Path, String> files) {
    StringBuilder s = new StringBuilder("set -e\numask 022\n");
    for (Path d : dirs) {
      s.append("mkdir -p ").append(q(d)).append('\n');
    }
    for (Map.Entry<Path, String> f : files.entrySet()) {
      String text = f.getValue();
      if (text.contains(EOF_MARK)) {
        throw new IllegalArgumentException(f.getKey() + " contains " + EOF_MARK);
      }
      String tmp = q(f.getKey() + ".tmp");
      s.append("mkdir -p ").append(q(f.getKey().getParent())).append('\n');
      s.append("cat > ").append(tmp).append(" <<'").append(EOF_MARK).append("'\n").append(text);
      if (!text.endsWith("\n")) {
        s.append('\n');
      }
      s.append(EOF_MARK).append('\n');
      s.append("mv -f ").append(tmp).append(' ').append(q(f.getKey())).append('\n');
    }
    return s.toString();
  }

  /**
   * Starts {@code java} (a daemon's command line) in the background in its own session, logging
   * to {@code logs/<id>.log} of {@code hostDir}; exits 3 when that daemon already runs there.
   */
  static String start(Path hostDir, Daemon d, String host, List<String> java,
      Map<String, String> env) {
    StringBuilder s = new StringBuilder();
    s.append("cd ").append(q(hostDir)).append(" || exit 1\n");
    s.append(aliveFunction(hostDir));
    s.append("if alive ").append(d.id).append("; then echo ").append(q(d.title
        + " already runs on " + host)).append(" pid $pid; exit 3; fi\n");
    for (Map.Entry<String, String> e : env.entrySet()) {
      s.append("export ").append(e.getKey()).append('=').append(q(e.getValue())).append('\n');
    }
    s.append("echo \"==== $(date -u +%Y-%m-%dT%H:%M:%SZ): starting ").append(d.title)
        .append(" (").append(d.mainClass).append(") on ").append(host).append("\" >> logs/")
        .append(d.id).append(".log\n");
    s.append("if command -v setsid >/dev/null 2>&1; then s=setsid; else s=nohup; fi\n");
    s.append("$s ").append(join(java)).append(" >> logs/").append(d.id)
        .append(".log 2>&1 < /dev/null &\n");
    s.append("echo $! > pids/").append(d.id).append(".pid\n");
    s.append("echo started ").append(d.id).append(" $!\n");
    return s.toString();
  }

  /**
   * Formats the NameNode's namespace when {@code hostDir} has none yet (running {@code format}
   * in the foreground); prints {@code formatted} when it did.
   */
  static String formatIfNew(Path hostDir, List<String> format) {
    return "cd " + q(hostDir) + " || exit 1\n"
        + "if [ ! -f hdfs/name/current/VERSION ]; then\n"
        + "  rm -rf hdfs/name\n"
        + "  if " + join(format) + " >> logs/namenode-format.log 2>&1 < /dev/null; then\n"
        + "    echo formatted\n"
        + "  else\n"
        + "    echo 'NameNode -format failed; last lines of its log:'; tail -n 30"
        + " logs/namenode-format.log; exit 1\n"
        + "  fi\n"
        + "fi\n";
  }

  /** One line per daemon with a pid file: {@code daemon <id> running|dead <pid>}. */
  static String status(Path hostDir) {
    StringBuilder s = new StringBuilder("cd " + q(hostDir) + " 2>/dev/null || exit 0\n");
    s.append(aliveFunction(hostDir));
    s.append("for id in ").append(ids()).append("; do\n")
        .append("  [ -f pids/$id.pid ] || continue\n")
        .append("  if alive $id; then echo daemon $id running $pid;")
        .append(" else echo daemon $id dead $pid; fi\n")
        .append("done\n");
    return s.toString();
  }

  /**
   * Stops every daemon of {@code hostDir} with its process group (task JVMs included): SIGTERM,
   * up to {@code graceSeconds}, then SIGKILL. Prints {@code stopped <id> <pid>} for each. (dash's
   * {@code kill} takes a process group as {@code -PGID} but refuses {@code --} before it.)
   */
  static String stop(Path hostDir, int graceSeconds) {
    StringBuilder s = new StringBuilder("cd " + q(hostDir) + " 2>/dev/null || exit 0\n");
    s.append(aliveFunction(hostDir));
    s.append("pids=''\n")
        .append("for id in ").append(ids()).append("; do\n")
        .append("  [ -f pids/$id.pid ] || continue\n")
        .append("  if alive $id; then kill -TERM -$pid 2>/dev/null || kill -TERM $pid;")
        .append(" pids=\"$pids $pid\"; echo stopped $id $pid; else echo gone $id $pid; fi\n")
        .append("  rm -f pids/$id.pid\n")
        .append("done\n")
        .append("i=0\n")
        .append("while [ $i -lt ").append(graceSeconds * 10).append(" ]; do\n")
        .append("  left=''\n")
        .append("  for p in $pids; do if kill -0 -$p 2>/dev/null || kill -0 $p 2>/dev/null;"
            + " then left=\"$left $p\"; fi; done\n")
        .append("  [ -z \"$left\" ] && exit 0\n")
        .append("  sleep 0.1; i=$((i+1))\n")
        .append("done\n")
        .append("for p in $pids; do kill -KILL -$p 2>/dev/null || kill -KILL $p 2>/dev/null; done\n")
        .append("sleep 0.5\n")
        .append("for p in $pids; do if kill -0 -$p 2>/dev/null || kill -0 $p 2>/dev/null;")
        .append(" then echo left $p; fi; done\n")
        .append("exit 0\n");
    return s.toString();
  }

  /** The last {@code lines} lines of {@code file}, or a note that there is none. */
  static String tail(Path file, int lines) {
    return "tail -n " + lines + " " + q(file) + " 2>/dev/null || echo '(no log at " + file
        + ")'\n";
  }

  /** Removes {@code dir} (a host's data that another cluster id made useless). */
  static String remove(Path dir) {
    return "rm -rf " + q(dir) + "\n";
  }

  /**
   * {@code alive ID}: true when {@code pids/ID.pid} names a live process that carries this host
   * directory's mark; sets {@code pid}.
   */
  private static String aliveFunction(Path hostDir) {
    String mark = Daemon.WORKDIR_MARK + hostDir + " ";
    return "alive() {\n"
        + "  pid=$(cat pids/$1.pid 2>/dev/null) || return 1\n"
        + "  [ -n \"$pid\" ] && kill -0 \"$pid\" 2>/dev/null || return 1\n"
        + "  tr '\\000' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -qF -- "
        + q(mark) + "\n"
        + "}\n";
  }

  private static String ids() {
    List<String> ids = new ArrayList<>();
    Daemon[] all = Daemon.values();
    for (int i = all.length - 1; i >= 0; i--) {
      ids.add(all[i].id);
    }
    return String.join(" ", ids);
  }

  private static String join(List<String> words) {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      out.add(HostLauncher.quote(w));
    }
    return String.join(" ", out);
  }

  private static String q(Object s) {
    return HostLauncher.quote(String.valueOf(s));
  }
}
