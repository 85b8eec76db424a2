package io.horn.examples.bench;

import io.horn.bsp.cluster.LocalCluster;
import io.horn.core.HornJob;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * [--data MNIST_DIR] [--cluster]}
 */
public final class PushesBenchmark {
  private static final Pattern ENCODED = Pattern.compile(
      "threshold-encoded \\(([^)]*)\\): (\\d+), (\\d+) bytes each on average = ([\\d.]+) of "
          + "dense, (\\d+) sent dense");

  private PushesBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");
    int epochs = 3;
    String cases = "dense,shards2,threshold1e-3,threshold1e-4";
    boolean cluster = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--cluster")) {
        cluster = true;
        continue;
      }
      if (i + 1 >= args.length) {
        usage("option " + args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--cases" -> cases = args[++i];
        case "--data" -> data = Paths.get(args[++i]);
        default -> usage("unknown option " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("pushes-bench");
    data = data.toAbsolutePath();
    if (!cluster) {
      run(data, work, cases, epochs, new HornConfiguration(), "local");
      return;
    }
    try (LocalCluster c = LocalCluster.builder(work.resolve("cluster")).tasks(4)
        .childHeap("1g").environment("OPENBLAS_NUM_THREADS", "1").start()) {
      HornConfiguration base = new HornConfiguration();
      for (Map.Entry<String, String> e : c.conf()) {
        base.set(e.getKey(), e.getValue());
      }
      run(data, work, cases, epochs, base, "cluster");
    }
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
      } else if (!name.equals("dense")) {
        usage("unknown case " + name + " (dense, shardsN, thresholdX)");
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
      Matcher m = ENCODED.matcher(meta.getOrDefault("group.0.leader.timing", ""));
      if (m.find()) {
        bytes = Double.parseDouble(m.group(3));
        densePushes = Long.parseLong(m.group(5));
      }
      System.out.printf(Locale.ROOT, "RESULT bench=pushes where=%s case=%s shards=%d "
          + "bytes_per_push=%.0f of_dense=%.4f dense_pushes=%s final_accuracy=%s steps=%s "
          + "job_s=%.1f%n", where, name, shards, bytes, bytes / dense,
          densePushes < 0 ? "-" : Long.toString(densePushes), meta.get("test.accuracy"),
          meta.get("trained.steps"), wall);
    }
  }

  private static void usage(String why) {
    System.err.println("PushesBenchmark: " + why);
    System.err.println("usage: bin/horn bench pushes [--epochs N] [--cases dense,shards2,"
        + "threshold1e-3] [--data MNIST_DIR] [--cluster]");
    System.exit(2);
  }
}
