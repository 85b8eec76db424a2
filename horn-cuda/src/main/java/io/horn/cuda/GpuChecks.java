package io.horn.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;

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
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;

/**
 * The GPU checks of the offline check bundle ({@code run-gpu-checks.sh}), one per call, for a
 * user who puts horn-cuda on a GPU machine and wants to know whether it works there:
 *
 * <pre>
 *   java -cp ... io.horn.cuda.GpuChecks probe              what CudaProbe finds
 *   java -cp ... io.horn.cuda.GpuChecks jit                JIT-compile every kernel, with the log
 *   java -cp ... io.horn.cuda.GpuChecks gradients [--data DIR]
 *                      one step's gradients, CPU vs GPU, per weight block, both sgemm paths
 *   java -cp ... io.horn.cuda.GpuChecks mnist --data DIR   one epoch of MNIST on the GPU
 * </pre>
 *
 * <p>Exit status: 0 the check ran and passed; 1 it failed; 3 it could not run ({@code NOT RUN:
 * <reason>}, e.g. no usable GPU, or no cuBLAS for the cuBLAS path); 2 a usage error. A check
 * never reports success without a GPU.
 */
public final class GpuChecks {
  /** Gradient blocks and costs may differ by this much, relative (float32 sums reordered). */
  static final double GRADIENT_TOLERANCE = 1e-5;
  /** The least test accuracy one epoch of MNIST must reach. */
  static final double MNIST_ACCURACY = 0.95;

  private GpuChecks() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage("no check named");
    }
    Path data = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--data") && i + 1 < args.length) {
        data = Paths.get(args[++i]);
      } else {
        usage("unknown argument '" + args[i] + "'");
      }
    }
    int status;
    try {
      switch (args[0]) {
        case "probe": status = probe(); break;
        case "jit": status = jit(); break;
        case "gradients": status = gradients(data); break;
        case "mnist": status = mnist(data); break;
        default: usage("unknown check '" + args[0] + "'"); return;
      }
    } catch (RuntimeException | AssertionError e) {
      System.out.println("FAIL: " + e);
      e.printStackTrace(System.out);
      status = 1;
    }
    System.exit(status);
  }

  private static void usage(String problem) {
    System.err.println("GpuChecks: " + problem + "; usage: GpuChecks probe | jit | gradients"
        + " [--data MNIST_DIR] | mnist --data MNIST_DIR");
    System.exit(2);
  }

  /** 0 and the device when CUDA is usable, else 3 and the probe's reason. */
  private static int probe() {
    CudaProbe.Result r = CudaProbe.result();
    System.out.println(r.describe());
    System.out.println("devices: " + r.deviceCount + "; cuBLAS: " + (r.cublas ? "yes"
        : r.deviceCount == 0 ? "not probed" : "no (" + r.cublasReason + ")")
        + "; kernels' PTX in the jar: " + Kernels.ptxAvailable());
    return r.usable ? 0 : notRun(r.reason);
  }

  private static int notRun(String reason) {
    System.out.println("NOT RUN: " + reason);
    return 3;
  }

  /** Loads the PTX into a fresh context and looks every kernel up, printing the JIT log. */
  private static int jit() {
    CudaProbe.Result r = CudaProbe.result();
    if (!r.usable) {
      return notRun(r.reason);
    }
    CUdevice dev = new CUdevice();
    CUcontext ctx = new CUcontext();
    Cuda.check(cuDeviceGet(dev, 0), "cuDeviceGet(0)");
    Cuda.check(cuDevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain");
    try {
      Cuda.check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
      long t0 = System.nanoTime();
      Cuda.Module m = Cuda.load(Kernels.ptx());
      double ms = (System.nanoTime() - t0) / 1e6;
      System.out.printf(Locale.ROOT, "JIT-compiled %d kernels in %.0f ms for %s%n",
          m.functions.size(), ms, r.describeDevice());
      System.out.println("kernels: " + String.join(" ", m.functions.keySet()));
      System.out.println("JIT log: " + (m.infoLog.isEmpty() ? "(empty)" : m.infoLog));
      m.unload();
      if (m.functions.size() != Kernels.ALL.size()) {
        System.out.println("FAIL: found " + m.functions.size() + " of " + Kernels.ALL.size());
        return 1;
      }
    } finally {
      cuDevicePrimaryCtxRelease(dev);
    }
    System.out.println("PASS: every kernel JIT-compiled");
    return 0;
  }

  static NetworkSpec mnistNet() {
    return new NetworkSpec(List.of(
        new LayerSpec(784, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(500, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(500, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(10, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
  }

  static TrainingSettings settings(int batch, int epochs) {
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.BATCH_SIZE, batch);
    c.set(HornOptions.EPOCHS, epochs);
    c.set(HornOptions.LEARNING_RATE, 0.05f);
    c.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    return TrainingSettings.from(c);
  }

  /**
   * One batch of 128 (MNIST's first when {@code data} is given, else uniform features), the same
   * weights on the CPU and on the GPU; each weight block's gradient sums and the cost must agree
   * within {@value #GRADIENT_TOLERANCE}, on the cuBLAS path and on the own sgemm kernel.
   */
  private static int gradients(Path data) throws Exception {
    CudaProbe.Result r = CudaProbe.result();
    if (!r.usable) {
      return notRun(r.reason);
    }
    NetworkSpec spec = mnistNet();
    TrainingSettings s = settings(128, 1);
    int batch = 128;
    float[] x = new float[784 * batch];
    float[] t = new float[10 * batch];
    if (data != null) {
      ArrayDataset train = MnistData.load(data, MnistData.TRAIN);
      int[] order = new int[train.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      train.fill(order, 0, batch, x, 784, t);
    } else {
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rnd.nextDouble();
      }
      for (int c = 0; c < batch; c++) {
        t[c * 10 + rnd.nextInt(10)] = 1f;
      }
    }
    float[] p = Initializer.initialize(spec, "auto", 7);
    Gradients cpu = gradientsOn(new CpuBackend().createEngine(spec, s, batch), p, x, t, batch);
    int status = 0;
    for (boolean cublas : new boolean[] {true, false}) {
      String path = cublas ? "cuBLAS" : "own sgemm kernel";
      if (cublas && !r.cublas) {
        System.out.println("NOT RUN: gradients on the cuBLAS path: " + r.cublasReason);
        status = Math.max(status, 3);
        continue;
      }
      Gradients gpu = gradientsOn(new CudaBackend().createEngine(spec, s, batch, cublas), p, x,
          t, batch);
      double costRel = Math.abs(cpu.cost() - gpu.cost()) / Math.abs(cpu.cost());
      boolean ok = costRel <= GRADIENT_TOLERANCE && cpu.count() == gpu.count();
      System.out.printf(Locale.ROOT, "%s: cost cpu %.6f gpu %.6f (%.2g apart)%n", path,
          cpu.cost(), gpu.cost(), costRel);
      for (int l = 1; l < spec.depth(); l++) {
        double rel = relDiff(cpu.sums(), gpu.sums(), spec.offset(l), spec.blockSize(l));
        boolean blockOk = rel <= GRADIENT_TOLERANCE;
        ok &= blockOk;
        System.out.printf(Locale.ROOT, "%s: weight block %d (%d × %d): %.2g apart %s%n", path, l,
            spec.size(l - 1) + 1, spec.size(l), rel, blockOk ? "ok" : "TOO FAR");
      }
      if (!ok) {
        status = 1;
      }
    }
    if (status == 1) {
      System.out.println("FAIL: CPU and GPU gradients differ by more than "
          + GRADIENT_TOLERANCE);
      return 1;
    }
    System.out.println(status == 0 ? "PASS: gradients agree on both sgemm paths"
        : "(the own kernel's gradients agree)");
    return status;
  }

  private static Gradients gradientsOn(NetworkEngine e, float[] p, float[] x, float[] t,
      int batch) {
    try (e) {
      e.setParameters(p);
      Gradients g = new Gradients(p.length);
      e.computeGradients(x, t, batch, 0, g);
      return g;
    }
  }

  static double relDiff(float[] a, float[] b, int from, int len) {
    double diff = 0;
    double norm = 0;
    for (int i = from; i < from + len; i++) {
      diff += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
      norm += (double) a[i] * a[i];
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }

  /** One epoch of 784-500-500-10 at batch 128 through the Trainer, on the cuda backend. */
  private static int mnist(Path data) throws Exception {
    if (data == null) {
      usage("mnist needs --data DIR");
    }
    CudaProbe.Result r = CudaProbe.result();
    if (!r.usable) {
      return notRun(r.reason);
    }
    ArrayDataset train = MnistData.load(data, MnistData.TRAIN);
    ArrayDataset test = MnistData.load(data, MnistData.TEST);
    long t0 = System.nanoTime();
    Model m = new Trainer(mnistNet(), settings(128, 1), new CudaBackend()).fit(train, test, null);
    double secs = (System.nanoTime() - t0) / 1e9;
    double acc = Double.parseDouble(m.metadata().get(MetadataKeys.TEST_ACCURACY));
    System.out.printf(Locale.ROOT, "one epoch of MNIST on %s: %.1f s, test accuracy %.4f%n",
        r.describeDevice(), secs, acc);
    if (acc < MNIST_ACCURACY) {
      System.out.println("FAIL: test accuracy " + acc + " < " + MNIST_ACCURACY);
      return 1;
    }
    System.out.println("PASS: test accuracy " + acc + " >= " + MNIST_ACCURACY);
    return 0;
  }
}
