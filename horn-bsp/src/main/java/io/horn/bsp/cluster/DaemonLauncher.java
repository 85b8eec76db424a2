package io.horn.bsp.cluster;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the daemon JVMs of one cluster start and waits on them, all against one deadline (the
 * builder's start timeout, counted from the start of {@link LocalCluster.Builder#start()}).
 *
 * <p>Each daemon runs from the cluster's {@code conf/} directory followed by the children's class
 * path, logs (stdout and stderr) to {@code logs/<id>.log}, and gets a pid file. Failures are
 * {@link IOException}s whose message ends with the last lines of the daemon's log. Not
 * thread-safe; used by the one thread that starts the cluster.
 */
final class DaemonLauncher {

  private final LocalCluster.Builder b;
  private final Path work;
  private final LocalCluster cluster;
  private final long deadlineNanos;
  private final Map<String, String> env = new LinkedHashMap<>();

  /**
   * @param cluster where launched daemons are registered (so that closing it stops them)
   * @param deadlineNanos {@link System#nanoTime()} by which the cluster must be up
   */
  DaemonLauncher(LocalCluster.Builder b, LocalCluster cluster, long deadlineNanos) {
    this.b = b;
    this.work = b.workDir;
    this.cluster = cluster;
    this.deadlineNanos = deadlineNanos;
    env.putAll(openblasDefaults(System.getenv()));
    env.putAll(b.environment);
  }

  /** Starts daemon {@code d}, logging to its own log, and registers it with the cluster. */
  Process launch(Daemon d, List<String> args) throws IOException {
    return launch(d, args, d.id, true);
  }

  /**
   * Starts {@code d}'s main class with {@code args}, appending to {@code logs/<logName>.log}. Only
   * a registered process gets a pid file, is stopped with the cluster, and (when detached) gets its
   * own session; an unregistered one (the NameNode's {@code -format} run) is the caller's.
   */
  Process launch(Daemon d, List<String> args, String logName, boolean register) throws IOException {
    List<String> cp = b.classpath != null ? b.classpath : LocalCluster.currentClasspath();
    Path logDir = work.resolve(LocalCluster.LOG_DIR);
    List<String> cmd = new ArrayList<>();
    if (b.detached && register) {
      for (String s : List.of("/usr/bin/setsid", "/bin/setsid")) {
        if (Files.isExecutable(Paths.get(s))) {
          cmd.add(s);
          break;
        }
      }
    }
    cmd.addAll(new DaemonCommand(work.resolve(LocalCluster.CONF_DIR), cp, work,
        work.resolve("tmp"), logDir, logDir, work.resolve(LocalCluster.HDFS_WEBAPPS),
        b.daemonHeap).java(d, args));

    Path log = logPath(logName);
    Files.writeString(log, String.format("==== %s: starting %s (%s)%n", Instant.now(), d.title,
        d.mainClass), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    say("starting " + d.title + (args.isEmpty() ? "" : " " + String.join(" ", args))
        + " (log " + log + ")");
    Process p = pb.start();
    if (register) {
      cluster.register(d, p);
      Files.writeString(d.pidFile(work), p.pid() + "\n", StandardCharsets.UTF_8);
    }
    return p;
  }

  /** Waits until something listens on {@code host:port}, failing when {@code p} dies first. */
  void awaitPort(Daemon d, Process p, String host, int port) throws IOException {
    while (true) {
      checkAlive(d, p);
      if (listening(host, port)) {
        return;
      }
      if (pastDeadline()) {
        throw failure(d.title + " did not open port " + port + " within " + timeoutSeconds() + " s",
            logPath(d.id));
      }
      sleep(100);
    }
  }

  /** Fails, naming {@code d} and quoting its log, when {@code p} has exited. */
  void checkAlive(Daemon d, Process p) throws IOException {
    if (!p.isAlive()) {
      throw failure(d.title + " (" + d.mainClass + ") exited with code " + p.exitValue()
          + " while the cluster was starting", logPath(d.id));
    }
  }

  /** An exception saying {@code what}, followed by the last lines of {@code log}. */
  IOException failure(String what, Path log) {
    return new IOException(what + "; last lines of " + log + ":\n" + tail(log, 30));
  }

  Path logPath(String name) {
    return work.resolve(LocalCluster.LOG_DIR).resolve(name + ".log");
  }

  boolean pastDeadline() {
    return System.nanoTime() > deadlineNanos;
  }

  long remainingMillis() {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  /** The start timeout, for messages. */
  long timeoutSeconds() {
    return b.startTimeout.toSeconds();
  }

  /** Reports a progress line (when the builder has somewhere to report to). */
  void say(String line) {
    b.say(line);
  }

  static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the cluster", e);
    }
  }

  /** The last {@code lines} lines of a file (at most 64 KiB of it), or a note when unreadable. */
  static String tail(Path file, int lines) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - 65536);
      byte[] buf = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(buf);
      String[] all = new String(buf, StandardCharsets.UTF_8).split("\r?\n");
      int start = Math.max(from > 0 ? 1 : 0, all.length - lines);
      StringBuilder sb = new StringBuilder();
      for (int i = start; i < all.length; i++) {
        sb.append("  | ").append(all[i]).append('\n');
      }
      return sb.toString();
    } catch (IOException e) {
      return "  (cannot read " + file + ": " + e.getMessage() + ")\n";
    }
  }

  /**
   * {@code OPENBLAS_THREAD_TIMEOUT} and {@code OPENBLAS_CORETYPE} as bin/horn would set them, where
   * unset in {@code env}.
   */
  static Map<String, String> openblasDefaults(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    if (isBlank(env.get("OPENBLAS_THREAD_TIMEOUT"))) {
      out.put("OPENBLAS_THREAD_TIMEOUT", "16");
    }
    String arch = System.getProperty("os.arch", "");
    if (isBlank(env.get("OPENBLAS_CORETYPE")) && (arch.equals("amd64") || arch.equals("x86_64"))) {
      try {
        for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
          if (line.startsWith("flags")) {
            String flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
            if (flags.contains(" avx512f ")) {
              out.put("OPENBLAS_CORETYPE", "SkylakeX");
            } else if (flags.contains(" avx2 ")) {
              out.put("OPENBLAS_CORETYPE", "Haswell");
            }
            break;
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux, or unreadable: leave it to OpenBLAS
      }
    }
    return out;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
