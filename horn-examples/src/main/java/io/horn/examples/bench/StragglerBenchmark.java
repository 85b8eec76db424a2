package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cli.UsageException;
import io.horn.bsp.cluster.LocalCluster;
import io.horn.core.HornJob;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.model.HistoryRecord;
import io.horn.core.model.MetadataKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the hybrid design is for: one straggler. MNIST 784-500-500-10 on Hama's local mode, four
 * workers, one of them 3× slower than the others (a test hook sleeps in its group's steps), in
 * one run: global sync (one group of four: everybody waits for the straggler at every region
 * barrier), hybrid with an asynchronous parameter server (two groups of two: only the
 * straggler's group is slow), and hybrid with bounded staleness 2. For each, the time to 97%
 * test accuracy (the group leaders copy their weights every 25 steps; the copies are evaluated
 * after training, so evaluating costs the training nothing) and the final accuracy.
 *
 * <p>The straggler's delay is measured first: twice the step time of a short undelayed run of
 * the global-sync job, so that its steps take three times as long.
 *
 * <p>{@code --cluster}: the same on the one-machine cluster (ZooKeeper, BSPMaster, a GroomServer
 * with 5 slots; tasks in their own JVMs, talking over TCP), instead of local mode.
 *
 * <p>{@code bin/horn bench straggler [--epochs 4] [--modes sync,async,ssp] [--cluster]}
 */
@Command(name = "bin/horn bench straggler", sortOptions = false,
    description = "One slow group: global sync, asynchronous and bounded-staleness training compared by "
        + "time to accuracy.")
public final class StragglerBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
  int epochs = 4;

  @Option(names = "--modes", paramLabel = "M,...",
      description = "Of sync, async, ssp (default: ${DEFAULT-VALUE}).")
  String modes = "sync,async,ssp";

  @Option(names = "--cluster", description = "On the one-machine cluster instead of local mode.")
  boolean cluster;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  private static final int SNAPSHOT_STEPS = 25;

  StragglerBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new StragglerBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    for (String mode : modes.split(",")) {
      if (!List.of("sync", "async", "ssp").contains(mode)) {
        throw new UsageException("--modes: unknown mode '" + mode + "' (sync, async, ssp)");
      }
    }
    Path work = Files.createTempDirectory("straggler-bench");
    data = data.toAbsolutePath();
    if (!cluster) {
      run(data, work, modes, epochs, config.applyTo(new HornConfiguration()));
      return Cli.OK;
    }
    try (LocalCluster c = LocalCluster.builder(work.resolve("cluster")).tasks(5)
        .childHeap("1g").environment("OPENBLAS_NUM_THREADS", "1").start()) {
      HornConfiguration base = new HornConfiguration();
      for (Map.Entry<String, String> e : c.conf()) {
        base.set(e.getKey(), e.getValue());
      }
      config.applyTo(base);
      run(data, work, modes, epochs, base);
    }
    return Cli.OK;
  }

  private static void run(Path data, Path work, String modes, int epochs,
      HornConfiguration base) throws Exception {
    String master = base.getRaw("bsp.master.address");
    boolean cluster = master != null && !master.equals("local");
    HornJob calibrate = job(data, work, "sync", 0, base);
    calibrate.setMaxIteration(60);
    calibrate.waitForCompletion(false);
    Matcher m = ClusterBenchmark.TIMING.matcher(
        calibrate.getModel().metadata().get(MetadataKeys.leaderTiming(0)));
    if (!m.find()) {
      throw new IllegalStateException("unreadable timing");
    }
    double stepMs = Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2));
    long delay = Math.max(1, Math.round(2 * stepMs));
    System.out.printf(Locale.ROOT, "undelayed step of the 1x4 group: %.1f ms; the straggler"
        + " sleeps %d ms more per step (3x)%n", stepMs, delay);
    for (String mode : modes.split(",")) {
      HornJob job = job(data, work, mode, delay, base);
      job.setEpochs(epochs);
      long t0 = System.nanoTime();
      job.waitForCompletion(false);
      double wall = (System.nanoTime() - t0) / 1e9;
      Map<String, String> meta = job.getModel().metadata();
      double to97 = Double.NaN;
      for (int g = 0; g < (mode.equals("sync") ? 1 : 2); g++) {
        for (HistoryRecord r : HistoryRecord.decode(meta.get(MetadataKeys.history(g)))) {
          if (r.hasAccuracy() && r.accuracy() >= 0.97) {
            to97 = Double.isNaN(to97) ? r.seconds() : Math.min(to97, r.seconds());
            break;
          }
        }
      }
      System.out.printf(Locale.ROOT, "RESULT bench=straggler where=%s mode=%s time_to_97_s=%s "
          + "final_accuracy=%s steps=%s job_s=%.1f max_lead=%s%n", cluster ? "cluster" : "local",
          mode,
          Double.isNaN(to97) ? "never" : String.format(Locale.ROOT, "%.1f", to97),
          meta.get(MetadataKeys.TEST_ACCURACY), meta.get(MetadataKeys.TRAINED_STEPS), wall,
          meta.getOrDefault(MetadataKeys.PS_MAX_LEAD, "-"));
    }
  }

  /** MNIST on local mode: {@code sync} 1x4, {@code async} 2x2 + PS, {@code ssp} staleness 2. */
  private static HornJob job(Path data, Path work, String mode, long delayMs,
      HornConfiguration base) {
    HornConfiguration conf = base.copy();
    if (conf.getRaw("bsp.master.address") == null) {
      conf.set("bsp.master.address", "local");
    }
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    conf.set(HornOptions.SNAPSHOT_STEPS, (long) SNAPSHOT_STEPS);
    if (delayMs > 0) {
      conf.set(HornOptions.GROUP_DELAY, "0:" + delayMs); // group 0 holds the straggler
    }
    HornJob job = new HornJob(conf, StragglerBenchmark.class);
    job.setTrainingSetPath(data.toString());
    job.setTestSetPath(data + "#t10k");
    job.setModelPath(work.resolve(mode + ".model").toString());
    job.setWorkers(4);
    switch (mode) {
      case "sync" -> job.setGroups(1);
      case "async" -> job.setGroups(2);
      case "ssp" -> job.setGroups(2).setStaleness(2);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
    ClusterBenchmark.declare(job);
    return job;
  }

}
