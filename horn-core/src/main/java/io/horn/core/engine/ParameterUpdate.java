package io.horn.core.engine;

import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.Optimizer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The update of every parameter after a step: the optimizer over blocks of built-in layers, the
 * averaged pushes (plus L2 decay) over blocks below user-written neurons. It is one pass over
 * memory and runs while BLAS is idle, so with two or more threads the second half of every
 * block's columns goes to a helper thread while the caller does the first. The work is
 * element-wise, so the split does not change a bit.
 *
 * <p>Not thread-safe: called by the engine's thread, which waits for the helper before
 * returning. Both {@link Optimizer} implementations are safe over disjoint ranges after {@link
 * Optimizer#beginStep()}. {@link #close()} stops the helper.
 */
final class ParameterUpdate implements AutoCloseable {
  private final NetworkSpec spec;
  private final Optimizer optimizer;
  private final boolean[] pushes;
  private final float lrDecay;
  private final float decay;
  private final ExecutorService helper;
  private final Runnable secondHalf = () -> half(1);
  // The current call's arrays, for the helper (published by submit, read back after get).
  private float[] params;
  private float[] sums;
  private float[] prev;
  private float inv;

  /**
   * @param pushes per weight block {@code l}: whether the layer below is user-written (its sums
   *     are pushed changes, applied as they are)
   */
  ParameterUpdate(NetworkSpec spec, Optimizer optimizer, boolean[] pushes, float learningRate,
      float decay, int threads) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.pushes = pushes.clone();
    this.decay = decay;
    this.lrDecay = learningRate * decay;
    this.helper = threads > 1 ? Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "horn-update");
      t.setDaemon(true);
      return t;
    }) : null;
  }

  /** Applies {@code sums} averaged over {@code 1 / inv} samples. */
  void apply(float[] params, float[] sums, float[] prev, float inv) {
    this.params = params;
    this.sums = sums;
    this.prev = prev;
    this.inv = inv;
    optimizer.beginStep();
    if (helper == null) {
      half(0);
      half(1);
      return;
    }
    Future<?> other = helper.submit(secondHalf);
    half(0);
    try {
      other.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new IllegalStateException("parameter update failed", c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in the parameter update", e);
    }
  }

  /** Columns (neurons) {@code [part * n / 2, (part + 1) * n / 2)} of every weight block. */
  private void half(int part) {
    for (int l = 1; l < spec.depth(); l++) {
      int in = spec.size(l - 1);
      int out = spec.size(l);
      int k = in + 1;
      int off = spec.offset(l);
      int c0 = part * out / 2;
      int c1 = (part + 1) * out / 2;
      if (pushes[l]) {
        applyPushes(off, in, c0, c1);
      } else if (decay == 0f) {
        // Without decay weights and biases follow one rule: one pass over the columns.
        optimizer.update(params, sums, prev, off + c0 * k, (c1 - c0) * k, inv, 0f);
      } else {
        for (int j = c0; j < c1; j++) {
          int col = off + j * k;
          optimizer.update(params, sums, prev, col, in, inv, decay);
          optimizer.update(params, sums, prev, col + in, 1, inv, 0f);
        }
      }
    }
  }

  /** The neurons' pushed changes, averaged, plus L2 decay of the weights (not the biases). */
  private void applyPushes(int off, int in, int c0, int c1) {
    for (int j = c0; j < c1; j++) {
      int col = off + j * (in + 1);
      for (int i = col; i <= col + in; i++) {
        float d = sums[i] * inv - (i < col + in ? lrDecay * params[i] : 0f);
        prev[i] = d;
        params[i] += d;
      }
    }
  }

  @Override
  public void close() {
    if (helper != null) {
      helper.shutdownNow();
    }
  }
}
