package io.horn.bsp.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJobClient;
import org.apache.hama.bsp.ClusterStatus;

/** The command line behind {@code bin/horn cluster}: start, stop and status of a {@link LocalCluster}. */
final class ClusterCli {

  static final String USAGE = String.join("\n",
      "Usage: LocalCluster start <workdir> [--hdfs] [--tasks N] [--site hama-site.xml]",
      "                          [--child-heap SIZE] [--timeout SECONDS]",
      "       LocalCluster start <workdir> --workers FILE [--master HOST] [--launcher ssh|local]",
      "                          [--ssh-option OPT]... [--hdfs] [--tasks N] [--replication R]",
      "                          [--child-heap SIZE] [--timeout SECONDS] [-D key=value]...",
      "       LocalCluster stop <workdir>",
      "       LocalCluster status <workdir>");

  private ClusterCli() {}

  /** Runs one command; returns the exit status (0 ok, 1 failure, 2 usage, 3 not running). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    quietLogging();
    if (args.length < 2) {
      err.println(USAGE);
      return 2;
    }
    Path work = Paths.get(args[1]).toAbsolutePath().normalize();
    try {
      switch (args[0]) {
        case "start":
          return MultiHostCli.wanted(args) ? MultiHostCli.start(work, args, out, err)
              : start(work, args, out, err);
        case "stop":
          if (args.length != 2) {
            err.println(USAGE);
            return 2;
          }
          Properties multi = MultiHostCluster.recorded(work);
          return multi != null ? MultiHostCli.stop(work, multi, out) : stop(work, out);
        case "status":
          if (args.length != 2) {
            err.println(USAGE);
            return 2;
          }
          Properties many = MultiHostCluster.recorded(work);
          return many != null ? MultiHostCli.status(work, many, out) : status(work, out);
        default:
          err.println("unknown command '" + args[0] + "'");
          err.println(USAGE);
          return 2;
      }
    } catch (IllegalArgumentException e) {
      err.println("ERROR: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (IOException | RuntimeException e) {
      err.println("ERROR: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      return 1;
    }
  }

  private static int start(Path work, String[] args, PrintStream out, PrintStream err)
      throws IOException {
    LocalCluster.Builder b = LocalCluster.builder(work).detached(true).progress(err);
    List<String[]> defines = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--hdfs" -> b.hdfs(true);
        case "--tasks" -> b.tasks(intArg(args, ++i, a));
        case "--site" -> b.siteFile(Paths.get(strArg(args, ++i, a)));
        case "--child-heap" -> b.childHeap(strArg(args, ++i, a));
        case "--timeout" -> b.startTimeout(Duration.ofSeconds(intArg(args, ++i, a)));
        case "-D" -> defines.add(MultiHostCli.keyValue(strArg(args, ++i, a)));
        case "--conf" -> confFile(strArg(args, ++i, a)).forEach(b::set);
        default -> {
          if (!a.startsWith("-D") || a.length() <= 2) {
            throw new IllegalArgumentException("unknown option '" + a + "'");
          }
          defines.add(MultiHostCli.keyValue(a.substring(2)));
        }
      }
    }
    // -D after every --conf file, whatever the order on the command line: -D wins.
    defines.forEach(kv -> b.set(kv[0], kv[1]));
    LocalCluster c = b.start();
    out.println("Hama cluster running from " + c.workDir());
    out.println("  BSPMaster      " + c.masterAddress() + "  (" + c.taskSlots() + " task slots; web UI port "
        + c.settings().get("bsp.http.infoserver.port") + ")");
    out.println("  ZooKeeper      localhost:" + c.settings().get("hama.zookeeper.property.clientPort"));
    out.println("  HDFS           " + (c.hdfsUri() != null ? c.hdfsUri() : "off (fs.defaultFS=file:///)"));
    out.println("  configuration  " + c.confDir().resolve("hama-site.xml"));
    out.println("  logs           " + c.logDir() + "  (task logs: " + c.logDir().resolve("tasklogs") + ")");
    return 0;
  }

  /**
   * The settings of a {@code --conf} file (Hadoop XML when its name ends in {@code .xml}, Java
   * properties otherwise), as every {@code bin/horn} command reads them.
   */
  static java.util.Map<String, String> confFile(String path) {
    try {
      return io.horn.bsp.cli.ConfFile.read(Paths.get(path)).entries();
    } catch (IOException e) {
      throw new IllegalArgumentException("--conf " + e.getMessage(), e);
    }
  }

  private static int stop(Path work, PrintStream out) throws IOException {
    List<ProcessHandle> handles = new ArrayList<>();
    List<String> names = new ArrayList<>();
    boolean any = false;
    Daemon[] order = Daemon.values();
    for (int i = order.length - 1; i >= 0; i--) {
      Daemon d = order[i];
      Long pid = d.readPid(work);
      if (pid == null) {
        continue;
      }
      any = true;
      Optional<ProcessHandle> h = d.liveProcess(work);
      if (h.isPresent()) {
        handles.add(h.get());
        names.add(d.id + " (pid " + pid + ")");
      } else {
        out.println("  " + d.id + " was not running (pid " + pid + " gone)");
        Files.deleteIfExists(d.pidFile(work));
      }
    }
    if (!any) {
      out.println("no cluster running from " + work);
      return 0;
    }
    List<ProcessHandle> left = Processes.terminate(handles, Duration.ofSeconds(10));
    for (Daemon d : Daemon.values()) {
      Files.deleteIfExists(d.pidFile(work));
    }
    for (String n : names) {
      out.println("  stopped " + n);
    }
    if (!left.isEmpty()) {
      StringBuilder pids = new StringBuilder();
      for (ProcessHandle h : left) {
        pids.append(' ').append(h.pid());
      }
      throw new IOException("processes still alive after SIGKILL:" + pids);
    }
    out.println("cluster in " + work + " stopped (logs kept in " + work.resolve(LocalCluster.LOG_DIR) + ")");
    return 0;
  }

  private static int status(Path work, PrintStream out) {
    Properties info = new Properties();
    Path infoFile = work.resolve(LocalCluster.INFO_FILE);
    if (Files.isRegularFile(infoFile)) {
      try (Reader r = Files.newBufferedReader(infoFile, StandardCharsets.UTF_8)) {
        info.load(r);
      } catch (IOException e) {
        // status still works from the pid files
      }
    }
    out.println("Hama cluster in " + work);
    int known = 0;
    int alive = 0;
    boolean masterAlive = false;
    for (Daemon d : Daemon.values()) {
      Long pid = d.readPid(work);
      if (pid == null) {
        continue;
      }
      known++;
      boolean up = d.liveProcess(work).isPresent();
      if (up) {
        alive++;
      }
      String extra = "";
      if (d == Daemon.BSPMASTER) {
        masterAlive = up;
        extra = "  " + info.getProperty("master.address", "");
      } else if (d == Daemon.NAMENODE) {
        extra = "  " + info.getProperty("hdfs.uri", "");
      } else if (d == Daemon.ZOOKEEPER && info.getProperty("zookeeper.port") != null) {
        extra = "  localhost:" + info.getProperty("zookeeper.port");
      }
      out.printf("  %-12s %-8s pid %-8d%s%n", d.id, up ? "running" : "DEAD", pid, extra);
    }
    if (known == 0) {
      out.println("  not running (no pid files in " + work.resolve(LocalCluster.PID_DIR) + ")");
      return 3;
    }
    String master = info.getProperty("master.address");
    if (masterAlive && master != null) {
      out.println("  " + queryMaster(work, master));
    }
    out.println("  configuration " + work.resolve(LocalCluster.CONF_DIR).resolve("hama-site.xml"));
    out.println("  logs          " + work.resolve(LocalCluster.LOG_DIR));
    if (alive == known) {
      return 0;
    }
    return alive == 0 ? 3 : 1;
  }

  /** One line about the BSPMaster's view of the cluster (10 s at most). */
  private static String queryMaster(Path work, String master) {
    CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
      BSPJobClient client = null;
      try {
        ClassLoaders.ensureUrlContextLoader();
        HamaConfiguration conf = new HamaConfiguration();
        Path site = work.resolve(LocalCluster.CONF_DIR).resolve("hama-site.xml");
        if (Files.isRegularFile(site)) {
          for (Map.Entry<String, String> e : SiteXml.read(site).entrySet()) {
            conf.set(e.getKey(), e.getValue());
          }
        }
        conf.set("bsp.master.address", master);
        conf.setInt("ipc.client.connect.max.retries", 1);
        client = new BSPJobClient(conf);
        ClusterStatus st = client.getClusterStatus(false);
        return "BSPMaster " + master + " answers: " + st.getGroomServers() + " groom(s), "
            + st.getMaxTasks() + " task slots, " + st.getTasks() + " task(s) running";
      } catch (IOException | RuntimeException e) {
        return "BSPMaster " + master + " does not answer: " + e;
      } finally {
        if (client != null) {
          try {
            client.close();
          } catch (IOException | RuntimeException e) {
            // ignore
          }
        }
      }
    });
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return "BSPMaster " + master + " did not answer within 10 s";
    }
  }

  /** Without a log4j configuration, Hadoop's client classes print "no appenders" warnings. */
  private static void quietLogging() {
    if (System.getProperty("log4j.configuration") != null) {
      return;
    }
    org.apache.log4j.Logger root = org.apache.log4j.Logger.getRootLogger();
    if (!root.getAllAppenders().hasMoreElements()) {
      org.apache.log4j.ConsoleAppender console = new org.apache.log4j.ConsoleAppender(
          new org.apache.log4j.PatternLayout("%d{HH:mm:ss} %-5p %c{1}: %m%n"),
          org.apache.log4j.ConsoleAppender.SYSTEM_ERR);
      root.addAppender(console);
      root.setLevel(org.apache.log4j.Level.WARN);
      org.apache.log4j.Logger.getLogger("org.apache.hadoop.util.NativeCodeLoader")
          .setLevel(org.apache.log4j.Level.ERROR);
    }
  }

  static String strArg(String[] args, int i, String opt) {
    if (i >= args.length) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return args[i];
  }

  static int intArg(String[] args, int i, String opt) {
    String v = strArg(args, i, opt);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs a number, got '" + v + "'");
    }
  }
}
