package io.horn.core.engine;

import io.horn.core.model.NetworkSpec;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The dropout masks of a CPU engine's step: drawn for every layer at the start of the step, layer
 * by layer from one random stream (so the masks do not depend on how the step is split), and
 * applied to each part's own columns. A mask holds 0 for a dropped unit and 1 for a kept one
 * while training, the keep probability in inference (user layers, which apply it themselves).
 *
 * <p>Not thread-safe in {@link #draw}; {@link #apply} over disjoint columns may run on several
 * threads after it.
 */
final class DropoutMasks {
  private final NetworkSpec spec;
  private final int[] n;
  private final boolean[] userForward;
  private final float[][] masks;
  private final boolean[] maskActive;

  DropoutMasks(NetworkSpec spec, int[] n, boolean[] userForward, int maxBatch) {
    this.spec = spec;
    this.n = n;
    this.userForward = userForward;
    masks = new float[n.length][];
    maskActive = new boolean[n.length];
    for (int l = 0; l < n.length; l++) {
      if (spec.layer(l).dropRate() > 0 || userForward[l]) {
        masks[l] = new float[n[l] * maxBatch];
      }
    }
  }

  /** Layer {@code l}'s mask ({@code n_l × batch}), or null where it has none. */
  float[] mask(int l) {
    return masks[l];
  }

  /** Whether layer {@code l}'s units are being dropped in this step. */
  boolean active(int l) {
    return maskActive[l];
  }

  /**
   * Dropout as Srivastava et al. (JMLR 2014) state it: in training a unit is kept (×1) or dropped
   * (×0); in inference every unit is scaled by the keep probability. Kept units thus carry their
   * true output, so a user neuron's {@code applyDerivative(getOutput())} stays exact.
   */
  void apply(float[] a, int l, int s0, int cols) {
    float rate = spec.layer(l).dropRate();
    if (rate == 0 || userForward[l]) {
      return;
    }
    int ld = n[l] + 1;
    if (!maskActive[l]) {
      float keep = 1f - rate;
      for (int s = s0; s < s0 + cols; s++) {
        for (int i = s * ld; i < s * ld + n[l]; i++) {
          a[i] *= keep;
        }
      }
      return;
    }
    float[] m = masks[l];
    for (int s = s0; s < s0 + cols; s++) {
      for (int i = 0; i < n[l]; i++) {
        a[i + s * ld] *= m[i + s * n[l]];
      }
    }
  }

  /**
   * Every layer's mask for the step, layer by layer from one random stream: 0 or 1 per unit while
   * training; the keep probability in inference (user layers); none without dropout.
   */
  void draw(int batch, SplittableRandom rnd) {
    for (int l = 0; l < n.length; l++) {
      float rate = spec.layer(l).dropRate();
      maskActive[l] = rnd != null && rate > 0;
      if (masks[l] == null || !userForward[l] && !maskActive[l]) {
        continue;
      }
      float[] m = masks[l];
      int len = n[l] * batch;
      if (rnd == null || rate == 0) {
        Arrays.fill(m, 0, len, 1f - rate);
        continue;
      }
      for (int i = 0; i < len; i++) {
        m[i] = rnd.nextFloat() < rate ? 0f : 1f;
      }
    }
  }
}
