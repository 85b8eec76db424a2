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
import io.horn.core.engine.Trainer;
import io.horn.core.math.Availability;
import io.horn.core.math.Gradients;
import io.horn.core.math.MathBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.cuda.CudaBackend;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * MNIST 784-500-500-10 on the CPU backend and the cuda backend: training-step throughput at
 * batch 128 and 1024, and, when a GPU is usable, a 10-epoch run on it with its test accuracy.
 * Without a usable GPU it says why and measures the CPU only.
 *
 * <p>{@code bin/horn bench gpu [--data DIR] [--epochs 10]}
 */
@Command(name = "bin/horn bench gpu", sortOptions = false,
    description = "MNIST 784-500-500-10 on the CPU and the cuda backend: step throughput at batch 128 and 1024, "
        + "and a training run on the GPU when one is usable.")
public final class GpuBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
  int epochs = 10;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  GpuBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new GpuBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    ArrayDataset train = MnistData.load(data, "train");
    ArrayDataset test = MnistData.load(data, "t10k");
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(784, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(500, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(500, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(10, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    MathBackend cuda = new CudaBackend();
    Availability gpu = cuda.availability();
    System.out.println("cuda backend: " + gpu);
    for (int batch : new int[] {128, 1024}) {
      double cpu = rate(new CpuBackend(), spec, settings(batch, 1), train, batch);
      if (gpu.isUsable()) {
        double g = rate(cuda, spec, settings(batch, 1), train, batch);
        System.out.printf("batch %4d: cpu %,.0f samples/s, gpu %,.0f samples/s = %.1fx%n", batch,
            cpu, g, g / cpu);
      } else {
        System.out.printf("batch %4d: cpu %,.0f samples/s; gpu not measured%n", batch, cpu);
      }
    }
    if (gpu.isUsable() && epochs > 0) {
      long t0 = System.nanoTime();
      Model m = new Trainer(spec, settings(128, epochs), cuda).fit(train, test, null);
      System.out.printf("gpu training: %d epochs in %.1f s, test accuracy %s%n", epochs,
          (System.nanoTime() - t0) / 1e9, m.metadata().get("test.accuracy"));
    }
    return Cli.OK;
  }

  /** The benchmark's settings, then {@code --conf} and {@code -D}. */
  private TrainingSettings settings(int batch, int epochs) {
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.BATCH_SIZE, batch);
    c.set(HornOptions.EPOCHS, epochs);
    c.set(HornOptions.LEARNING_RATE, 0.05f);
    c.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    config.applyTo(c);
    c.validate();
    return TrainingSettings.from(c);
  }

  /** Best of three rounds of training steps over real batches, in samples per second. */
  private static double rate(MathBackend backend, NetworkSpec spec, TrainingSettings s,
      ArrayDataset train, int batch) {
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[784 * batch];
    float[] t = new float[10 * batch];
    double best = 0;
    try (NetworkEngine e = backend.createEngine(spec, s, batch)) {
      e.setParameters(new Trainer(spec, s, backend).initialParameters());
      Gradients g = new Gradients(spec.parameterCount());
      int steps = Math.max(20, 25_600 / batch);
      long step = 0;
      for (int round = 0; round < 4; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++, step++) {
          train.fill(order, (int) (step * batch % (train.size() - batch)), batch, x, 784, t);
          e.trainStep(x, t, batch, step, g);
        }
        float[] sync = new float[spec.parameterCount()];
        e.getParameters(sync); // waits for the device
        best = Math.max(best, (double) steps * batch / ((System.nanoTime() - t0) / 1e9));
      }
    }
    return best;
  }
}
