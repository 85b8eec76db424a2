package io.horn.core.engine;

import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.Optimizer;

/**
 * The update of every parameter after a step: the optimizer over blocks of built-in layers, the
 * averaged pushes (plus L2 decay) over blocks below user-written neurons. It is one pass over
 * memory and runs while BLAS is idle, so every part of the engine's {@link Team} takes an equal
 * share of every block's columns. The work is element-wise, so the split does not change a bit.
 *
 * <p>Not thread-safe: called by the engine's thread, which the team returns to when every part is
 * done. Both {@link Optimizer} implementations are safe over disjoint ranges after {@link
 * Optimizer#beginStep()}.
 */
final class ParameterUpdate {
  private final NetworkSpec spec;
  private final Optimizer optimizer;
  private final boolean[] pushes;
  private final float lrDecay;
  private final float decay;
  private final Team team;
  private final Team.Work work = this::part;
  // The current call's arrays, for every part (published by Team.run).
  private float[] params;
  private float[] sums;
  private float[] prev;
  private float inv;

  /**
   * @param pushes per weight block {@code l}: whether the layer below is user-written (its sums
   *     are pushed changes, applied as they are)
   */
  ParameterUpdate(NetworkSpec spec, Optimizer optimizer, boolean[] pushes, float learningRate,
      float decay, Team team) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.pushes = pushes.clone();
    this.decay = decay;
    this.lrDecay = learningRate * decay;
    this.team = team;
  }

  /** Applies {@code sums} averaged over {@code 1 / inv} samples. */
  void apply(float[] params, float[] sums, float[] prev, float inv) {
    this.params = params;
    this.sums = sums;
    this.prev = prev;
    this.inv = inv;
    optimizer.beginStep();
    team.run(work, team.size());
  }

  /** Columns (neurons) {@code [part * n / of, (part + 1) * n / of)} of every weight block. */
  private void part(int part, int of) {
    for (int l = 1; l < spec.depth(); l++) {
      int in = spec.size(l - 1);
      int out = spec.size(l);
      int k = in + 1;
      int off = spec.offset(l);
      int c0 = part * out / of;
      int c1 = (part + 1) * out / of;
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
}
