package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cluster.MultiHostCluster;
import io.horn.bsp.testbed.Testbed;
import io.horn.bsp.testbed.TestbedCli;
import io.horn.core.HornJob;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.model.MetadataKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import org.apache.hama.HamaConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Hybrid training across hosts at real link speeds: for each link rate, the test bed's hosts
 * (network namespaces, {@code tc tbf} on every link), ZooKeeper + BSPMaster + NameNode on the
 * first, a GroomServer + DataNode on each other one; MNIST's training set in one part per worker
 * host, stored there. Then MNIST 784-500-500-10 as one group of two (global sync, its ring across
 * the link) and as two groups of two plus the parameter server (each group next to its data on
 * one host, the pushes across the links).
 *
 * <p>Per run it prints where the group leaders' time went per step (compute, region barrier,
 * push+pull) and a cost model: the bytes a leader's links carry per step divided by the link
 * rate, from where the tasks actually ran (a ring between two hosts moves the parameters once
 * each way; a push sends them and the pull brings them back every push interval). So a reader
 * can predict a rack: measured communication over modelled shows how close the transport comes
 * to the wire, and the model alone scales to other rates and models.
 *
 * <p>{@code bin/horn bench multinode [--links 1gbit,10gbit] [--setups 1x2,2x2] [--epochs 1]
 * [--hosts 3]} (root only).
 */
@Command(name = "bin/horn bench multinode", sortOptions = false,
    description = "Training across hosts of a network-namespace testbed (root only): where the time of the "
        + "group leaders goes per step, against a cost model of the links.")
public final class MultinodeBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
  int epochs = 1;

  @Option(names = "--links", paramLabel = "RATE,...",
      description = "Link rates, tc syntax (default: ${DEFAULT-VALUE}).")
  String links = "1gbit,10gbit";

  @Option(names = "--setups", paramLabel = "GxP,...",
      description = "Groups x peers per group (default: ${DEFAULT-VALUE}).")
  String setups = "1x2,2x2";

  @Option(names = "--hosts", paramLabel = "N",
      description = "Testbed hosts (default: ${DEFAULT-VALUE}).")
  int hosts = 3;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  private static final int BATCH = 128;
  private static final int PUSH_INTERVAL = 4;

  MultinodeBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new MultinodeBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    Path workRoot = Files.createDirectories(Paths.get(System.getProperty("horn.home", "."),
        "work"));
    for (String link : links.split(",")) {
      Path work = Files.createTempDirectory(workRoot, "multinode-bench");
      long t0 = System.nanoTime();
      try (Testbed bed = Testbed.up(hosts, link);
          MultiHostCluster cluster = TestbedCli.start(bed, work, 3, "1g", 1, true, null)) {
        System.out.printf(Locale.ROOT, "%d hosts on %s links: cluster up in %.1f s%n", hosts,
            link, (System.nanoTime() - t0) / 1e9);
        HamaConfiguration hama = cluster.conf();
        String hdfs = cluster.hdfsUri();
        PlacedMnist.write(data, hdfs + "/mnist", cluster.hosts().workers(), hama);
        for (String setup : setups.split(",")) {
          run(hama, hdfs, link, setup, epochs, hosts, config);
        }
      }
    }
    return Cli.OK;
  }

  private static void run(HamaConfiguration hama, String hdfs, String link, String setup,
      int epochs, int hosts, ConfigOptions config) throws Exception {
    String[] gp = setup.split("x");
    int groups = Integer.parseInt(gp[0]);
    int workers = groups * Integer.parseInt(gp[1]);
    HornConfiguration conf = new HornConfiguration();
    for (Map.Entry<String, String> e : hama) {
      conf.set(e.getKey(), e.getValue());
    }
    conf.set(HornOptions.THREADS, 1);
    config.applyTo(conf);
    HornJob job = new HornJob(conf, MultinodeBenchmark.class);
    job.setTrainingSetPath(hdfs + "/mnist/train");
    job.setTestSetPath(hdfs + "/mnist/test");
    job.setModelPath(hdfs + "/models/mnist-" + setup + ".model");
    job.setWorkers(workers);
    job.setGroups(groups);
    job.setPushInterval(PUSH_INTERVAL);
    job.setEpochs(epochs);
    ClusterBenchmark.declare(job);
    long s = System.nanoTime();
    job.waitForCompletion(false);
    double secs = (System.nanoTime() - s) / 1e9;
    Map<String, String> meta = job.getModel().metadata();
    long params = job.getNetworkSpec().parameterCount();
    double rateBytesPerMs = rate(link) / 8 / 1000;
    double[] sum = new double[3];
    double model = 0;
    double slowest = 0;
    long samples = 0;
    int p = workers / groups;
    for (int g = 0; g < groups; g++) {
      String timing = meta.get(MetadataKeys.leaderTiming(g));
      Matcher m = ClusterBenchmark.TIMING.matcher(timing);
      if (!m.find()) {
        throw new IllegalStateException("unreadable leader timing: " + timing);
      }
      for (int i = 0; i < 3; i++) {
        sum[i] += Double.parseDouble(m.group(i + 1)) / groups;
      }
      samples += Long.parseLong(m.group(4)) * BATCH;
      slowest = Math.max(slowest, Double.parseDouble(m.group(5)));
      int leader = g * p;
      String host = meta.get(MetadataKeys.workerHost(leader));
      System.out.printf("  group %d: leader on %s, %s%n", g, host, timing);
      model += modelledMs(meta, g, p, groups > 1, params, rateBytesPerMs) / groups;
    }
    double perSample = samples / slowest;
    StringBuilder where = new StringBuilder();
    long read = 0;
    long local = 0;
    for (int w = 0; w < workers; w++) {
      where.append(w == 0 ? "" : ",").append(meta.get(MetadataKeys.workerHost(w)));
      long r = Long.parseLong(meta.getOrDefault(MetadataKeys.workerReadBytes(w), "0"));
      long l = Long.parseLong(meta.getOrDefault(MetadataKeys.workerReadLocalBytes(w), "0"));
      read += r;
      local += l;
      System.out.printf(Locale.ROOT, "  worker %d on %s read its split: %.1f MB, %.1f MB of it"
          + " from its own host, %.1f MB from others%n", w, meta.get(MetadataKeys.workerHost(w)),
          r / 1e6, l / 1e6, (r - l) / 1e6);
    }
    System.out.printf(Locale.ROOT, "%s%s on %s: workers on %s%s, job %.1f s end to end%n", setup,
        groups > 1 ? " + PS" : "", link, where,
        groups > 1 ? ", PS on " + meta.get(MetadataKeys.PS_HOST) : "", secs);
    System.out.printf(Locale.ROOT, "RESULT bench=multinode hosts=%d link=%s setup=%s "
        + "samples_per_s=%.0f accuracy=%s compute_ms=%.2f barrier_ms=%.2f pushpull_ms=%.2f "
        + "model_ms=%.2f comm_to_model=%.2f read_local_mb=%.1f read_remote_mb=%.1f job_s=%.1f%n",
        hosts, link, setup, perSample, meta.get(MetadataKeys.TEST_ACCURACY), sum[0], sum[1],
        sum[2], model,
        model > 0 ? (sum[1] + sum[2]) / model : Double.NaN, local / 1e6, (read - local) / 1e6,
        secs);
  }

  /**
   * Milliseconds per step that group {@code g}'s leader needs on the wire: a ring of {@code p}
   * members sends 2(p-1)/p of the parameters per step over each member's link when its members
   * are on different hosts (nothing on the wire when they share one); with a PS on another host,
   * each push sends the delta and the pull brings the weights back (both over the leader's link,
   * every push interval), and the new weights reach the members by the group's broadcast.
   */
  static double modelledMs(Map<String, String> meta, int g, int p, boolean ps, long params,
      double bytesPerMs) {
    double bytes = 4.0 * params;
    int leader = g * p;
    String host = meta.get(MetadataKeys.workerHost(leader));
    boolean spread = false;
    for (int m = 1; m < p; m++) {
      spread |= !host.equals(meta.get(MetadataKeys.workerHost((leader + m))));
    }
    double perStep = spread ? 2.0 * (p - 1) / p * bytes : 0;
    if (ps && !host.equals(meta.get(MetadataKeys.PS_HOST))) {
      perStep += 2 * bytes / PUSH_INTERVAL;
    }
    if (ps && spread) {
      perStep += bytes / PUSH_INTERVAL; // the broadcast of the pulled weights
    }
    return perStep / bytesPerMs;
  }

  /** Bits per second of a tc rate such as {@code 1gbit} or {@code 100mbit}. */
  static double rate(String link) {
    String r = link.toLowerCase(Locale.ROOT);
    double unit = r.endsWith("gbit") ? 1e9 : r.endsWith("mbit") ? 1e6 : r.endsWith("kbit") ? 1e3
        : 1;
    return Double.parseDouble(r.replaceAll("[a-z]", "")) * unit;
  }


}
