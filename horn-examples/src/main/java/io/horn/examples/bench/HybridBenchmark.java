package io.horn.examples.bench;

import io.horn.bsp.ProgressTrace;
import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.io.MnistConverter;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.MnistData;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Evaluation;
import io.horn.core.engine.Trainer;
import io.horn.core.engine.TrainingListener;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.NetworkSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Hybrid training on Hama in local mode against the in-process trainer: real MNIST
 * 784-500-500-10 as SequenceFiles split by Hama, setups G×P (groups × peers per group).
 * Each setup runs in its own JVM with {@code OPENBLAS_NUM_THREADS = max(1, cores / workers)} so
 * that workers do not oversubscribe the cores.
 *
 * <p>{@code bin/horn bench hybrid [--epochs 6] [--setups 1x1,1x2,2x1,2x2] [--data DIR]}
 */
@Command(name = "bin/horn bench hybrid", sortOptions = false,
    description = "Hybrid training on Hama in local mode against the in-process trainer, setups GxP on real "
        + "MNIST.")
public final class HybridBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
  int epochs = 6;

  @Option(names = "--setups", paramLabel = "GxP,...",
      description = "Groups x peers per group (default: ${DEFAULT-VALUE}).")
  String setups = "1x1,1x2,2x1,2x2";

  /** One setup in a child JVM (the benchmark starts its children with it). */
  @Option(names = "--run", hidden = true)
  String run;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  private static final double TARGET = 0.97;

  HybridBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new HybridBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    if (run != null) {
      System.out.println(run.equals("inprocess") ? inProcess(data, epochs, config)
          : hybrid(data, epochs, run, config));
      return Cli.OK;
    }
    Path seq = Paths.get(System.getProperty("horn.home", "."), "work", "bench", "mnist-seq");
    if (!Files.exists(seq.resolve("train"))) {
      org.apache.hadoop.conf.Configuration hc = new org.apache.hadoop.conf.Configuration();
      MnistConverter.write(MnistData.load(data, "train"),
          new org.apache.hadoop.fs.Path(seq.resolve("train/part-00000").toUri()), hc);
      MnistConverter.write(MnistData.load(data, "t10k"),
          new org.apache.hadoop.fs.Path(seq.resolve("test/part-00000").toUri()), hc);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("%d cores; %d epochs of MNIST 784-500-500-10, batch 128 per group%n",
        cores, epochs);
    System.out.println("| setup | samples/s | vs in-process | time to 97% | final accuracy |");
    System.out.println("|---|---|---|---|---|");
    String[] base = child("inprocess", data, seq, epochs, cores, config.entries());
    double baseRate = Double.parseDouble(base[1]);
    print("in-process", base, baseRate);
    for (String s : setups.split(",")) {
      String[] gp = s.split("x");
      int workers = Integer.parseInt(gp[0]) * Integer.parseInt(gp[1]);
      print(s + (Integer.parseInt(gp[0]) > 1 ? " + PS" : ""),
          child(s, data, seq, epochs, Math.max(1, cores / workers), config.entries()),
          baseRate);
    }
    return Cli.OK;
  }

  private static void print(String name, String[] r, double baseRate) {
    System.out.printf("| %s | %.0f | %.2f | %s | %s |%n", name, Double.parseDouble(r[1]),
        Double.parseDouble(r[1]) / baseRate, r[2].equals("-") ? "not reached" : r[2] + " s", r[3]);
  }

  /** Runs one setup in a child JVM; returns {name, samples/s, seconds to 97%, accuracy}. */
  private static String[] child(String setup, Path data, Path seq, int epochs, int blasThreads,
      Map<String, String> extra) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx6g");
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("-Dhorn.home=" + System.getProperty("horn.home", "."));
    String log = System.getProperty("log4j.configuration");
    if (log != null) {
      cmd.add("-Dlog4j.configuration=" + log);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(HybridBenchmark.class.getName());
    cmd.addAll(List.of("--run", setup, "--epochs", Integer.toString(epochs), "--data",
        setup.equals("inprocess") ? data.toString() : seq.toString()));
    extra.forEach((k, v) -> cmd.addAll(List.of("-D", k + "=" + v))); // -D and --conf, passed on
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    if (!setup.equals("inprocess") && !setup.equals("1x1")) {
      env.put("OPENBLAS_NUM_THREADS", Integer.toString(blasThreads));
    }
    Process p = pb.start();
    String result = null;
    StringBuilder tail = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line.substring(7);
        } else {
          tail.append(line).append('\n');
          if (tail.length() > 4000) {
            tail.delete(0, tail.length() - 4000);
          }
        }
      }
    }
    if (p.waitFor() != 0 || result == null) {
      throw new IllegalStateException("setup " + setup + " failed:\n" + tail);
    }
    return result.split(" ");
  }

  private static NetworkSpec declare(HornJob job) {
    job.inputLayer(784, ReLU.class, StandardNeuron.class);
    job.addLayer(500, ReLU.class, StandardNeuron.class);
    job.addLayer(500, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.setBatchSize(128);
    return job.getNetworkSpec();
  }

  private static String inProcess(Path data, int epochs, ConfigOptions config)
      throws Exception {
    ArrayDataset train = MnistData.load(data, "train");
    ArrayDataset test = MnistData.load(data, "t10k");
    HornJob job = new HornJob(config.applyTo(new HornConfiguration()), HybridBenchmark.class);
    job.setEpochs(epochs);
    NetworkSpec spec = declare(job);
    TrainingSettings s = TrainingSettings.from(job.getConfiguration());
    List<long[]> times = new ArrayList<>();
    List<float[]> weights = new ArrayList<>();
    long t0 = System.nanoTime();
    long[] last = {t0 - 500_000_000L};
    io.horn.core.model.Model model = new Trainer(spec, s, new CpuBackend()).fit(train, null,
        new TrainingListener() {
          @Override
          public void afterStep(long step, NetworkEngine engine) {
            // The same 500 ms snapshots the hybrid runs take, evaluated after the run.
            long now = System.nanoTime();
            if (now - last[0] >= 500_000_000L) {
              float[] w = new float[spec.parameterCount()];
              engine.getParameters(w);
              weights.add(w);
              times.add(new long[] {now - t0, step});
              last[0] = System.nanoTime();
            }
          }
        });
    double total = (System.nanoTime() - t0) / 1e9;
    double reached = -1;
    double acc;
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, 1000)) {
      for (int i = 0; i < weights.size() && reached < 0; i++) {
        e.setParameters(weights.get(i));
        if (Evaluation.of(e, test).accuracy() >= TARGET) {
          reached = times.get(i)[0] / 1e9;
        }
      }
      e.setParameters(model.parameters());
      acc = Evaluation.of(e, test).accuracy();
    }
    return String.format("RESULT inprocess %.1f %s %.4f", (double) epochs * train.size() / total,
        reached < 0 ? "-" : String.format("%.1f", reached), acc);
  }

  private static String hybrid(Path seq, int epochs, String setup, ConfigOptions config)
      throws Exception {
    String[] gp = setup.split("x");
    int groups = Integer.parseInt(gp[0]);
    int peers = Integer.parseInt(gp[1]);
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    Path work = Files.createTempDirectory("horn-bench");
    conf.set("bsp.local.dir", work.resolve("hama").toString());
    conf.set(HornOptions.THREADS, 1);
    config.applyTo(conf);
    HornJob job = new HornJob(conf, HybridBenchmark.class);
    job.setTrainingSetPath(seq.resolve("train").toString());
    job.setTestSetPath(seq.resolve("test").toString());
    job.setModelPath(work.resolve("model.bin").toString());
    job.setWorkers(groups * peers);
    job.setGroups(groups);
    job.setPushInterval(4);
    job.setEpochs(epochs);
    NetworkSpec spec = declare(job);
    long seed = job.getConfiguration().get(HornOptions.SEED);
    ProgressTrace trace = ProgressTrace.enable(seed, 500);
    job.waitForCompletion(false);
    ProgressTrace.disable(seed);
    Map<String, String> meta = job.getModel().metadata();
    long steps = meta.containsKey(MetadataKeys.PS_STEPS)
        ? Long.parseLong(meta.get(MetadataKeys.PS_STEPS))
        : Long.parseLong(meta.get(MetadataKeys.groupSteps(0)));
    List<ProgressTrace.Snapshot> snaps = trace.snapshots();
    double trainSecs = snaps.get(snaps.size() - 1).nanos / 1e9;
    ArrayDataset test = new io.horn.bsp.io.SequenceFileDatasetFormat()
        .load(seq.resolve("test").toString());
    double reached = -1;
    try (NetworkEngine e = new CpuBackend().createEngine(spec,
        TrainingSettings.from(job.getConfiguration()), 1000)) {
      for (ProgressTrace.Snapshot sn : snaps) {
        e.setParameters(sn.weights);
        if (Evaluation.of(e, test).accuracy() >= TARGET) {
          reached = sn.nanos / 1e9;
          break;
        }
      }
    }
    return String.format("RESULT %s %.1f %s %s", setup, steps * 128.0 / trainSecs,
        reached < 0 ? "-" : String.format("%.1f", reached), meta.get(MetadataKeys.TEST_ACCURACY));
  }
}
