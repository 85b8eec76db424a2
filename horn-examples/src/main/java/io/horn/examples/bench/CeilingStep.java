package io.horn.examples.bench;

import dev.ludovic.netlib.blas.BLAS;
import io.horn.core.math.Blas;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ceiling a training step is measured against: the same eight sgemm calls an MLP step needs
 * (three forward products, three weight gradients, two error products), on buffers of the same
 * shapes, with nothing around them — either each call whole on the BLAS library's own threads
 * ({@link #step()}), or each call split over threads of our own, each running the library on its
 * own thread ({@link #splitSteps}), as the engine does.
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
      d[l] = new float[n[l] * (batch + 1)]; // the binding checks row blocks from row 0
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
    share(0, 1);
  }

  /**
   * {@code steps} steps with every call split over {@code threads} threads: forward and error
   * products by samples, gradients by neurons, and the threads meet once per step only (a lower
   * bound on what a split step costs: the engine meets once per layer as well).
   */
  void splitSteps(int steps, int threads) throws InterruptedException {
    AtomicInteger arrived = new AtomicInteger();
    AtomicInteger generation = new AtomicInteger();
    Thread[] others = new Thread[threads - 1];
    for (int p = 1; p < threads; p++) {
      int part = p;
      others[p - 1] = new Thread(() -> run(part, threads, steps, arrived, generation));
      others[p - 1].start();
    }
    run(0, threads, steps, arrived, generation);
    for (Thread t : others) {
      t.join();
    }
  }

  private void run(int part, int of, int steps, AtomicInteger arrived, AtomicInteger generation) {
    for (int s = 0; s < steps; s++) {
      share(part, of);
      int gen = generation.get();
      if (arrived.incrementAndGet() == of) {
        arrived.set(0);
        generation.incrementAndGet();
      } else {
        while (generation.get() == gen) {
          Thread.onSpinWait();
        }
      }
    }
  }

  /** Part {@code part} of {@code of} of every call of one step. */
  private void share(int part, int of) {
    int top = n.length - 1;
    int s0 = part * batch / of;
    int cols = (part + 1) * batch / of - s0;
    for (int l = 1; l <= top; l++) {
      int k = n[l - 1] + 1;
      blas.sgemm("T", "N", n[l], cols, k, 1f, w[l], 0, k, a[l - 1], s0 * k, k, 0f, a[l],
          s0 * (n[l] + 1), n[l] + 1);
    }
    for (int l = top; l >= 1; l--) {
      int k = n[l - 1] + 1;
      int c0 = part * n[l] / of;
      int width = (part + 1) * n[l] / of - c0;
      blas.sgemm("N", "T", k, width, batch, 1f, a[l - 1], 0, k, d[l], c0, n[l], 1f, g[l],
          c0 * k, k);
      if (l > 1) {
        blas.sgemm("N", "N", n[l - 1], cols, n[l], 1f, w[l], 0, k, d[l], s0 * n[l], n[l], 0f,
            d[l - 1], s0 * n[l - 1], n[l - 1]);
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
