package io.horn.bsp.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The daemons of a {@link LocalCluster}, in start order, and how to find their live processes
 * through the pid files in the work directory ({@code pids/<id>.pid}).
 *
 * <p>Each daemon JVM carries {@link #DAEMON_MARK} and {@link #WORKDIR_MARK} on its command line, so
 * that a pid file left behind by a crash is not mistaken for a live daemon when the pid has been
 * reused by another process.
 */
enum Daemon {
  NAMENODE("namenode", "NameNode", "org.apache.hadoop.hdfs.server.namenode.NameNode", false),
  DATANODE("datanode", "DataNode", "org.apache.hadoop.hdfs.server.datanode.DataNode", false),
  ZOOKEEPER("zookeeper", "ZooKeeper", "org.apache.hama.ZooKeeperRunner", true),
  BSPMASTER("bspmaster", "BSPMaster", "org.apache.hama.BSPMasterRunner", true),
  // Hama's GroomServer plus a reaper of task JVMs that outlive their job (see TaskReaper).
  GROOMSERVER("groomserver", "GroomServer", "io.horn.bsp.cluster.HornGroomServer", true);

  static final String DAEMON_MARK = "-Dhorn.cluster.daemon=";
  static final String WORKDIR_MARK = "-Dhorn.cluster.workdir=";

  /** Name of the log and pid files. */
  final String id;
  /** Name in messages. */
  final String title;
  final String mainClass;
  /** A Hama daemon (else an HDFS one). */
  final boolean hama;

  Daemon(String id, String title, String mainClass, boolean hama) {
    this.id = id;
    this.title = title;
    this.mainClass = mainClass;
    this.hama = hama;
  }

  /** This daemon's pid file in {@code workDir}. */
  Path pidFile(Path workDir) {
    return workDir.resolve(LocalCluster.PID_DIR).resolve(id + ".pid");
  }

  /** The pid in this daemon's pid file, or null when there is none or it is unreadable. */
  Long readPid(Path workDir) {
    Path f = pidFile(workDir);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim());
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** The live process of this daemon of {@code workDir}, from its pid file. */
  Optional<ProcessHandle> liveProcess(Path workDir) {
    Long pid = readPid(workDir);
    if (pid == null) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> runs(h, workDir));
  }

  /** Whether {@code h} runs this daemon of {@code workDir} (guards against reused pids). */
  boolean runs(ProcessHandle h, Path workDir) {
    Optional<String> cmd = h.info().commandLine();
    if (cmd.isEmpty()) {
      Optional<String[]> args = h.info().arguments();
      if (args.isEmpty()) {
        return true; // cannot tell (another user's process, or no /proc): trust the pid file
      }
      cmd = Optional.of(String.join(" ", args.get()));
    }
    String s = cmd.get();
    return s.contains(DAEMON_MARK + id + " ") && s.contains(WORKDIR_MARK + workDir + " ");
  }

  /** Descriptions ("bspmaster (pid 123)") of the daemons of {@code workDir} that are alive now. */
  static List<String> running(Path workDir) {
    List<String> out = new ArrayList<>();
    for (Daemon d : values()) {
      d.liveProcess(workDir).ifPresent(ph -> out.add(d.id + " (pid " + ph.pid() + ")"));
    }
    return out;
  }
}
