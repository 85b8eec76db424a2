package io.horn.examples.bench;

import dev.ludovic.netlib.blas.BLAS;
import io.horn.core.math.Blas;
import java.util.SplittableRandom;

/**
 * The ceiling a training step is measured against: the same eight sgemm calls an MLP step needs
 * (three forward products, three weight gradients, two error products), on buffers of the same
 * shapes, with nothing around them.
 */
final class CeilingStep {
  private final BLAS blas = Blas.get();
  private final int[] n;
  private final int batch;
  private final float[][] w;
  private final float[][] g;
  private final float[][] a;
  private final float[][] d;

  CeilingStep(int[] sizes, int batch) {
    this.n = sizes.clone();
    this.batch = batch;
    int layers = n.length;
    w = new float[layers][];
    g = new float[layers][];
    a = new float[layers][];
    d = new float[layers][];
    SplittableRandom r = new SplittableRandom(1);
    for (int l = 0; l < layers; l++) {
      a[l] = new float[(n[l] + 1) * batch];
      d[l] = new float[n[l] * batch];
      for (int i = 0; i < a[l].length; i++) {
        a[l][i] = (float) r.nextDouble();
      }
      if (l > 0) {
        w[l] = new float[(n[l - 1] + 1) * n[l]];
        g[l] = new float[w[l].length];
        for (int i = 0; i < w[l].length; i++) {
          w[l][i] = (float) (r.nextDouble() - 0.5) * 0.1f;
        }
      }
    }
  }

  void step() {
    int top = n.length - 1;
    for (int l = 1; l <= top; l++) {
      int k = n[l - 1] + 1;
      blas.sgemm("T", "N", n[l], batch, k, 1f, w[l], 0, k, a[l - 1], 0, k, 0f, a[l], 0,
          n[l] + 1);
    }
    for (int l = top; l >= 1; l--) {
      int k = n[l - 1] + 1;
      blas.sgemm("N", "T", k, n[l], batch, 1f, a[l - 1], 0, k, d[l], 0, n[l], 1f, g[l], 0, k);
      if (l > 1) {
        blas.sgemm("N", "N", n[l - 1], batch, n[l], 1f, w[l], 0, k, d[l], 0, n[l], 0f, d[l - 1],
            0, n[l - 1]);
      }
    }
  }

  /** Floating-point operations of one step. */
  double flops() {
    double f = 0;
    for (int l = 1; l < n.length; l++) {
      double mk = (double) (n[l - 1] + 1) * n[l] * batch;
      f += 2 * mk * (l > 1 ? 3 : 2);
    }
    return f;
  }
}
