package io.horn.cuda;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.MnistData;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.math.Availability;
import io.horn.core.math.Gradients;
import io.horn.core.math.MathBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * MNIST 784-500-500-10: training-step throughput of the cpu and the cuda backend at batch 128
 * and 1024 (by default), on real batches, and optionally an N-epoch run on the GPU with its test
 * accuracy. Ends with one {@code RESULT bench=gpu ...} line per batch size.
 *
 * <p>{@code GpuBenchmark [--data DIR] [--batches 128,1024] [--epochs N] [--sgemm cublas|own]}
 * ({@code bin/horn bench gpu}, and the GPU check bundle). Without a usable GPU it measures
 * nothing, prints {@code NOT RUN: <reason>} and exits 3: a benchmark that cannot measure the GPU
 * must not look like one that did.
 */
public final class GpuBenchmark {
  private GpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path data = Paths.get(System.getProperty("horn.mnist.dir",
        Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist").toString()));
    int epochs = 0;
    List<Integer> batches = List.of(128, 1024);
    Boolean cublas = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (v == null) {
        usage("'" + a + "' needs a value");
      }
      i++;
      switch (a) {
        case "--data": data = Paths.get(v); break;
        case "--epochs": epochs = Integer.parseInt(v); break;
        case "--batches":
          List<Integer> b = new ArrayList<>();
          for (String s : v.split(",")) {
            b.add(Integer.parseInt(s.trim()));
          }
          batches = b;
          break;
        case "--sgemm":
          if (!v.equals("cublas") && !v.equals("own")) {
            usage("--sgemm takes cublas or own, not '" + v + "'");
          }
          cublas = v.equals("cublas");
          break;
        default: usage("unknown argument '" + a + "'");
      }
    }
    CudaProbe.Result probe = CudaProbe.result();
    Availability gpu = new CudaBackend().availability();
    System.out.println("cuda backend: " + gpu);
    if (!probe.usable) {
      System.out.println("NOT RUN: " + probe.reason);
      System.exit(3);
    }
    boolean useCublas = cublas != null ? cublas : probe.cublas;
    ArrayDataset train = MnistData.load(data, MnistData.TRAIN);
    NetworkSpec spec = GpuChecks.mnistNet();
    String device = probe.device.replaceAll("[^A-Za-z0-9.-]+", "_");
    for (int batch : batches) {
      double cpu = rate(new CpuBackend(), spec, batch, train, null);
      double g = rate(new CudaBackend(), spec, batch, train, useCublas);
      System.out.printf(Locale.ROOT, "batch %4d: cpu %,.0f samples/s, gpu %,.0f samples/s ="
          + " %.1fx%n", batch, cpu, g, g / cpu);
      System.out.printf(Locale.ROOT, "RESULT bench=gpu batch=%d cpu_samples_per_s=%.0f"
          + " gpu_samples_per_s=%.0f speedup=%.2f device=%s sgemm=%s cpu_cores=%d%n", batch, cpu,
          g, g / cpu, device, useCublas ? "cublas" : "own", Runtime.getRuntime()
          .availableProcessors());
    }
    if (epochs > 0) {
      ArrayDataset test = MnistData.load(data, MnistData.TEST);
      long t0 = System.nanoTime();
      Model m = new Trainer(spec, GpuChecks.settings(128, epochs), new CudaBackend())
          .fit(train, test, null);
      System.out.printf(Locale.ROOT, "gpu training: %d epochs in %.1f s, test accuracy %s%n",
          epochs, (System.nanoTime() - t0) / 1e9, m.metadata().get(MetadataKeys.TEST_ACCURACY));
    }
  }

  private static void usage(String problem) {
    System.err.println("GpuBenchmark: " + problem + "; usage: GpuBenchmark [--data DIR]"
        + " [--batches 128,1024] [--epochs N] [--sgemm cublas|own]");
    System.exit(2);
  }

  /**
   * Best of four rounds of training steps over real batches, in samples per second; each round
   * ends by reading the parameters back, which waits for the device.
   */
  private static double rate(MathBackend backend, NetworkSpec spec, int batch,
      ArrayDataset train, Boolean cublas) {
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[784 * batch];
    float[] t = new float[10 * batch];
    double best = 0;
    io.horn.core.conf.TrainingSettings s = GpuChecks.settings(batch, 1);
    NetworkEngine engine = cublas == null ? backend.createEngine(spec, s, batch)
        : ((CudaBackend) backend).createEngine(spec, s, batch, cublas);
    try (NetworkEngine e = engine) {
      e.setParameters(new Trainer(spec, s, backend).initialParameters());
      Gradients g = new Gradients(spec.parameterCount());
      float[] sync = new float[spec.parameterCount()];
      int steps = Math.max(20, 25_600 / batch);
      long step = 0;
      for (int round = 0; round < 4; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++, step++) {
          train.fill(order, (int) (step * batch % (train.size() - batch)), batch, x, 784, t);
          e.trainStep(x, t, batch, step, g);
        }
        e.getParameters(sync);
        best = Math.max(best, (double) steps * batch / ((System.nanoTime() - t0) / 1e9));
      }
    }
    return best;
  }
}
