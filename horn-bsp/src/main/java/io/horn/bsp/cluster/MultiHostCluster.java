package io.horn.bsp.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hama.HamaConfiguration;

/**
 * A Hama cluster over several hosts: ZooKeeper, the BSPMaster and (with HDFS) the NameNode on the
 * master host, a GroomServer and (with HDFS) a DataNode on each worker host. Every command on a
 * host goes through the cluster's {@link HostLauncher}: ssh on a real cluster, network namespaces
 * on the test bed ({@code bin/horn testbed}).
 *
 * <pre>{@code
 * try (MultiHostCluster c = MultiHostCluster.builder(workDir, hosts, launcher).hdfs(true).start()) {
 *   HamaConfiguration conf = c.conf();   // what jobs need to reach it
 *   ...
 * }                                     // stops every daemon on every host
 * }</pre>
 *
 * <p>The work directory has the clients' {@code conf/} and {@code cluster.properties} (hosts,
 * launcher, addresses), which {@code bin/horn cluster stop|status} read; each host keeps its
 * configuration, logs, pid files and data under {@code hosts/<host>/} of the same path (on a
 * real cluster the path must be writable on every host, as Hadoop's own directories are, and
 * Horn installed at the same path). Daemons outlive the JVM that started them; {@link #close}
 * and {@link #stop} end them. Thread-safe once started.
 */
public final class MultiHostCluster implements AutoCloseable {
  static final String KIND = "multi-host";
  /** How long one command on a host may take (an ssh connection included). */
  static final long HOST_COMMAND_MILLIS = 60_000;

  private final Path workDir;
  private final ClusterHosts hosts;
  private final HostLauncher launcher;
  private final Map<String, String> client;
  private volatile boolean closed;

  MultiHostCluster(Path workDir, ClusterHosts hosts, HostLauncher launcher,
      Map<String, String> client) {
    this.workDir = workDir;
    this.hosts = hosts;
    this.launcher = launcher;
    this.client = Map.copyOf(client);
  }

  public static Builder builder(Path workDir, ClusterHosts hosts, HostLauncher launcher) {
    return new Builder(workDir, hosts, launcher);
  }

  /** A fresh configuration for submitting jobs to this cluster (its clients' settings). */
  public HamaConfiguration conf() {
    ClassLoaders.ensureUrlContextLoader();
    HamaConfiguration conf = new HamaConfiguration();
    client.forEach(conf::set);
    return conf;
  }

  public String masterAddress() {
    return client.get("bsp.master.address");
  }

  /** {@code hdfs://master:port}, or null without HDFS. */
  public String hdfsUri() {
    String fs = client.get("fs.defaultFS");
    return fs != null && fs.startsWith("hdfs://") ? fs : null;
  }

  public ClusterHosts hosts() {
    return hosts;
  }

  public Path workDir() {
    return workDir;
  }

  /** The clients' configuration directory ({@code HORN_CONF_DIR}). */
  public Path confDir() {
    return workDir.resolve(LocalCluster.CONF_DIR);
  }

  /** Where {@code host}'s daemons log ({@code <id>.log}). */
  public Path logDir(String host) {
    return workDir.resolve("hosts").resolve(host).resolve(LocalCluster.LOG_DIR);
  }

  /** The last lines of daemon {@code id}'s log on {@code host}, read through the launcher. */
  public String logTail(String host, String id, int lines) {
    try {
      return launcher.run(host, HostScripts.tail(logDir(host).resolve(id + ".log"), lines),
          HOST_COMMAND_MILLIS).output;
    } catch (IOException e) {
      return "(cannot read " + id + "'s log on " + host + ": " + e.getMessage() + ")";
    }
  }

  /** {@code daemon -> running} for each daemon with a pid file on {@code host}. */
  public Map<String, Boolean> status(String host) throws IOException {
    HostLauncher.Result r = launcher.run(host, HostScripts.status(hostDir(workDir, host)),
        HOST_COMMAND_MILLIS);
    if (r.exitCode != 0) {
      throw new IOException("cannot ask host " + host + " (" + launcher.kind() + ") for its"
          + " daemons: exit code " + r.exitCode + ": " + r.output.trim());
    }
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (String line : r.output.split("\n")) {
      String[] w = line.trim().split(" ");
      if (w.length == 4 && w[0].equals("daemon")) {
        out.put(w[1], w[2].equals("running"));
      }
    }
    return out;
  }

  /** Stops every daemon on every host (workers first); idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop(workDir, hosts, launcher, null);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Stops the daemons of the cluster in {@code workDir} on each of {@code hosts}, workers first,
   * reporting each on {@code out} (may be null).
   *
   * @throws IOException naming the hosts where something could not be stopped
   */
  static void stop(Path workDir, ClusterHosts hosts, HostLauncher launcher, PrintStream out)
      throws IOException {
    List<String> order = new ArrayList<>(hosts.all());
    java.util.Collections.reverse(order);
    List<String> failed = new ArrayList<>();
    for (String h : order) {
      try {
        HostLauncher.Result r = launcher.run(h, HostScripts.stop(hostDir(workDir, h), 10),
            HOST_COMMAND_MILLIS);
        for (String line : r.output.split("\n")) {
          if (out != null && !line.isBlank()) {
            out.println("  " + h + ": " + line.trim());
          }
          if (line.startsWith("left ")) {
            failed.add(h + " (pid " + line.substring(5).trim() + " survived SIGKILL)");
          }
        }
      } catch (IOException e) {
        failed.add(h + " (" + e.getMessage() + ")");
      }
    }
    if (!failed.isEmpty()) {
      throw new IOException("could not stop every daemon: " + String.join(", ", failed));
    }
  }

  /** What {@code cluster start} prints once a cluster is up. */
  public static void printSummary(MultiHostCluster c, PrintStream out) {
    MultiHostCli.print(c, out);
  }

  /**
   * Prints the daemons of the cluster recorded in {@code workDir} on each host; 0 when all run,
   * 1 when some are dead, 3 when there is none.
   */
  public static int printStatus(Path workDir, PrintStream out) {
    Properties p = recorded(workDir);
    if (p == null) {
      out.println("no multi-host cluster recorded in " + workDir);
      return 3;
    }
    return MultiHostCli.status(workDir, p, out);
  }

  /** Stops the cluster recorded in {@code workDir}, if there is one. */
  public static void stopRecorded(Path workDir, PrintStream out) throws IOException {
    Properties p = recorded(workDir);
    if (p != null) {
      stop(workDir, hostsOf(p), launcherOf(p), out);
    }
  }

  static Path hostDir(Path workDir, String host) {
    return workDir.resolve("hosts").resolve(host);
  }

  // ---------------------------------------------------------------------------------------------
  // cluster.properties: what stop and status need to find the hosts again
  // ---------------------------------------------------------------------------------------------

  /** Writes what {@link #attach} reads back. */
  static void record(Path workDir, ClusterHosts hosts, HostLauncher launcher,
      Map<String, String> netns, List<String> sshOptions, Properties p) throws IOException {
    p.setProperty("kind", KIND);
    p.setProperty("hosts.master", hosts.master());
    p.setProperty("hosts.workers", String.join(",", hosts.workers()));
    p.setProperty("launcher", launcher.kind());
    netns.forEach((h, ns) -> p.setProperty("launcher.netns." + h, ns));
    p.setProperty("launcher.ssh.options", String.join("\t", sshOptions));
    try (var w = Files.newBufferedWriter(workDir.resolve(LocalCluster.INFO_FILE),
        StandardCharsets.UTF_8)) {
      p.store(w, "Horn multi-host Hama cluster (io.horn.bsp.cluster.MultiHostCluster)");
    }
  }

  /** The recorded properties of a multi-host cluster in {@code workDir}, or null if none. */
  static Properties recorded(Path workDir) {
    Path f = workDir.resolve(LocalCluster.INFO_FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      return null;
    }
    return KIND.equals(p.getProperty("kind")) ? p : null;
  }

  /** The hosts a recorded cluster runs on. */
  static ClusterHosts hostsOf(Properties p) {
    return new ClusterHosts(p.getProperty("hosts.master"),
        Arrays.asList(p.getProperty("hosts.workers").split(",")));
  }

  /** The launcher a recorded cluster was started with. */
  static HostLauncher launcherOf(Properties p) {
    Map<String, String> netns = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("launcher.netns.")) {
        netns.put(k.substring("launcher.netns.".length()), p.getProperty(k));
      }
    }
    String ssh = p.getProperty("launcher.ssh.options", "").trim();
    return HostLauncher.of(p.getProperty("launcher", "ssh"), netns,
        ssh.isEmpty() ? List.of() : Arrays.asList(ssh.split("\t")));
  }

  /** Settings of a {@link MultiHostCluster}; {@link #start()} starts it. */
  public static final class Builder {
    final Path workDir;
    final ClusterHosts hosts;
    final HostLauncher launcher;
    final Map<String, String> netns = new LinkedHashMap<>();
    final List<String> sshOptions = new ArrayList<>();
    boolean hdfs;
    int tasks = 3;
    int replication;
    String childHeap = "1g";
    String daemonHeap = "512m";
    String childJvmOptions = "";
    Duration startTimeout = Duration.ofSeconds(180);
    final Map<String, String> extra = new LinkedHashMap<>();
    final Map<String, String> environment = new LinkedHashMap<>();
    List<String> classpath;
    private PrintStream progress;

    private Builder(Path workDir, ClusterHosts hosts, HostLauncher launcher) {
      this.workDir = checkNotNull(workDir, "workDir").toAbsolutePath().normalize();
      this.hosts = checkNotNull(hosts, "hosts");
      this.launcher = checkNotNull(launcher, "launcher");
      this.replication = Math.min(3, hosts.workers().size());
    }

    /** Also run HDFS: a NameNode on the master host, a DataNode on each worker host. */
    public Builder hdfs(boolean on) {
      this.hdfs = on;
      return this;
    }

    /** Task slots of each GroomServer; default 3. */
    public Builder tasks(int slots) {
      checkArgument(slots >= 1, "tasks must be >= 1, got %s", slots);
      this.tasks = slots;
      return this;
    }

    /** HDFS block replication; default min(3, worker hosts). */
    public Builder replication(int r) {
      checkArgument(r >= 1, "replication must be >= 1, got %s", r);
      this.replication = r;
      return this;
    }

    public Builder childHeap(String heap) {
      checkArgument(heap != null && heap.matches("[0-9]+[kKmMgG]?"),
          "heap must look like 512m or 2g, got %s", heap);
      this.childHeap = heap;
      return this;
    }

    public Builder childJvmOptions(String options) {
      this.childJvmOptions = options == null ? "" : options.trim().replaceAll("\\s+", " ");
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = checkNotNull(timeout, "timeout");
      return this;
    }

    /**
     * A setting for every host ({@code dfs.*} keys also go to {@code hdfs-site.xml}); a port of
     * {@link HostSettings#DEFAULT_PORTS} (e.g. {@code bsp.master.port}) replaces the default.
     */
    public Builder set(String key, String value) {
      extra.put(checkNotNull(key, "key"), checkNotNull(value, "value"));
      return this;
    }

    /** An environment variable for every daemon. */
    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** The daemons' class path (default this JVM's); the same paths on every host. */
    public Builder classpath(List<String> entries) {
      this.classpath = new ArrayList<>(entries);
      return this;
    }

    /** Recorded so that stop and status find the namespaces again (netns launcher). */
    public Builder namespaces(Map<String, String> hostToNamespace) {
      netns.putAll(hostToNamespace);
      return this;
    }

    /** Recorded so that stop and status use the same ssh options. */
    public Builder sshOptions(List<String> options) {
      sshOptions.addAll(options);
      return this;
    }

    public Builder progress(PrintStream out) {
      this.progress = out;
      return this;
    }

    void say(String line) {
      if (progress != null) {
        progress.println(line);
        progress.flush();
      }
    }

    /**
     * Starts every daemon and returns once each worker host's GroomServer (and DataNode) has
     * registered; on failure, stops what it started and throws naming the host and daemon, with
     * the last lines of its log.
     */
    public MultiHostCluster start() throws IOException {
      return new HostStarter(this).start();
    }
  }
}
