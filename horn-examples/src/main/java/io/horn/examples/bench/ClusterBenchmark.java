package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cluster.LocalCluster;
import io.horn.bsp.io.MnistConverter;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.MnistData;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.model.MetadataKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hama.HamaConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One run on a real one-machine Hama cluster (ZooKeeper, BSPMaster, GroomServer, tasks in child
 * JVMs) with HDFS: MNIST 784-500-500-10 from hdfs://, group members talking over direct TCP
 * (the group collectives) and leaders to the parameter server. Prints where each group leader's
 * time went per step: computing, waiting at the region barrier (the all-reduce's tail after the
 * leader's own backward ends), and pushing to / pulling from the parameter server; and, in the
 * same run, the in-process trainer's throughput on the same data and network as the peer.
 *
 * <p>Throughput is samples per second of the training loop (the slowest group leader's), so JVM
 * start-up and data loading, which the in-process figure does not include either, stay out; the
 * end-to-end job time is printed next to it.
 *
 * <p>{@code bin/horn bench cluster [--setups 2x2,1x2] [--epochs 2] [--compression none,bf16]}
 */
@Command(name = "bin/horn bench cluster", sortOptions = false,
    description = "One run on a real one-machine Hama cluster with HDFS: where the time of each "
        + "group leader goes per step, against the in-process trainer.")
public final class ClusterBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
  int epochs = 2;

  @Option(names = "--setups", paramLabel = "GxP,...",
      description = "Groups x peers per group (default: ${DEFAULT-VALUE}).")
  String setups = "1x2,2x2";

  @Option(names = "--compression", paramLabel = "C,...",
      description = "Wire formats of the collectives: none, bf16, fp16 (default: "
          + "${DEFAULT-VALUE}).")
  String compressions = "none";

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  ClusterBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new ClusterBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    double inProcess = inProcess(data, epochs);
    System.out.printf(Locale.ROOT, "in-process trainer: %.0f samples/s%n", inProcess);
    Path workRoot = Files.createDirectories(Paths.get(System.getProperty("horn.home", "."),
        "work"));
    Path work = Files.createTempDirectory(workRoot, "cluster-bench");
    long t0 = System.nanoTime();
    try (LocalCluster cluster = LocalCluster.builder(work).tasks(5).hdfs(true).childHeap("2g")
        .environment("OPENBLAS_NUM_THREADS", "1").start()) {
      System.out.printf("cluster with HDFS up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      HamaConfiguration hama = cluster.conf();
      String hdfs = cluster.hdfsUri();
      MnistConverter.write(MnistData.load(data, "train"),
          new org.apache.hadoop.fs.Path(hdfs + "/mnist/train/part-00000"), hama);
      MnistConverter.write(MnistData.load(data, "t10k"),
          new org.apache.hadoop.fs.Path(hdfs + "/mnist/test/part-00000"), hama);
      for (String[] run : runs(compressions, setups)) {
        String compression = run[0];
        String setup = run[1];
        String[] gp = setup.split("x");
        int groups = Integer.parseInt(gp[0]);
        int workers = groups * Integer.parseInt(gp[1]);
        HornConfiguration conf = new HornConfiguration();
        for (Map.Entry<String, String> e : hama) {
          conf.set(e.getKey(), e.getValue());
        }
        conf.set(HornOptions.THREADS, 1);
        conf.set(HornOptions.COLLECTIVE_COMPRESSION, compression);
        config.applyTo(conf);
        HornJob job = new HornJob(conf, ClusterBenchmark.class);
        job.setTrainingSetPath(hdfs + "/mnist/train");
        job.setTestSetPath(hdfs + "/mnist/test");
        job.setModelPath(hdfs + "/models/mnist-" + setup + ".model");
        job.setWorkers(workers);
        job.setGroups(groups);
        job.setPushInterval(4);
        job.setEpochs(epochs);
        declare(job);
        long s = System.nanoTime();
        job.waitForCompletion(false);
        double secs = (System.nanoTime() - s) / 1e9;
        Map<String, String> meta = job.getModel().metadata();
        System.out.printf(Locale.ROOT, "%s%s, %s on the wire: job %.1f s end to end, test "
            + "accuracy %s%n", setup, groups > 1 ? " + PS" : "", compression, secs,
            meta.get(MetadataKeys.TEST_ACCURACY));
        double[] sum = new double[3];
        double slowest = 0;
        long samples = 0;
        for (int g = 0; g < groups; g++) {
          String steps = meta.getOrDefault(MetadataKeys.psGroupSteps(g),
              meta.get(MetadataKeys.groupSteps(g)));
          String timing = meta.get(MetadataKeys.leaderTiming(g));
          System.out.printf("  group %d: %s steps; leader %s%n", g, steps, timing);
          Matcher m = TIMING.matcher(timing);
          if (!m.find()) {
            throw new IllegalStateException("unreadable leader timing: " + timing);
          }
          for (int i = 0; i < 3; i++) {
            sum[i] += Double.parseDouble(m.group(i + 1)) / groups;
          }
          samples += Long.parseLong(m.group(4)) * 128;
          slowest = Math.max(slowest, Double.parseDouble(m.group(5)));
        }
        double rate = samples / slowest;
        System.out.printf(Locale.ROOT, "RESULT bench=cluster setup=%s compression=%s "
            + "samples_per_s=%.0f inprocess_samples_per_s=%.0f ratio=%.3f compute_ms=%.2f "
            + "barrier_ms=%.2f pushpull_ms=%.2f barrier_to_compute=%.3f pushpull_to_compute=%.3f "
            + "test_accuracy=%s job_s=%.1f%n", setup, compression, rate, inProcess,
            rate / inProcess, sum[0], sum[1], sum[2], sum[1] / sum[0], sum[2] / sum[0],
            meta.get(MetadataKeys.TEST_ACCURACY), secs);
      }
    }
    return Cli.OK;
  }

  static final Pattern TIMING = Pattern.compile("compute ([\\d.]+) ms/step, barrier "
      + "([\\d.]+) ms/step, push\\+pull ([\\d.]+) ms/step, (\\d+) steps in ([\\d.]+) s");

  /** Every (compression, setup) pair, compressions outermost. */
  private static java.util.List<String[]> runs(String compressions, String setups) {
    java.util.List<String[]> runs = new java.util.ArrayList<>();
    for (String c : compressions.split(",")) {
      for (String s : setups.split(",")) {
        runs.add(new String[] {c, s});
      }
    }
    return runs;
  }

  /** Samples per second of horn-core's in-process trainer on the same net, data and epochs. */
  private static double inProcess(Path data, int epochs) throws Exception {
    HornJob job = declare(new HornJob(new HornConfiguration(), ClusterBenchmark.class));
    job.setEpochs(epochs);
    TrainingSettings s = TrainingSettings.from(job.getConfiguration());
    io.horn.core.data.ArrayDataset train = MnistData.load(data, "train");
    long t0 = System.nanoTime();
    new Trainer(job.getNetworkSpec(), s, new CpuBackend()).fit(train, null, null);
    return (double) train.size() * epochs / ((System.nanoTime() - t0) / 1e9);
  }

  /** The benchmarks' MNIST job: 784-500-500-10, batch 128, lr 0.05, momentum 0.9. */
  static HornJob declare(HornJob job) {
    job.setBatchSize(128);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.inputLayer(784, ReLU.class, StandardNeuron.class);
    job.addLayer(500, ReLU.class, StandardNeuron.class);
    job.addLayer(500, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    return job;
  }
}
