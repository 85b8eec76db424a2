package io.horn.bsp.testbed;

import io.horn.bsp.cluster.ClusterHosts;
import io.horn.bsp.cluster.HostLauncher;
import io.horn.bsp.cluster.MultiHostCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/horn testbed up|down|status}: a multi-host cluster on network namespaces of this
 * machine. {@code up} makes the {@link Testbed} and starts ZooKeeper, the BSPMaster and the
 * NameNode on its first host and a GroomServer and a DataNode on each other host, then prints
 * the {@code HORN_CONF_DIR} that sends jobs to it; {@code down} stops the daemons and removes
 * every namespace, link and the bridge, also after a crash. Stateless.
 */
public final class TestbedCli {
  static final String USAGE = String.join("\n",
      "Usage: TestbedCli up <workdir> [--hosts N] [--link 1gbit|10gbit|RATE|none] [--tasks T]",
      "                     [--child-heap SIZE] [--replication R] [--no-hdfs] [--launcher netns|ssh]",
      "       TestbedCli down <workdir>",
      "       TestbedCli status <workdir>");

  private TestbedCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; 0 ok, 1 failure, 2 usage, 3 not up. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 2) {
      err.println(USAGE);
      return 2;
    }
    Path work = Paths.get(args[1]).toAbsolutePath().normalize();
    try {
      switch (args[0]) {
        case "up":
          return up(work, args, out, err);
        case "down":
          return down(work, out);
        case "status":
          return status(work, out);
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("ERROR: interrupted");
      return 1;
    }
  }

  private static int up(Path work, String[] args, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    int hosts = 3;
    String link = "1gbit";
    int tasks = 3;
    String heap = "1g";
    int replication = 1;
    boolean hdfs = true;
    boolean ssh = false;
    for (int i = 2; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--hosts" -> hosts = intArg(args, ++i, a);
        case "--link" -> link = strArg(args, ++i, a);
        case "--tasks" -> tasks = intArg(args, ++i, a);
        case "--child-heap" -> heap = strArg(args, ++i, a);
        case "--replication" -> replication = intArg(args, ++i, a);
        case "--no-hdfs" -> hdfs = false;
        case "--launcher" -> {
          String l = strArg(args, ++i, a);
          if (!l.equals("netns") && !l.equals("ssh")) {
            throw new IllegalArgumentException("--launcher " + l + ": want netns or ssh");
          }
          ssh = l.equals("ssh");
        }
        default -> throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    if (hosts < 2) {
      throw new IllegalArgumentException("--hosts must be at least 2 (a master host and a"
          + " worker host), got " + hosts);
    }
    Testbed.requireRoot();
    stopRecorded(work, null);
    err.println("making " + hosts + " hosts on " + link + " links (10.213.7.0/24, bridge "
        + Testbed.BRIDGE + ")");
    Testbed bed = Testbed.up(hosts, link);
    try {
      MultiHostCluster c = ssh
          ? startOverSsh(bed, work, tasks, heap, replication, hdfs, err)
          : start(bed, work, tasks, heap, replication, hdfs, err);
      MultiHostCluster.printSummary(c, out);
      out.println();
      out.println("Submit jobs to it from this machine (" + Testbed.CLIENT_ADDRESS
          + " on the bridge):");
      out.println("  export HORN_CONF_DIR=" + c.confDir());
      out.println("Status: bin/horn testbed status    Remove: bin/horn testbed down");
      return 0;
    } catch (IOException | RuntimeException e) {
      Testbed.down();
      throw e;
    }
  }

  /**
   * Starts a cluster on {@code bed}: master on host 0, workers on the others; writes the workers
   * file into {@code work}.
   */
  public static MultiHostCluster start(Testbed bed, Path work, int tasks, String childHeap,
      int replication, boolean hdfs, PrintStream progress) throws IOException {
    Map<String, String> ns = bed.namespaces();
    return start(bed, work, HostLauncher.netns(ns), List.of(), tasks, childHeap, replication,
        hdfs, progress);
  }

  /**
   * As {@link #start}, but with an OpenSSH server on every host and the cluster driven over ssh,
   * as a real cluster is.
   */
  public static MultiHostCluster startOverSsh(Testbed bed, Path work, int tasks,
      String childHeap, int replication, boolean hdfs, PrintStream progress)
      throws IOException, InterruptedException {
    List<String> options = TestbedSsh.start(bed, work.resolve("ssh"));
    return start(bed, work, HostLauncher.ssh(options), options, tasks, childHeap, replication,
        hdfs, progress);
  }

  private static MultiHostCluster start(Testbed bed, Path work, HostLauncher launcher,
      List<String> sshOptions, int tasks, String childHeap, int replication, boolean hdfs,
      PrintStream progress) throws IOException {
    List<String> workers = new ArrayList<>();
    for (int i = 1; i < bed.hosts(); i++) {
      workers.add(Testbed.address(i));
    }
    Files.createDirectories(work);
    Files.writeString(work.resolve("workers"), "# the test bed's worker hosts\n"
        + String.join("\n", workers) + "\n", StandardCharsets.UTF_8);
    return MultiHostCluster.builder(work, new ClusterHosts(Testbed.address(0), workers),
        launcher).namespaces(bed.namespaces()).sshOptions(sshOptions).hdfs(hdfs).tasks(tasks)
        .childHeap(childHeap).replication(replication).progress(progress).start();
  }

  private static int down(Path work, PrintStream out) {
    stopRecorded(work, out);
    int n = Testbed.down();
    out.println(n == 0 ? "no test bed was up" : "removed the test bed (" + n + " hosts)");
    return 0;
  }

  private static int status(Path work, PrintStream out) {
    List<String> ns = Testbed.existing();
    if (ns.isEmpty()) {
      out.println("no test bed is up");
      return 3;
    }
    out.println("test bed hosts: " + ns);
    return MultiHostCluster.printStatus(work, out);
  }

  /** Stops the daemons a test bed in {@code work} recorded, if any; errors are reported only. */
  private static void stopRecorded(Path work, PrintStream out) {
    try {
      MultiHostCluster.stopRecorded(work, out);
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.println("  (stopping the daemons: " + e.getMessage() + ")");
      }
    }
  }

  private static String strArg(String[] args, int i, String opt) {
    if (i >= args.length) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return args[i];
  }

  private static int intArg(String[] args, int i, String opt) {
    String v = strArg(args, i, opt);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs a number, got '" + v + "'");
    }
  }
}
