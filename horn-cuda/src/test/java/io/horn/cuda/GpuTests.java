package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.NetworkSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * What the {@code gpu}-tagged tests share: finding the GPU (a skip that says why, or a failure
 * under {@code HORN_REQUIRE_GPU=1} / {@code -Dhorn.require.gpu=true}, as the GPU check bundle
 * sets), engines on a chosen sgemm path, batches and comparisons.
 */
final class GpuTests {
  private GpuTests() {}

  /** The probe's result when CUDA is usable; otherwise a skip, or a failure where required. */
  static CudaProbe.Result gpu() {
    CudaProbe.Result r = CudaProbe.result();
    if (!r.usable) {
      if (CudaProbeTest.gpuRequired()) {
        fail("a usable GPU is required here (HORN_REQUIRE_GPU), but " + r.describe());
      }
      Assumptions.abort("no usable GPU: " + r.reason);
    }
    return r;
  }

  /**
   * A GPU engine on the cuBLAS path ({@code cublas}) or the own kernel's; the cuBLAS path is
   * skipped (counted as not run by the bundle) where cuBLAS does not load.
   */
  static NetworkEngine engine(NetworkSpec spec, TrainingSettings s, int maxBatch,
      boolean cublas) {
    CudaProbe.Result r = gpu();
    if (cublas && !r.cublas) {
      Assumptions.abort("cuBLAS path not run: " + r.cublasReason);
    }
    return new CudaBackend().createEngine(spec, s, maxBatch, cublas);
  }

  /** Fills x with uniform features and t with targets fit for the network's output. */
  static void batch(SplittableRandom r, NetworkSpec spec, float[] x, float[] t, int batch,
      boolean oneHot) {
    int in = spec.inputSize();
    int out = spec.outputSize();
    for (int i = 0; i < in * batch; i++) {
      x[i] = (float) r.nextDouble();
    }
    java.util.Arrays.fill(t, 0, out * batch, 0f);
    for (int c = 0; c < batch; c++) {
      if (oneHot) {
        t[c * out + r.nextInt(out)] = 1f;
      } else {
        for (int k = 0; k < out; k++) {
          t[c * out + k] = (float) r.nextDouble();
        }
      }
    }
  }

  /** {@code ||a - b|| / ||a||} over the range, in double. */
  static double relDiff(float[] a, float[] b, int from, int len) {
    double diff = 0;
    double norm = 0;
    for (int i = from; i < from + len; i++) {
      diff += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
      norm += (double) a[i] * a[i];
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }

  static double relDiff(float[] a, float[] b) {
    return relDiff(a, b, 0, a.length);
  }
}
