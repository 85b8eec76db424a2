package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cli.UsageException;
import io.horn.bsp.cluster.LocalCluster;
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
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a push costs and what that does to accuracy: MNIST 784-500-500-10, two groups of one
 * worker pushing every step to the parameter server, in one run per case: dense pushes to one
 * server task, dense pushes to a server of two shards, and threshold-encoded pushes
 * ({@code horn.push.encoding=threshold}) at two thresholds. For each: payload bytes per push
 * and their ratio to dense, the final test accuracy, steps and job time.
 *
 * <p>{@code --cluster}: on the one-machine cluster (tasks in their own JVMs, pushes over TCP)
 * instead of local mode, where pushes stay in process and only their bytes are counted.
 *
 * <p>{@code bin/horn bench pushes [--epochs 3] [--cases dense,shards2,threshold1e-3,...]
 * [--data DIR] [--cluster] [-D key=value]}
 */
@Command(name = "bin/horn bench pushes", sortOptions = false,
    description = "Bytes per push and final accuracy of dense, sharded and threshold-encoded "
        + "pushes to the parameter server.")
public final class PushesBenchmark implements Callable<Integer> {
  private static final Pattern ENCODED = Pattern.compile(
      "threshold-encoded \\(([^)]*)\\): (\\d+), (\\d+) bytes each on average = ([\\d.]+) of "
          + "dense, (\\d+) sent dense");

  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
  int epochs = 3;

  @Option(names = "--cases", paramLabel = "C,...", description = "Of dense, shardsN, "
      + "thresholdX (default: ${DEFAULT-VALUE}).")
  String cases = "dense,shards2,threshold1e-3,threshold3e-3";

  @Option(names = "--cluster", description = "On the one-machine cluster instead of local mode.")
  boolean cluster;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  PushesBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new PushesBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    for (String name : cases.split(",")) {
      if (!name.equals("dense") && !name.matches("shards[1-9][0-9]*")
          && !name.matches("threshold[0-9.eE+-]+")) {
        throw new UsageException("--cases: unknown case '" + name + "' (dense, shardsN, "
            + "thresholdX)");
      }
    }
    Path work = Files.createTempDirectory("pushes-bench");
    Path mnist = data.toAbsolutePath();
    if (!cluster) {
      run(mnist, work, cases, epochs, config.applyTo(new HornConfiguration()), "local");
      return Cli.OK;
    }
    try (LocalCluster c = LocalCluster.builder(work.resolve("cluster")).tasks(4)
        .childHeap("1g").environment("OPENBLAS_NUM_THREADS", "1").start()) {
      HornConfiguration base = new HornConfiguration();
      for (Map.Entry<String, String> e : c.conf()) {
        base.set(e.getKey(), e.getValue());
      }
      run(mnist, work, cases, epochs, config.applyTo(base), "cluster");
    }
    return Cli.OK;
  }

  private static void run(Path data, Path work, String cases, int epochs, HornConfiguration base,
      String where) throws Exception {
    for (String name : cases.split(",")) {
      HornConfiguration conf = base.copy();
      if (conf.getRaw("bsp.master.address") == null) {
        conf.set("bsp.master.address", "local");
      }
      conf.set(HornOptions.THREADS, 1);
      conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
      int shards = 1;
      if (name.startsWith("shards")) {
        shards = Integer.parseInt(name.substring("shards".length()));
      } else if (name.startsWith("threshold")) {
        conf.set(HornOptions.PUSH_ENCODING, "threshold");
        conf.set(HornOptions.PUSH_THRESHOLD, Float.parseFloat(name.substring("threshold".length())));
      }
      HornJob job = ClusterBenchmark.declare(new HornJob(conf, PushesBenchmark.class));
      job.setTrainingSetPath(data.toString());
      job.setTestSetPath(data + "#t10k");
      job.setModelPath(work.resolve(name + ".model").toString());
      job.setWorkers(2);
      job.setGroups(2);
      job.setPushInterval(1);
      job.setParameterServerShards(shards);
      job.setEpochs(epochs);
      long t0 = System.nanoTime();
      if (!job.waitForCompletion(false)) {
        throw new IllegalStateException("case " + name + " failed");
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      Map<String, String> meta = job.getModel().metadata();
      long dense = 4L * job.getNetworkSpec().parameterCount();
      double bytes = dense;
      long densePushes = -1;
      Matcher m = ENCODED.matcher(meta.getOrDefault(MetadataKeys.leaderTiming(0), ""));
      if (m.find()) {
        bytes = Double.parseDouble(m.group(3));
        densePushes = Long.parseLong(m.group(5));
      }
      System.out.printf(Locale.ROOT, "RESULT bench=pushes where=%s case=%s shards=%d "
          + "bytes_per_push=%.0f of_dense=%.4f dense_pushes=%s final_accuracy=%s steps=%s "
          + "job_s=%.1f%n", where, name, shards, bytes, bytes / dense,
          densePushes < 0 ? "-" : Long.toString(densePushes), meta.get(MetadataKeys.TEST_ACCURACY),
          meta.get(MetadataKeys.TRAINED_STEPS), wall);
    }
  }
}
