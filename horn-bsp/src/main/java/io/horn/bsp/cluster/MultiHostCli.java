package io.horn.bsp.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code bin/horn cluster start|stop|status} for a cluster over several hosts: {@code start
 * --workers FILE [--master HOST] [--launcher ssh|netns|local] ...}; stop and status find the
 * hosts again in the work directory's {@code cluster.properties}. Stateless.
 */
final class MultiHostCli {
  private MultiHostCli() {}

  /** Whether a {@code start} command line asks for several hosts. */
  static boolean wanted(String[] args) {
    for (String a : args) {
      if (a.equals("--workers")) {
        return true;
      }
    }
    return false;
  }

  static int start(Path work, String[] args, PrintStream out, PrintStream err)
      throws IOException {
    Path workers = null;
    String master = null;
    String launcherKind = "ssh";
    List<String> ssh = new ArrayList<>();
    boolean hdfs = false;
    Integer tasks = null;
    Integer replication = null;
    String heap = null;
    Integer timeout = null;
    List<String[]> settings = new ArrayList<>();
    int[] confCount = {0};
    for (int i = 2; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--workers" -> workers = Paths.get(ClusterCli.strArg(args, ++i, a));
        case "--master" -> master = ClusterCli.strArg(args, ++i, a);
        case "--launcher" -> launcherKind = ClusterCli.strArg(args, ++i, a);
        case "--ssh-option" -> ssh.add(ClusterCli.strArg(args, ++i, a));
        case "--hdfs" -> hdfs = true;
        case "--tasks" -> tasks = ClusterCli.intArg(args, ++i, a);
        case "--replication" -> replication = ClusterCli.intArg(args, ++i, a);
        case "--child-heap" -> heap = ClusterCli.strArg(args, ++i, a);
        case "--timeout" -> timeout = ClusterCli.intArg(args, ++i, a);
        case "-D" -> settings.add(keyValue(ClusterCli.strArg(args, ++i, a)));
        case "--conf" -> ClusterCli.confFile(ClusterCli.strArg(args, ++i, a))
            // Before every -D, whatever the order on the command line: -D wins.
            .forEach((k, v) -> settings.add(confCount[0]++, new String[] {k, v}));
        default -> {
          if (a.startsWith("-D") && a.length() > 2) {
            settings.add(keyValue(a.substring(2)));
          } else {
            throw new IllegalArgumentException("unknown option '" + a + "' (with --workers)");
          }
        }
      }
    }
    if (!HostLauncher.KINDS.contains(launcherKind) || launcherKind.equals("netns")) {
      throw new IllegalArgumentException("--launcher " + launcherKind + ": want ssh or local"
          + " (netns hosts are made by bin/horn testbed up)");
    }
    List<String> hostList = ClusterHosts.readWorkers(workers.toAbsolutePath());
    if (master == null) {
      master = java.net.InetAddress.getLocalHost().getCanonicalHostName();
    }
    ClusterHosts hosts = new ClusterHosts(master, hostList);
    HostLauncher launcher = HostLauncher.of(launcherKind, Map.of(), ssh);
    MultiHostCluster.Builder b = MultiHostCluster.builder(work, hosts, launcher).hdfs(hdfs)
        .sshOptions(ssh).progress(err);
    if (tasks != null) {
      b.tasks(tasks);
    }
    if (replication != null) {
      b.replication(replication);
    }
    if (heap != null) {
      b.childHeap(heap);
    }
    if (timeout != null) {
      b.startTimeout(Duration.ofSeconds(timeout));
    }
    for (String[] kv : settings) {
      b.set(kv[0], kv[1]);
    }
    print(b.start(), out);
    return 0;
  }

  /** What {@code start} prints once the cluster is up. */
  static void print(MultiHostCluster c, PrintStream out) {
    out.println("Hama cluster on " + c.hosts().all().size() + " hosts, from " + c.workDir());
    out.println("  BSPMaster      " + c.masterAddress() + "  (ZooKeeper and NameNode on "
        + c.hosts().master() + ")");
    out.println("  GroomServers   " + String.join(", ", c.hosts().workers()));
    out.println("  HDFS           " + (c.hdfsUri() != null ? c.hdfsUri() : "off"));
    out.println("  configuration  " + c.confDir().resolve("hama-site.xml"));
    out.println("  logs           " + c.workDir().resolve("hosts") + "/<host>/logs  (task logs: "
        + c.workDir().resolve(LocalCluster.LOG_DIR).resolve("tasklogs") + " on each host)");
  }

  static int stop(Path work, Properties p, PrintStream out) throws IOException {
    ClusterHosts hosts = MultiHostCluster.hostsOf(p);
    MultiHostCluster.stop(work, hosts, MultiHostCluster.launcherOf(p), out);
    out.println("cluster in " + work + " stopped on " + hosts.all().size() + " hosts");
    return 0;
  }

  /** 0 when every daemon runs, 1 when some are dead, 3 when none run. */
  static int status(Path work, Properties p, PrintStream out) {
    ClusterHosts hosts = MultiHostCluster.hostsOf(p);
    MultiHostCluster c = new MultiHostCluster(work, hosts, MultiHostCluster.launcherOf(p),
        Map.of());
    out.println("Hama cluster in " + work + " (" + hosts + ", launcher "
        + p.getProperty("launcher") + ")");
    int known = 0;
    int alive = 0;
    for (String h : hosts.all()) {
      try {
        Map<String, Boolean> st = c.status(h);
        if (st.isEmpty()) {
          out.printf("  %-16s no daemons%n", h);
        }
        for (Map.Entry<String, Boolean> e : st.entrySet()) {
          known++;
          alive += e.getValue() ? 1 : 0;
          out.printf("  %-16s %-12s %s%n", h, e.getKey(), e.getValue() ? "running" : "DEAD");
        }
      } catch (IOException e) {
        out.printf("  %-16s unreachable: %s%n", h, e.getMessage());
      }
    }
    out.println("  BSPMaster     " + p.getProperty("master.address", "?"));
    if (p.getProperty("hdfs.uri") != null) {
      out.println("  HDFS          " + p.getProperty("hdfs.uri"));
    }
    out.println("  configuration " + work.resolve(LocalCluster.CONF_DIR).resolve("hama-site.xml"));
    if (known == 0) {
      return 3;
    }
    return alive == known ? 0 : 1;
  }

  static String[] keyValue(String s) {
    int eq = s.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("-D wants key=value, got '" + s + "'");
    }
    return new String[] {s.substring(0, eq), s.substring(eq + 1)};
  }
}
