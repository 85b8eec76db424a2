package io.horn.bsp.cluster;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a daemon JVM, the same for the one-machine cluster and for each host of a
 * multi-host one: the {@link Daemon} marks (so that a stale pid file is never taken for a live
 * daemon), heap, the class-loader flag of Hama's daemons, where it logs and keeps temporary
 * files, and a class path that starts with its {@code conf/} directory. Immutable.
 */
final class DaemonCommand {
  private final Path confDir;
  private final List<String> classpath;
  private final Path markDir;
  private final Path tmpDir;
  private final Path hamaLogDir;
  private final Path hadoopLogDir;
  private final Path hdfsWebapps;
  private final String heap;

  /**
   * @param markDir the directory in the daemon's {@link Daemon#WORKDIR_MARK}: where its pid
   *     files are
   * @param hamaLogDir {@code hama.log.dir} (task logs go under it)
   * @param hdfsWebapps the stand-in web applications of the HDFS daemons (last on their path)
   */
  DaemonCommand(Path confDir, List<String> classpath, Path markDir, Path tmpDir, Path hamaLogDir,
      Path hadoopLogDir, Path hdfsWebapps, String heap) {
    this.confDir = confDir;
    this.classpath = List.copyOf(classpath);
    this.markDir = markDir;
    this.tmpDir = tmpDir;
    this.hamaLogDir = hamaLogDir;
    this.hadoopLogDir = hadoopLogDir;
    this.hdfsWebapps = hdfsWebapps;
    this.heap = heap;
  }

  /** {@code java ... mainClass args} for daemon {@code d}. */
  List<String> java(Daemon d, List<String> args) {
    List<String> entries = new ArrayList<>();
    entries.add(confDir.toString());
    for (String e : classpath) {
      if (!e.equals(entries.get(0))) {
        entries.add(e);
      }
    }
    if (!d.hama) {
      entries.add(hdfsWebapps.toString());
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(Daemon.DAEMON_MARK + d.id);
    cmd.add(Daemon.WORKDIR_MARK + markDir);
    cmd.add("-Xmx" + (d == Daemon.ZOOKEEPER || d == Daemon.DATANODE ? "256m" : heap));
    cmd.add("-XX:+UseSerialGC");
    if (d.hama) {
      cmd.add(ClassLoaders.SYSTEM_LOADER_FLAG);
    }
    cmd.add("-Djava.io.tmpdir=" + tmpDir);
    cmd.add("-Dhama.log.dir=" + hamaLogDir);
    cmd.add("-Dhadoop.log.dir=" + hadoopLogDir);
    cmd.add("-Dlog4j.configuration=" + confDir.resolve(LocalCluster.LOG4J_FILE).toUri());
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, entries));
    cmd.add(d.mainClass);
    cmd.addAll(args);
    return cmd;
  }
}
