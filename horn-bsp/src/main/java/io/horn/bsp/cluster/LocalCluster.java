package io.horn.bsp.cluster;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJobClient;
import org.apache.hama.bsp.ClusterStatus;

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
 */
public final class LocalCluster implements AutoCloseable {

  /** The daemons, in start order. */
  enum Daemon {
    NAMENODE("namenode", "NameNode", "org.apache.hadoop.hdfs.server.namenode.NameNode", false),
    DATANODE("datanode", "DataNode", "org.apache.hadoop.hdfs.server.datanode.DataNode", false),
    ZOOKEEPER("zookeeper", "ZooKeeper", "org.apache.hama.ZooKeeperRunner", true),
    BSPMASTER("bspmaster", "BSPMaster", "org.apache.hama.BSPMasterRunner", true),
    GROOMSERVER("groomserver", "GroomServer", "org.apache.hama.GroomServerRunner", true);

    final String id;
    final String title;
    final String mainClass;
    final boolean hama;

    Daemon(String id, String title, String mainClass, boolean hama) {
      this.id = id;
      this.title = title;
      this.mainClass = mainClass;
      this.hama = hama;
    }
  }

  static final String CONF_DIR = "conf";
  static final String LOG_DIR = "logs";
  static final String PID_DIR = "pids";
  static final String INFO_FILE = "cluster.properties";
  static final String LOG4J_FILE = "cluster-log4j.properties";
  static final String HDFS_WEBAPPS = "hdfs/webapps-classpath";
  static final String DAEMON_MARK = "-Dhorn.cluster.daemon=";
  static final String WORKDIR_MARK = "-Dhorn.cluster.workdir=";

  /** Keys that always point into the work directory, whatever a site file says. */
  static final List<String> DIR_KEYS = List.of("hama.tmp.dir", "hadoop.tmp.dir", "bsp.system.dir",
      "bsp.local.dir", "bsp.disk.queue.dir", "hama.zookeeper.property.dataDir",
      "dfs.namenode.name.dir", "dfs.datanode.data.dir");

  private final Path workDir;
  private final Map<String, String> hamaSite;
  private final String masterAddress;
  private final String hdfsUri;
  private final int taskSlots;
  private final boolean detached;
  private final Map<Daemon, Process> processes = Collections.synchronizedMap(new EnumMap<>(Daemon.class));
  private final Thread shutdownHook;
  private volatile boolean closed;

  private LocalCluster(Path workDir, Map<String, String> hamaSite, String hdfsUri, boolean detached) {
    this.workDir = workDir;
    this.hamaSite = Collections.unmodifiableMap(new LinkedHashMap<>(hamaSite));
    this.masterAddress = hamaSite.get("bsp.master.address");
    this.hdfsUri = hdfsUri;
    this.taskSlots = Integer.parseInt(hamaSite.get("bsp.tasks.maximum").trim());
    this.detached = detached;
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
          Files.deleteIfExists(pidFile(workDir, d));
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
    private final Path workDir;
    private int tasks = 3;
    private boolean tasksSet;
    private boolean hdfs;
    private String childHeap = "1g";
    private String daemonHeap = "512m";
    private String childJvmOptions = "";
    private Duration startTimeout = Duration.ofSeconds(120);
    private Path siteFile;
    private final Map<String, String> extra = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private List<String> classpath;
    private boolean detached;
    private java.io.PrintStream progress;

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
    Builder progress(java.io.PrintStream out) {
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
      return new Starter(this).start();
    }

    private static String checkHeap(String heap) {
      if (heap == null || !heap.matches("[0-9]+[kKmMgG]?")) {
        throw new IllegalArgumentException("heap must look like 512m or 2g, got " + heap);
      }
      return heap;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Starting
  // ---------------------------------------------------------------------------------------------

  /** One start attempt. */
  private static final class Starter {
    private final Builder b;
    private final Path work;
    private final Set<Integer> usedPorts = new HashSet<>();
    private final Map<String, Integer> fixedPorts = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private LocalCluster cluster;
    private long deadlineNanos;

    Starter(Builder b) {
      this.b = b;
      this.work = b.workDir;
    }

    LocalCluster start() throws IOException {
      long t0 = System.nanoTime();
      deadlineNanos = t0 + b.startTimeout.toNanos();
      Files.createDirectories(work);
      List<String> running = runningDaemons(work);
      if (!running.isEmpty()) {
        throw new IOException("a cluster is already running from " + work + " ("
            + String.join(", ", running) + "); stop it first (bin/horn cluster stop)");
      }

      Map<String, String> site = siteOverrides();
      Map<String, String> hama = new LinkedHashMap<>();
      Map<String, String> core = new LinkedHashMap<>();
      Map<String, String> hdfsSite = new LinkedHashMap<>();
      String hdfsUri = composeConfiguration(site, hama, core, hdfsSite);
      checkFixedPorts();
      env.putAll(openblasDefaults(System.getenv()));
      env.putAll(b.environment);

      Path confDir = work.resolve(CONF_DIR);
      Files.createDirectories(confDir);
      Files.createDirectories(work.resolve(LOG_DIR));
      Files.createDirectories(work.resolve(PID_DIR));
      Files.createDirectories(work.resolve("tmp"));
      String header = "Generated by io.horn.bsp.cluster.LocalCluster for the cluster in\n" + work
          + "\nIt is rewritten on every start; edit the site file you pass instead.";
      SiteXml.write(confDir.resolve("hama-site.xml"), header, hama);
      SiteXml.write(confDir.resolve("core-site.xml"), header, core);
      if (hdfsUri != null) {
        SiteXml.write(confDir.resolve("hdfs-site.xml"), header, hdfsSite);
      } else {
        Files.deleteIfExists(confDir.resolve("hdfs-site.xml"));
      }
      Files.writeString(confDir.resolve(LOG4J_FILE), LOG4J, StandardCharsets.UTF_8);

      cluster = new LocalCluster(work, hama, hdfsUri, b.detached);
      try {
        if (hdfsUri != null) {
          startHdfs(hdfsUri);
        }
        int zkPort = Integer.parseInt(hama.get("hama.zookeeper.property.clientPort").trim());
        Process zk = launch(Daemon.ZOOKEEPER, List.of());
        awaitZooKeeper(zk, zkPort);
        Process master = launch(Daemon.BSPMASTER, List.of());
        InetSocketAddress masterAddr = hostPort(cluster.masterAddress, "bsp.master.address");
        awaitPort(Daemon.BSPMASTER, master, masterAddr.getHostString(), masterAddr.getPort());
        Process groom = launch(Daemon.GROOMSERVER, List.of());
        awaitGroom(master, groom);
      } catch (IOException | RuntimeException e) {
        cluster.close();
        throw e;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      writeInfo(secs);
      say(String.format(Locale.ROOT, "cluster up in %.1f s", secs));
      return cluster;
    }

    private void say(String line) {
      if (b.progress != null) {
        b.progress.println(line);
        b.progress.flush();
      }
    }

    /** The site file's settings, or an empty map when there is none or it is in local mode. */
    private Map<String, String> siteOverrides() throws IOException {
      if (b.siteFile == null) {
        return Map.of();
      }
      Map<String, String> site = SiteXml.read(b.siteFile);
      String master = site.get("bsp.master.address");
      if (master == null || master.isBlank() || master.trim().equals("local")) {
        say("note: " + b.siteFile + " is in local mode (bsp.master.address="
            + (master == null ? "unset" : master.trim()) + "); picking free ports");
        return Map.of();
      }
      say("taking settings (and fixed ports) from " + b.siteFile);
      return site;
    }

    private String composeConfiguration(Map<String, String> site, Map<String, String> hama,
        Map<String, String> core, Map<String, String> hdfsSite) throws IOException {
      String w = work.toString();
      boolean spaces = w.contains(" ");

      // Ports that the site file fixes.
      String master = trimOrNull(site.get("bsp.master.address"));
      String masterHost = "localhost";
      if (master != null) {
        int colon = master.lastIndexOf(':');
        if (colon > 0) {
          masterHost = master.substring(0, colon);
          int port = parsePort(master.substring(colon + 1), "bsp.master.address");
          if (port != 0) {
            fixedPorts.put("bsp.master.address", port);
          }
        } else {
          masterHost = master;
        }
      }
      for (String key : List.of("bsp.http.infoserver.port", "bsp.groom.rpc.port",
          "bsp.http.groomserver.port", "bsp.peer.port", "hama.zookeeper.property.clientPort")) {
        String v = trimOrNull(site.get(key));
        if (v != null) {
          int port = parsePort(v, key);
          if (port != 0) {
            fixedPorts.put(key, port);
          }
        }
      }
      String siteFs = trimOrNull(site.get("fs.defaultFS"));
      if (b.hdfs && siteFs != null && siteFs.startsWith("hdfs://")) {
        URI u = URI.create(siteFs);
        if (u.getPort() > 0) {
          fixedPorts.put("fs.defaultFS", u.getPort());
        }
      }
      usedPorts.addAll(fixedPorts.values());

      hama.put("bsp.master.address", masterHost + ":" + port("bsp.master.address"));
      hama.put("bsp.http.infoserver.port", String.valueOf(port("bsp.http.infoserver.port")));
      hama.put("bsp.groom.rpc.port", String.valueOf(port("bsp.groom.rpc.port")));
      hama.put("bsp.http.groomserver.port", String.valueOf(port("bsp.http.groomserver.port")));
      hama.put("bsp.peer.port", String.valueOf(port("bsp.peer.port")));
      hama.put("bsp.groom.report.address", "127.0.0.1:0");
      hama.put("bsp.tasks.maximum", String.valueOf(b.tasks));
      StringBuilder child = new StringBuilder("-Xmx" + b.childHeap + " " + ClassLoaders.SYSTEM_LOADER_FLAG
          + " --add-modules=jdk.incubator.vector");
      if (!spaces) {
        child.append(" -Djava.io.tmpdir=").append(w).append("/tmp");
        child.append(" -Dlog4j.configuration=").append(work.resolve(CONF_DIR).resolve(LOG4J_FILE).toUri());
      }
      if (!b.childJvmOptions.isEmpty()) {
        child.append(' ').append(b.childJvmOptions.replaceAll("\\s+", " "));
      }
      hama.put("bsp.child.java.opts", child.toString());
      hama.put("hama.zookeeper.quorum", "localhost");
      hama.put("hama.zookeeper.property.clientPort", String.valueOf(port("hama.zookeeper.property.clientPort")));
      hama.put("hama.zookeeper.property.tickTime", "2000");
      hama.put("hama.zookeeper.property.initLimit", "10");
      hama.put("hama.zookeeper.property.syncLimit", "5");
      hama.put("hama.zookeeper.property.maxClientCnxns", "200");

      String hdfsUri = null;
      int nnHttp = 0;
      if (b.hdfs) {
        hdfsUri = "hdfs://localhost:" + port("fs.defaultFS");
        nnHttp = port("dfs.namenode.http-address");
        hama.put("fs.defaultFS", hdfsUri);
      } else {
        hama.put("fs.defaultFS", siteFs != null ? siteFs : "file:///");
      }
      putDirs(hama, w, b.hdfs);

      // Site file, then the builder's own settings, win; directories always stay in the work dir,
      // and the addresses were taken from the site file above.
      Set<String> handled = new HashSet<>(DIR_KEYS);
      handled.addAll(List.of("bsp.master.address", "bsp.http.infoserver.port", "bsp.groom.rpc.port",
          "bsp.http.groomserver.port", "bsp.peer.port", "hama.zookeeper.property.clientPort"));
      if (b.hdfs) {
        handled.add("fs.defaultFS");
      }
      for (Map.Entry<String, String> e : site.entrySet()) {
        if (!handled.contains(e.getKey())) {
          hama.put(e.getKey(), e.getValue());
        }
      }
      if (b.tasksSet) {
        hama.put("bsp.tasks.maximum", String.valueOf(b.tasks));
      }
      for (Map.Entry<String, String> e : b.extra.entrySet()) {
        hama.put(e.getKey(), e.getValue());
      }
      putDirs(hama, w, b.hdfs);
      String opts = hama.get("bsp.child.java.opts");
      if (opts == null || !opts.contains("java.system.class.loader")) {
        hama.put("bsp.child.java.opts", ((opts == null ? "" : opts.trim()) + " "
            + ClassLoaders.SYSTEM_LOADER_FLAG).trim());
      }
      try {
        int slots = Integer.parseInt(hama.get("bsp.tasks.maximum").trim());
        if (slots < 1) {
          throw new NumberFormatException();
        }
      } catch (RuntimeException e) {
        throw new IOException("bsp.tasks.maximum must be a number >= 1, got " + hama.get("bsp.tasks.maximum"));
      }

      core.put("fs.defaultFS", hama.get("fs.defaultFS"));
      core.put("hadoop.tmp.dir", hama.get("hadoop.tmp.dir"));
      if (b.hdfs) {
        hdfsSite.put("dfs.replication", "1");
        hdfsSite.put("dfs.namenode.name.dir", work.resolve("hdfs/name").toUri().toString());
        hdfsSite.put("dfs.datanode.data.dir", work.resolve("hdfs/data").toUri().toString());
        hdfsSite.put("dfs.namenode.http-address", "127.0.0.1:" + nnHttp);
        hdfsSite.put("dfs.namenode.secondary.http-address", "127.0.0.1:0");
        hdfsSite.put("dfs.datanode.address", "127.0.0.1:0");
        hdfsSite.put("dfs.datanode.http.address", "127.0.0.1:0");
        hdfsSite.put("dfs.datanode.ipc.address", "127.0.0.1:0");
        hdfsSite.put("dfs.datanode.hostname", "127.0.0.1");
        hdfsSite.put("dfs.namenode.datanode.registration.ip-hostname-check", "false");
        hdfsSite.put("dfs.namenode.safemode.extension", "0");
        hdfsSite.put("dfs.permissions.enabled", "false");
        hdfsSite.put("dfs.heartbeat.interval", "1");
        for (String key : List.of("dfs.replication", "dfs.permissions.enabled")) {
          if (site.containsKey(key)) {
            hdfsSite.put(key, site.get(key));
          }
        }
        hama.put("dfs.replication", hdfsSite.get("dfs.replication"));
      }
      return hdfsUri;
    }

    private static void putDirs(Map<String, String> hama, String w, boolean hdfs) {
      hama.put("hama.tmp.dir", w + "/tmp/hama");
      hama.put("hadoop.tmp.dir", w + "/tmp/hadoop");
      // On the default file system: in HDFS when it runs, else in the work directory.
      hama.put("bsp.system.dir", hdfs ? "/tmp/hama/bsp/system" : w + "/bsp/system");
      hama.put("bsp.local.dir", w + "/bsp/local");
      hama.put("bsp.disk.queue.dir", w + "/tmp/hama/messages/");
      hama.put("hama.zookeeper.property.dataDir", w + "/zookeeper");
    }

    private int port(String key) throws IOException {
      Integer fixed = fixedPorts.get(key);
      if (fixed != null) {
        return fixed;
      }
      for (int attempt = 0; attempt < 50; attempt++) {
        int p = freePort();
        if (usedPorts.add(p)) {
          return p;
        }
      }
      throw new IOException("cannot find a free port for " + key);
    }

    private void checkFixedPorts() throws IOException {
      for (Map.Entry<String, Integer> e : fixedPorts.entrySet()) {
        if (!portFree(e.getValue())) {
          throw new IOException("port " + e.getValue() + " (" + e.getKey() + ") is already in use"
              + (b.siteFile != null ? "; it comes from " + b.siteFile : ""));
        }
      }
    }

    // --- HDFS ---

    private void startHdfs(String hdfsUri) throws IOException {
      Path name = work.resolve("hdfs/name");
      if (!Files.isRegularFile(name.resolve("current/VERSION"))) {
        // A fresh namespace; an old DataNode directory would carry another cluster id.
        Processes.deleteTree(work.resolve("hdfs"), work);
        say("formatting HDFS in " + name);
        Process format = launch(Daemon.NAMENODE, List.of("-format", "-nonInteractive", "-force"),
            "namenode-format", false);
        try {
          if (!format.waitFor(Math.max(1, remainingMillis()), TimeUnit.MILLISECONDS)) {
            format.destroyForcibly();
            throw failure(Daemon.NAMENODE, "NameNode -format did not finish in time",
                logPath("namenode-format"));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          format.destroyForcibly();
          throw new IOException("interrupted while formatting HDFS", e);
        }
        if (format.exitValue() != 0) {
          throw failure(Daemon.NAMENODE, "NameNode -format exited with code " + format.exitValue(),
              logPath("namenode-format"));
        }
      }
      URI uri = URI.create(hdfsUri);
      writeHdfsWebapps();
      Process nn = launch(Daemon.NAMENODE, List.of());
      awaitPort(Daemon.NAMENODE, nn, uri.getHost(), uri.getPort());
      Process dn = launch(Daemon.DATANODE, List.of());
      awaitHdfs(hdfsUri, nn, dn);
    }

    /**
     * Hadoop 2.10's hadoop-hdfs jar lacks the {@code webapps/} tree that the NameNode's and
     * DataNode's HTTP servers need (only its tests jar has it); without it they exit with "webapps/hdfs
     * not found in CLASSPATH". Stand-ins (empty web applications) go last on those daemons' class
     * path, so real ones win where present.
     */
    private void writeHdfsWebapps() throws IOException {
      Path root = work.resolve(HDFS_WEBAPPS).resolve("webapps");
      String webXml = "<?xml version=\"1.0\"?>\n<web-app version=\"2.4\" "
          + "xmlns=\"http://java.sun.com/xml/ns/j2ee\">\n</web-app>\n";
      for (String app : List.of("hdfs", "datanode", "secondary", "journal")) {
        Path dir = root.resolve(app).resolve("WEB-INF");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("web.xml"), webXml, StandardCharsets.UTF_8);
        Files.writeString(root.resolve(app).resolve("index.html"), "<html><body>Horn local HDFS ("
            + app + "): the web UI is not packaged; use bin/horn class org.apache.hadoop.fs.FsShell"
            + "</body></html>\n", StandardCharsets.UTF_8);
      }
      Files.createDirectories(root.resolve("static"));
      Files.writeString(root.resolve("static").resolve("README.txt"), "placeholder\n",
          StandardCharsets.UTF_8);
    }

    private void awaitHdfs(String hdfsUri, Process nn, Process dn) throws IOException {
      Configuration c = new Configuration();
      c.set("fs.defaultFS", hdfsUri);
      c.setInt("ipc.client.connect.max.retries", 1);
      c.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
      String last = "no answer yet";
      try (FileSystem fs = FileSystem.newInstance(URI.create(hdfsUri), c)) {
        DistributedFileSystem dfs = (DistributedFileSystem) fs;
        while (true) {
          checkAlive(Daemon.NAMENODE, nn);
          checkAlive(Daemon.DATANODE, dn);
          try {
            boolean safe = dfs.setSafeMode(HdfsConstants.SafeModeAction.SAFEMODE_GET);
            DatanodeInfo[] live = dfs.getDataNodeStats(HdfsConstants.DatanodeReportType.LIVE);
            long remaining = 0;
            for (DatanodeInfo d : live) {
              remaining += d.getRemaining();
            }
            if (!safe && live.length >= 1 && remaining > 0) {
              say("HDFS up at " + hdfsUri);
              return;
            }
            last = (safe ? "in safe mode" : "out of safe mode") + ", " + live.length
                + " live DataNode(s), " + remaining + " bytes free";
          } catch (IOException e) {
            last = e.toString();
          }
          if (System.nanoTime() > deadlineNanos) {
            Daemon d = last.contains("live DataNode") ? Daemon.DATANODE : Daemon.NAMENODE;
            throw failure(d, "HDFS at " + hdfsUri + " was not ready within " + b.startTimeout.toSeconds()
                + " s (" + last + ")", logPath(d.id));
          }
          sleep(200);
        }
      }
    }

    // --- Hama ---

    private void awaitGroom(Process master, Process groom) throws IOException {
      HamaConfiguration conf = cluster.conf();
      conf.setInt("ipc.client.connect.max.retries", 1);
      String last = "no answer yet";
      BSPJobClient client = null;
      try {
        while (true) {
          checkAlive(Daemon.BSPMASTER, master);
          checkAlive(Daemon.GROOMSERVER, groom);
          try {
            if (client == null) {
              client = new BSPJobClient(conf);
            }
            ClusterStatus st = client.getClusterStatus(false);
            if (st != null && st.getGroomServers() >= 1) {
              say("BSPMaster at " + cluster.masterAddress + ": " + st.getGroomServers() + " groom, "
                  + st.getMaxTasks() + " task slots");
              return;
            }
            last = st == null ? "no status" : st.getGroomServers() + " GroomServers registered";
          } catch (IOException | RuntimeException e) {
            last = e.toString();
          }
          if (System.nanoTime() > deadlineNanos) {
            boolean masterAnswered = last.contains("GroomServers registered");
            Daemon d = masterAnswered ? Daemon.GROOMSERVER : Daemon.BSPMASTER;
            throw failure(d, (masterAnswered ? "no GroomServer registered with the BSPMaster at "
                : "the BSPMaster at ") + cluster.masterAddress + (masterAnswered ? "" : " did not answer")
                + " within " + b.startTimeout.toSeconds() + " s (" + last + ")", logPath(d.id));
          }
          sleep(250);
        }
      } finally {
        if (client != null) {
          try {
            client.close();
          } catch (IOException | RuntimeException e) {
            // ignore
          }
        }
      }
    }

    // --- processes ---

    private Process launch(Daemon d, List<String> args) throws IOException {
      return launch(d, args, d.id, true);
    }

    private Process launch(Daemon d, List<String> args, String logName, boolean register)
        throws IOException {
      List<String> cp = b.classpath != null ? b.classpath : currentClasspath();
      List<String> entries = new ArrayList<>();
      entries.add(work.resolve(CONF_DIR).toString());
      for (String e : cp) {
        if (!e.equals(entries.get(0))) {
          entries.add(e);
        }
      }
      if (!d.hama) {
        entries.add(work.resolve(HDFS_WEBAPPS).toString());
      }
      List<String> cmd = new ArrayList<>();
      if (b.detached && register) {
        for (String s : List.of("/usr/bin/setsid", "/bin/setsid")) {
          if (Files.isExecutable(Paths.get(s))) {
            cmd.add(s);
            break;
          }
        }
      }
      cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add(DAEMON_MARK + d.id);
      cmd.add(WORKDIR_MARK + work);
      cmd.add("-Xmx" + (d == Daemon.ZOOKEEPER || d == Daemon.DATANODE ? "256m" : b.daemonHeap));
      cmd.add("-XX:+UseSerialGC");
      if (d.hama) {
        cmd.add(ClassLoaders.SYSTEM_LOADER_FLAG);
      }
      cmd.add("-Djava.io.tmpdir=" + work.resolve("tmp"));
      cmd.add("-Dhama.log.dir=" + work.resolve(LOG_DIR));
      cmd.add("-Dhadoop.log.dir=" + work.resolve(LOG_DIR));
      cmd.add("-Dlog4j.configuration=" + work.resolve(CONF_DIR).resolve(LOG4J_FILE).toUri());
      cmd.add("-cp");
      cmd.add(String.join(File.pathSeparator, entries));
      cmd.add(d.mainClass);
      cmd.addAll(args);

      Path log = logPath(logName);
      Files.writeString(log, String.format("==== %s: starting %s (%s)%n", java.time.Instant.now(),
          d.title, d.mainClass), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
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
        cluster.processes.put(d, p);
        Files.writeString(pidFile(work, d), p.pid() + "\n", StandardCharsets.UTF_8);
      }
      return p;
    }

    private void awaitPort(Daemon d, Process p, String host, int port) throws IOException {
      while (true) {
        checkAlive(d, p);
        if (listening(host, port)) {
          return;
        }
        if (System.nanoTime() > deadlineNanos) {
          throw failure(d, d.title + " did not open port " + port + " within "
              + b.startTimeout.toSeconds() + " s", logPath(d.id));
        }
        sleep(100);
      }
    }

    /** ZooKeeper answers its "ruok" four-letter command with "imok" once it serves. */
    private void awaitZooKeeper(Process p, int port) throws IOException {
      while (true) {
        checkAlive(Daemon.ZOOKEEPER, p);
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("localhost", port), 500);
          s.setSoTimeout(2000);
          s.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          if (new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII).equals("imok")) {
            return;
          }
        } catch (IOException e) {
          // not yet
        }
        if (System.nanoTime() > deadlineNanos) {
          throw failure(Daemon.ZOOKEEPER, "ZooKeeper did not answer on port " + port + " within "
              + b.startTimeout.toSeconds() + " s", logPath(Daemon.ZOOKEEPER.id));
        }
        sleep(100);
      }
    }

    private void checkAlive(Daemon d, Process p) throws IOException {
      if (!p.isAlive()) {
        throw failure(d, d.title + " (" + d.mainClass + ") exited with code " + p.exitValue()
            + " while the cluster was starting", logPath(d.id));
      }
    }

    private IOException failure(Daemon d, String what, Path log) {
      return new IOException(what + "; last lines of " + log + ":\n" + tail(log, 30));
    }

    private Path logPath(String name) {
      return work.resolve(LOG_DIR).resolve(name + ".log");
    }

    private long remainingMillis() {
      return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private void writeInfo(double secs) throws IOException {
      Properties p = new Properties();
      p.setProperty("master.address", cluster.masterAddress);
      p.setProperty("tasks", String.valueOf(cluster.taskSlots));
      p.setProperty("zookeeper.port", cluster.hamaSite.get("hama.zookeeper.property.clientPort"));
      p.setProperty("master.http.port", cluster.hamaSite.get("bsp.http.infoserver.port"));
      if (cluster.hdfsUri != null) {
        p.setProperty("hdfs.uri", cluster.hdfsUri);
      }
      p.setProperty("fs.defaultFS", cluster.hamaSite.get("fs.defaultFS"));
      p.setProperty("conf.dir", cluster.confDir().toString());
      p.setProperty("log.dir", cluster.logDir().toString());
      p.setProperty("started", java.time.Instant.now().toString());
      p.setProperty("startup.seconds", String.format(Locale.ROOT, "%.1f", secs));
      try (var out = Files.newBufferedWriter(work.resolve(INFO_FILE), StandardCharsets.UTF_8)) {
        p.store(out, "Horn local Hama cluster (io.horn.bsp.cluster.LocalCluster)");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers (also used by the command line)
  // ---------------------------------------------------------------------------------------------

  static final String LOG4J = String.join("\n",
      "# Logging of the daemons and task JVMs of a Horn local cluster (generated).",
      "log4j.rootLogger=INFO, console",
      "log4j.appender.console=org.apache.log4j.ConsoleAppender",
      "log4j.appender.console.target=System.out",
      "log4j.appender.console.layout=org.apache.log4j.PatternLayout",
      "log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss,SSS} %-5p %c{1}: %m%n",
      "log4j.logger.org.apache.zookeeper=WARN",
      "log4j.logger.org.mortbay=WARN",
      "log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR",
      "");

  static Path pidFile(Path workDir, Daemon d) {
    return workDir.resolve(PID_DIR).resolve(d.id + ".pid");
  }

  /** Descriptions ("bspmaster (pid 123)") of the daemons of {@code workDir} that are alive now. */
  static List<String> runningDaemons(Path workDir) {
    List<String> out = new ArrayList<>();
    for (Daemon d : Daemon.values()) {
      Optional<ProcessHandle> h = daemonHandle(workDir, d);
      h.ifPresent(ph -> out.add(d.id + " (pid " + ph.pid() + ")"));
    }
    return out;
  }

  /** The live process of daemon {@code d} of {@code workDir}, from its pid file. */
  static Optional<ProcessHandle> daemonHandle(Path workDir, Daemon d) {
    Long pid = readPid(workDir, d);
    if (pid == null) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> ownedBy(h, d, workDir));
  }

  static Long readPid(Path workDir, Daemon d) {
    Path f = pidFile(workDir, d);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim());
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** Whether {@code h} runs daemon {@code d} of {@code workDir} (guards against reused pids). */
  static boolean ownedBy(ProcessHandle h, Daemon d, Path workDir) {
    Optional<String> cmd = h.info().commandLine();
    if (cmd.isEmpty()) {
      Optional<String[]> args = h.info().arguments();
      if (args.isEmpty()) {
        return true; // cannot tell (another user's process, or no /proc): trust the pid file
      }
      cmd = Optional.of(String.join(" ", args.get()));
    }
    String s = cmd.get();
    return s.contains(DAEMON_MARK + d.id + " ") && s.contains(WORKDIR_MARK + workDir + " ");
  }

  /**
   * This JVM's class path as absolute entries. A "pathing jar" (a jar that holds only a manifest
   * {@code Class-Path}, such as Surefire's booter jar) is replaced by the entries it lists.
   */
  public static List<String> currentClasspath() {
    Set<String> out = new LinkedHashSet<>();
    String cp = System.getProperty("java.class.path", "");
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      File f = new File(entry).getAbsoluteFile();
      if (f.isFile() && f.getName().endsWith(".jar")) {
        List<String> listed = pathingJarEntries(f);
        if (listed != null) {
          out.addAll(listed);
          continue;
        }
      }
      out.add(f.getPath());
    }
    return new ArrayList<>(out);
  }

  private static List<String> pathingJarEntries(File jar) {
    try (JarFile jf = new JarFile(jar)) {
      Manifest m = jf.getManifest();
      if (m == null) {
        return null;
      }
      String attr = m.getMainAttributes().getValue("Class-Path");
      if (attr == null || attr.isBlank()) {
        return null;
      }
      if (jf.stream().anyMatch(e -> e.getName().endsWith(".class"))) {
        return null;
      }
      URL base = jar.toURI().toURL();
      List<String> out = new ArrayList<>();
      for (String token : attr.trim().split("\\s+")) {
        try {
          File f = new File(new URL(base, token).toURI()).getAbsoluteFile();
          if (f.exists()) {
            out.add(f.getPath());
          }
        } catch (Exception e) {
          // skip entries that are not files
        }
      }
      return out;
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code OPENBLAS_THREAD_TIMEOUT} and {@code OPENBLAS_CORETYPE} as bin/horn would set them, where unset. */
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
      StringBuilder b = new StringBuilder();
      for (int i = start; i < all.length; i++) {
        b.append("  | ").append(all[i]).append('\n');
      }
      return b.toString();
    } catch (IOException e) {
      return "  (cannot read " + file + ": " + e.getMessage() + ")\n";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(0));
      return s.getLocalPort();
    }
  }

  /** Whether nothing listens on {@code port} (binding the wildcard address succeeds). */
  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(port));
      return true;
    } catch (BindException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static InetSocketAddress hostPort(String value, String key) throws IOException {
    int colon = value == null ? -1 : value.lastIndexOf(':');
    if (colon <= 0) {
      throw new IOException(key + " must be host:port, got " + value);
    }
    return InetSocketAddress.createUnresolved(value.substring(0, colon).trim(),
        parsePort(value.substring(colon + 1), key));
  }

  static int parsePort(String s, String key) throws IOException {
    try {
      int p = Integer.parseInt(s.trim());
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IOException(key + ": not a port number: " + s);
    }
  }

  private static String trimOrNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the cluster", e);
    }
  }

  /**
   * {@code start <workdir> [--hdfs] [--tasks N] [--site FILE] [--child-heap SIZE] [--timeout SECONDS]},
   * {@code stop <workdir>}, {@code status <workdir>}. See {@code bin/horn cluster}.
   */
  public static void main(String[] args) {
    System.exit(ClusterCli.run(args, System.out, System.err));
  }
}
