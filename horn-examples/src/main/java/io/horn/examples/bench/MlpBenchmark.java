package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
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
import io.horn.core.engine.LayerPaths;
import io.horn.core.engine.Trainer;
import io.horn.core.engine.TrainingListener;
import io.horn.core.lanes.LaneLayerRunner;
import io.horn.core.math.Blas;
import io.horn.core.math.BlasThreads;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.examples.MultiLayerPerceptron;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The horn-core benchmark on real MNIST, 784-500-500-10 (ReLU, SoftMax + CrossEntropy), in
 * process: the sgemm ceiling, the fast path's step throughput and BLAS share, the per-neuron path
 * with a user neuron written the Apache Horn way
 * (MultiLayerPerceptron.UserNeuron), and a full training run with test accuracy per epoch.
 *
 * <p>{@code bin/horn bench mlp [--data DIR] [--epochs 10] [--batch-size 128]
 * [--custom-batches 20] [--learning-rate 0.05] [-D key=value] [--conf FILE]}
 */
@Command(name = "bin/horn bench mlp", sortOptions = false, description = "The horn-core "
    + "benchmark on real MNIST, in process: the sgemm ceiling, the fast path, the per-neuron path"
    + " and a full training run.")
public final class MlpBenchmark implements Callable<Integer> {
  private static final int[] SIZES = {784, 500, 500, 10};

  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of the training run; 0 skips it (default: ${DEFAULT-VALUE}).")
  int epochs = 10;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batch = 128;

  @Option(names = "--custom-batches", paramLabel = "N", description = "Batches timed on the "
      + "per-neuron path; 0 skips it (default: ${DEFAULT-VALUE}).")
  int customBatches = 20;

  @Option(names = "--learning-rate", paramLabel = "F",
      description = "Learning rate (default: ${DEFAULT-VALUE}).")
  float lr = 0.05f;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  /** The former name of {@code --batch-size}, still read. */
  @Option(names = "--batch", hidden = true, paramLabel = "N")
  void legacyBatch(int n) {
    batch = n;
  }

  /** The former name of {@code --learning-rate}, still read. */
  @Option(names = "--lr", hidden = true, paramLabel = "F")
  void legacyLearningRate(float f) {
    lr = f;
  }

  public static void main(String[] args) {
    Cli.exit(new MlpBenchmark(), args);
  }

  /** The training settings: the benchmark's, then {@code --conf} and {@code -D}. */
  TrainingSettings settings() {
    return TrainingSettings.from(conf());
  }

  /** The benchmark's configuration, then {@code --conf} and {@code -D}. */
  HornConfiguration conf() {
    HornConfiguration conf = new HornConfiguration();
    conf.set(HornOptions.BATCH_SIZE, batch);
    conf.set(HornOptions.LEARNING_RATE, lr);
    conf.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    conf.set(HornOptions.EPOCHS, Math.max(epochs, 1));
    conf.set(HornOptions.CONVERGENCE_CHECK_INTERVAL, 1000);
    config.applyTo(conf);
    conf.validate();
    return conf;
  }

  @Override
  public Integer call() throws Exception {
    HornConfiguration conf = conf();
    TrainingSettings settings = TrainingSettings.from(conf);
    int batch = settings.batchSize;
    ArrayDataset train = MnistData.load(data, "train");
    ArrayDataset test = MnistData.load(data, "t10k");
    System.out.printf("machine: %d cores, %s, java %s%n", Runtime.getRuntime()
        .availableProcessors(), Blas.describe(Blas.get()), System.getProperty("java.version"));

    // The ceiling and the fast path alternate, best of six each: on a shared machine load comes
    // and goes, and alternating exposes both to the same spells of it.
    CeilingStep ceiling = new CeilingStep(SIZES, batch);
    int ceilingBatch = batch;
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = settings.threads;
    // Two ceilings: each call whole on the library's threads, and each call split over the
    // engine's threads with the library on one thread each. The higher one is the ceiling.
    boolean canSet = BlasThreads.setLibraryThreads(1);
    boolean library = canSet || !BlasThreads.callerOnly();
    boolean split = threads > 1 && BlasThreads.callerOnly();
    double[] ceilingRate = {0, 0};
    Runnable ceilingRep = () -> {
      int steps = 100;
      if (library) {
        BlasThreads.setLibraryThreads(cores);
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          ceiling.step();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        ceilingRate[0] = Math.max(ceilingRate[0], steps * ceilingBatch / secs);
        BlasThreads.setLibraryThreads(1);
      }
      if (split) {
        long t0 = System.nanoTime();
        try {
          ceiling.splitSteps(steps, threads);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        ceilingRate[1] = Math.max(ceilingRate[1], steps * ceilingBatch / secs);
      }
    };
    ceilingRep.run();
    NetworkSpec fast = spec(StandardNeuron.class);
    StepRate fastRate = stepRate(fast, settings, train, batch, 100, 6, ceilingRep);
    double ceilingMax = Math.max(ceilingRate[0], ceilingRate[1]);
    System.out.printf("ceiling (8 bare sgemm calls per step): %.0f samples/s, %.1f GFLOP/s "
        + "(each call on the library's %s threads: %s; split over %d threads of one library "
        + "thread each: %s)%n", ceilingMax, ceilingMax / batch * ceiling.flops() / 1e9,
        library ? cores : "own", library ? String.format("%.0f", ceilingRate[0]) : "-",
        threads, split ? String.format("%.0f", ceilingRate[1]) : "-");
    System.out.printf("fast path (%d threads): %.0f samples/s = %.2f of ceiling; %.0f%% of the "
        + "step in BLAS (%.1f GFLOP/s there), %.0f%% outside%n", fastRate.threads(),
        fastRate.rate(), fastRate.rate() / ceilingMax,
        100 * fastRate.blasShare(), fastRate.rate() / batch * ceiling.flops() / 1e9
        / fastRate.blasShare(), 100 * (1 - fastRate.blasShare()));
    System.out.println("fast path breakdown (share of the step): " + fastRate.breakdown());

    List<String> results = new ArrayList<>();
    results.add(String.format(Locale.ROOT, "RESULT bench=mlp case=ceiling samples_per_s=%.0f "
        + "library_threads_samples_per_s=%.0f split_samples_per_s=%.0f", ceilingMax,
        ceilingRate[0], ceilingRate[1]));
    results.add(String.format(Locale.ROOT, "RESULT bench=mlp case=fast samples_per_s=%.0f "
        + "of_ceiling=%.3f blas_share=%.3f", fastRate.rate(), fastRate.rate() / ceilingMax,
        fastRate.blasShare()));
    if (customBatches > 0) {
      NetworkSpec custom = spec(MultiLayerPerceptron.UserNeuron.class);
      conf.set(HornOptions.WIDEN, false);
      TrainingSettings scalarSettings = TrainingSettings.from(conf);
      conf.set(HornOptions.WIDEN, true);
      for (TrainingSettings s : List.of(settings, scalarSettings)) {
        LayerPaths.Path path = LayerPaths.of(custom, s).get(1);
        String kind = path.kind() == LayerPaths.Kind.COMPILED
            ? "compiled × " + LaneLayerRunner.LANES : "scalar";
        StepRate customRate = stepRate(custom, s, train, batch, customBatches, 2, () -> { });
        System.out.printf("custom-neuron path (Apache Horn-style user neuron, %s, %d threads): %.0f "
            + "samples/s = %.3f of the fast path; per CPU second %.0f = %.3f of the fast path's "
            + "%.0f%n", kind, s.threads, customRate.rate(), customRate.rate() / fastRate.rate(),
            customRate.cpuRate(), customRate.cpuRate() / fastRate.cpuRate(), fastRate.cpuRate());
        results.add(String.format(Locale.ROOT, "RESULT bench=mlp case=custom-%s samples_per_s=%.0f"
            + " of_fast=%.4f samples_per_cpu_s=%.0f of_fast_cpu=%.4f",
            path.kind() == LayerPaths.Kind.COMPILED ? "compiled" : "scalar", customRate.rate(),
            customRate.rate() / fastRate.rate(), customRate.cpuRate(),
            customRate.cpuRate() / fastRate.cpuRate()));
      }
    }

    if (epochs > 0) {
      List<String> rows = new ArrayList<>();
      long[] evalNanos = {0};
      long start = System.nanoTime();
      TrainingListener l = new TrainingListener() {
        @Override
        public void onEpoch(int epoch, long step, Evaluation eval) {
          rows.add(String.format("epoch %2d: test accuracy %.4f, cost %.4f, %.1f s", epoch,
              eval.accuracy(), eval.meanCost(), (System.nanoTime() - start) / 1e9));
        }
      };
      // Time one evaluation to subtract it from the training throughput.
      Model model = new Trainer(fast, settings, new CpuBackend()).fit(train, test, l);
      double total = (System.nanoTime() - start) / 1e9;
      try (NetworkEngine e = new CpuBackend().createEngine(fast, settings, 1000)) {
        e.setParameters(model.parameters());
        long t0 = System.nanoTime();
        Evaluation.of(e, test);
        evalNanos[0] = System.nanoTime() - t0;
      }
      rows.forEach(System.out::println);
      double trainSecs = total - epochs * evalNanos[0] / 1e9;
      System.out.printf("training: %d epochs in %.1f s (%.1f s of it evaluating), %.0f samples/s;"
          + " final test accuracy %s%n", epochs, total, epochs * evalNanos[0] / 1e9,
          (double) epochs * train.size() / trainSecs,
          model.metadata().get(MetadataKeys.TEST_ACCURACY));
      results.add(String.format(Locale.ROOT, "RESULT bench=mlp case=training epochs=%d "
          + "samples_per_s=%.0f test_accuracy=%s", epochs,
          (double) epochs * train.size() / trainSecs,
          model.metadata().get(MetadataKeys.TEST_ACCURACY)));
    }
    results.forEach(System.out::println);
    return Cli.OK;
  }

  private static NetworkSpec spec(Class<? extends io.horn.core.Neuron> neuron) {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(SIZES[0], ReLU.class, neuron, 0f));
    layers.add(new LayerSpec(SIZES[1], ReLU.class, neuron, 0f));
    layers.add(new LayerSpec(SIZES[2], ReLU.class, neuron, 0f));
    layers.add(new LayerSpec(SIZES[3], SoftMax.class, neuron, 0f));
    return new NetworkSpec(layers, CrossEntropy.class);
  }

  /** Steps per second of the best repetition, its BLAS share and where its time went. */
  /**
   * @param rate samples per second, wall clock
   * @param cpuRate samples per second of the process's CPU time (all its threads): on a shared
   *     machine, the waits for a core that wall-clock time counts are left out
   */
  private record StepRate(double rate, double blasShare, String breakdown, double cpuRate,
      int threads) {}

  /** CPU time of the whole process, in nanoseconds. */
  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean
        ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
  }

  /** Best-of-{@code reps} steps per second over real batches, with that repetition's breakdown. */
  private static StepRate stepRate(NetworkSpec spec, TrainingSettings s, ArrayDataset train,
      int batch, int steps, int reps, Runnable beforeEachRep) {
    Trainer init = new Trainer(spec, s, new CpuBackend());
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[784 * batch];
    float[] t = new float[10 * batch];
    Gradients g = new Gradients(spec.parameterCount());
    StepRate best = new StepRate(0, 0, "", 0, 1);
    int threads = 1;
    double bestCpu = 0;
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, batch)) {
      e.setParameters(init.initialParameters());
      threads = CpuBackend.stepThreads(e);
      long step = 0;
      for (int rep = 0; rep < reps; rep++) {
        beforeEachRep.run();
        Map<String, Long> before = CpuBackend.phaseNanos(e);
        long fillNanos = 0;
        long c0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++, step++) {
          int from = (int) (step * batch % (train.size() - batch));
          long f0 = System.nanoTime();
          train.fill(order, from, batch, x, 784, t);
          long f1 = System.nanoTime();
          fillNanos += f1 - f0;
          // The step as the in-process trainer takes it (the update fused where it can be).
          e.trainStep(x, t, batch, step, g);
        }
        long dt = System.nanoTime() - t0;
        double rate = steps * batch / (dt / 1e9);
        long cpu = processCpuNanos() - c0;
        bestCpu = Math.max(bestCpu, cpu > 0 ? steps * batch / (cpu / 1e9) : 0);
        if (rate > best.rate()) {
          Map<String, Long> after = CpuBackend.phaseNanos(e);
          StringBuilder b = new StringBuilder();
          b.append(String.format("batch fill %.1f%%", 100.0 * fillNanos / dt));
          for (Map.Entry<String, Long> p : after.entrySet()) {
            b.append(String.format(", %s %.1f%%", p.getKey().toLowerCase(Locale.ROOT),
                100.0 * (p.getValue() - before.get(p.getKey())) / dt));
          }
          double blas = (double) (after.get("BLAS") - before.get("BLAS")) / dt;
          best = new StepRate(rate, blas, b.toString(), 0, threads);
        }
      }
    }
    return new StepRate(best.rate(), best.blasShare(), best.breakdown(), bestCpu, threads);
  }
}
