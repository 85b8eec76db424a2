package io.horn.bsp.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hama.HamaConfiguration;

/**
 * A real Hama cluster on this machine: ZooKeeper, a BSPMaster and one GroomServer (and optionally
 * an HDFS NameNode and DataNode), each a child JVM started from this JVM's class path.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder(workDir).tasks(3).start()) {
 *   HamaConfiguration conf = cluster.conf();   // bsp.master.address etc. of this cluster
 *   BSPJob job = new BSPJob(conf, MyBsp.class);
 *   ...
 *   job.waitForCompletion(true);
 * }                                            // kills every child process
 * }</pre>
 *
 * <p>Everything the cluster writes stays in its work directory: {@code conf/} (the generated
 * {@code hama-site.xml}, {@code core-site.xml}, {@code hdfs-site.xml}; first on the children's class
 * path), {@code logs/} (one log per daemon, task logs under {@code logs/tasklogs/}), {@code pids/},
 * {@code cluster.properties}, and the daemons' data and temporary directories. Ports are free ports
 * picked when the cluster starts, unless a {@link Builder#siteFile site file} fixes them. Child JVMs
 * inherit this process's environment ({@code OPENBLAS_CORETYPE}, {@code OPENBLAS_THREAD_TIMEOUT}); when
 * those are unset they get the values {@code bin/horn} would choose.
 *
 * <p>{@link #main} ({@code start|stop|status <workdir>}) backs {@code bin/horn cluster}: there the
 * daemons outlive the JVM that started them and are stopped through their pid files.
 *
 * <p>A started cluster may be used from any thread; {@link #close()} may be called more than once
 * (and runs from a shutdown hook when the JVM exits first).
 */
public final class LocalCluster implements AutoCloseable {

  // This class is the cluster's handle and its builder. Starting one is ClusterStarter's work: the
  // settings come from ClusterSettings, the daemons are started by HdfsDaemons and HamaDaemons
  // through DaemonLauncher, and Daemon knows their pid files.

  // The layout of the work directory.
  static final String CONF_DIR = "conf";
  static final String LOG_DIR = "logs";
  static final String PID_DIR = "pids";
  static final String INFO_FILE = "cluster.properties";
  static final String LOG4J_FILE = "cluster-log4j.properties";
  static final String HDFS_WEBAPPS = "hdfs/webapps-classpath";

  private final Path workDir;
  private final Map<String, String> hamaSite;
  private final String masterAddress;
  private final String hdfsUri;
  private final int taskSlots;
  private final Map<Daemon, Process> processes = Collections.synchronizedMap(new EnumMap<>(Daemon.class));
  private final Thread shutdownHook;
  private volatile boolean closed;

  /**
   * A cluster whose daemons are yet to be started (by {@link ClusterStarter}, which {@link #register
   * registers} each one). Unless {@code detached}, a shutdown hook stops them when this JVM exits.
   */
  LocalCluster(Path workDir, Map<String, String> hamaSite, String hdfsUri, boolean detached) {
    this.workDir = workDir;
    this.hamaSite = Collections.unmodifiableMap(new LinkedHashMap<>(hamaSite));
    this.masterAddress = hamaSite.get("bsp.master.address");
    this.hdfsUri = hdfsUri;
    this.taskSlots = Integer.parseInt(hamaSite.get("bsp.tasks.maximum").trim());
    if (detached) {
      shutdownHook = null;
    } else {
      shutdownHook = new Thread(this::killAll, "LocalCluster-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /** A builder for a cluster whose files all go under {@code workDir} (created when missing). */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** Starts a cluster with the defaults (3 task slots, no HDFS) in {@code workDir}. */
  public static LocalCluster start(Path workDir) throws IOException {
    return builder(workDir).start();
  }

  // ---------------------------------------------------------------------------------------------
  // What callers use
  // ---------------------------------------------------------------------------------------------

  /**
   * A new configuration for submitting jobs to this cluster: Hama's resources plus every key of the
   * generated {@code hama-site.xml} ({@code bsp.master.address}, {@code fs.defaultFS}, {@code
   * bsp.child.java.opts}, ...). Each call returns a fresh copy.
   *
   * <p>It first calls {@link ClassLoaders#ensureUrlContextLoader()} on the calling thread, so that
   * Hama code run in this JVM (local runners, partitioning) does not fail on JDK 9+.
   */
  public HamaConfiguration conf() {
    ClassLoaders.ensureUrlContextLoader();
    HamaConfiguration conf = new HamaConfiguration();
    for (Map.Entry<String, String> e : hamaSite.entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return conf;
  }

  /** The BSPMaster's RPC address, {@code host:port} (the value of {@code bsp.master.address}). */
  public String masterAddress() {
    return masterAddress;
  }

  /** {@code hdfs://localhost:PORT} when the cluster runs HDFS, else null. */
  public String hdfsUri() {
    return hdfsUri;
  }

  /** The task slots of the one GroomServer ({@code bsp.tasks.maximum}). */
  public int taskSlots() {
    return taskSlots;
  }

  /** The {@code bsp.child.java.opts} of this cluster (heap, class-loader flag, ...). */
  public String childJavaOpts() {
    return hamaSite.get("bsp.child.java.opts");
  }

  /** The generated {@code hama-site.xml} settings. */
  public Map<String, String> settings() {
    return hamaSite;
  }

  public Path workDir() {
    return workDir;
  }

  /** The directory with the generated {@code hama-site.xml}, {@code core-site.xml}, ... */
  public Path confDir() {
    return workDir.resolve(CONF_DIR);
  }

  /** The directory with one log per daemon and the task logs ({@code tasklogs/<job>/}). */
  public Path logDir() {
    return workDir.resolve(LOG_DIR);
  }

  /** The log file of a daemon: {@code zookeeper}, {@code bspmaster}, {@code groomserver}, ... */
  public Path logFile(String daemon) {
    return logDir().resolve(daemon + ".log");
  }

  /**
   * The live processes of this cluster now: the daemons and their descendants (the GroomServer's
   * task JVMs).
   */
  public List<ProcessHandle> processes() {
    List<ProcessHandle> out = new ArrayList<>();
    synchronized (processes) {
      for (Process p : processes.values()) {
        ProcessHandle h = p.toHandle();
        if (h.isAlive()) {
          out.add(h);
        }
        h.descendants().filter(ProcessHandle::isAlive).forEach(out::add);
      }
    }
    return out;
  }

  /** True while every daemon of this cluster is alive. */
  public boolean isAlive() {
    synchronized (processes) {
      return !closed && !processes.isEmpty() && processes.values().stream().allMatch(Process::isAlive);
    }
  }

  /** Makes {@code p}, daemon {@code d} of this cluster, one that {@link #close()} stops. */
  void register(Daemon d, Process p) {
    processes.put(d, p);
  }

  /**
   * Stops the cluster: every daemon and its descendants get SIGTERM, then SIGKILL after 10 s. Files
   * in the work directory (logs, generated configuration) stay; nothing outside it is touched.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    killAll();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down; the hook runs or ran
      }
    }
  }

  private void killAll() {
    closed = true;
    List<ProcessHandle> handles = new ArrayList<>();
    synchronized (processes) {
      List<Daemon> order = new ArrayList<>(processes.keySet());
      Collections.reverse(order);
      for (Daemon d : order) {
        handles.add(processes.get(d).toHandle());
      }
    }
    Processes.terminate(handles, Duration.ofSeconds(10));
    synchronized (processes) {
      for (Daemon d : processes.keySet()) {
        try {
          Files.deleteIfExists(d.pidFile(workDir));
        } catch (IOException e) {
          // best effort
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Builder
  // ---------------------------------------------------------------------------------------------

  /** Settings of a {@link LocalCluster}; {@link #start()} starts it. */
  public static final class Builder {
    // Read by ClusterStarter, ClusterSettings and DaemonLauncher when the cluster starts.
    final Path workDir;
    int tasks = 3;
    boolean tasksSet;
    boolean hdfs;
    String childHeap = "1g";
    String daemonHeap = "512m";
    String childJvmOptions = "";
    Duration startTimeout = Duration.ofSeconds(120);
    Path siteFile;
    final Map<String, String> extra = new LinkedHashMap<>();
    final Map<String, String> environment = new LinkedHashMap<>();
    List<String> classpath;
    boolean detached;
    private PrintStream progress;

    private Builder(Path workDir) {
      this.workDir = workDir.toAbsolutePath().normalize();
    }

    /**
     * Task slots of the GroomServer ({@code bsp.tasks.maximum}); default 3 (or the site file's
     * value). Set here, it wins over a site file.
     */
    public Builder tasks(int slots) {
      if (slots < 1) {
        throw new IllegalArgumentException("tasks must be >= 1, got " + slots);
      }
      this.tasks = slots;
      this.tasksSet = true;
      return this;
    }

    /** Also run HDFS (a NameNode and a DataNode) and make it {@code fs.defaultFS}; default off. */
    public Builder hdfs(boolean on) {
      this.hdfs = on;
      return this;
    }

    /**
     * Heap of each task JVM ({@code -Xmx} in the generated {@code bsp.child.java.opts}); default
     * {@code 1g}. A site file's {@code bsp.child.java.opts} replaces the generated options.
     */
    public Builder childHeap(String heap) {
      this.childHeap = checkHeap(heap);
      return this;
    }

    /** Heap of each daemon JVM; default {@code 512m}. */
    public Builder daemonHeap(String heap) {
      this.daemonHeap = checkHeap(heap);
      return this;
    }

    /** More JVM options for task JVMs, space separated (Hama splits on single spaces). */
    public Builder childJvmOptions(String options) {
      this.childJvmOptions = options == null ? "" : options.trim();
      return this;
    }

    /** How long {@link #start()} waits for the cluster to answer; default 120 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * A {@code hama-site.xml} to take settings from. Used only when it names a cluster master
     * ({@code bsp.master.address=host:port}, not {@code local}): then its ports are fixed (and
     * checked to be free before anything starts) and its other settings override the generated
     * ones, except the directories, which always stay in the work directory. Ports it does not set
     * are picked free. A site file in local mode is ignored.
     */
    public Builder siteFile(Path file) {
      this.siteFile = file;
      return this;
    }

    /** An extra {@code hama-site.xml} setting; it wins over generated and site-file values. */
    public Builder set(String key, String value) {
      extra.put(key, value);
      return this;
    }

    /** An environment variable for every child JVM (on top of this process's environment). */
    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** The children's class path (absolute entries); default: this JVM's, see {@link #currentClasspath()}. */
    public Builder classpath(List<String> entries) {
      this.classpath = new ArrayList<>(entries);
      return this;
    }

    /** Daemons outlive this JVM (no shutdown hook; own session through setsid when present). */
    Builder detached(boolean on) {
      this.detached = on;
      return this;
    }

    /** Where to report progress lines (null: nowhere). */
    Builder progress(PrintStream out) {
      this.progress = out;
      return this;
    }

    /**
     * Starts the daemons and returns once the BSPMaster reports one GroomServer (and HDFS, when on,
     * has a live DataNode and is out of safe mode).
     *
     * @throws IOException when a port is taken, a daemon dies, or the cluster does not answer
     *     within the start timeout; the message names the daemon and ends with its log's last
     *     lines. Whatever was started is stopped again.
     */
    public LocalCluster start() throws IOException {
      return new ClusterStarter(this).start();
    }

    /** Reports a progress line where {@link #progress(PrintStream)} said, if anywhere. */
    void say(String line) {
      if (progress != null) {
        progress.println(line);
        progress.flush();
      }
    }

    private static String checkHeap(String heap) {
      if (heap == null || !heap.matches("[0-9]+[kKmMgG]?")) {
        throw new IllegalArgumentException("heap must look like 512m or 2g, got " + heap);
      }
      return heap;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers (also used by tests and the command line)
  // ---------------------------------------------------------------------------------------------

  /**
   * This JVM's class path as absolute entries. A "pathing jar" (a jar that holds only a manifest
   * {@code Class-Path}, such as Surefire's booter jar) is replaced by the entries it lists.
   */
  public static List<String> currentClasspath() {
    return Classpaths.current();
  }

  /** The last {@code lines} lines of a file (at most 64 KiB of it), or a note when unreadable. */
  public static String tail(Path file, int lines) {
    return DaemonLauncher.tail(file, lines);
  }

  /**
   * {@code start <workdir> [--hdfs] [--tasks N] [--site FILE] [--child-heap SIZE] [--timeout SECONDS]},
   * {@code stop <workdir>}, {@code status <workdir>}. See {@code bin/horn cluster}.
   */
  public static void main(String[] args) {
    System.exit(ClusterCli.run(args, System.out, System.err));
  }
}
