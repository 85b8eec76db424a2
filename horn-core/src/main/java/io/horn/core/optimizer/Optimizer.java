package io.horn.core.optimizer;

/**
 * Turns summed gradients into parameter changes.
 *
 * <p>Lifecycle: {@link #beginStep()} once per training step, then {@link #update} over disjoint
 * ranges of the flat parameter array that together cover the layers it trains. State (moments)
 * is kept per parameter index, so the same optimizer must always see the same layout.
 *
 * <p>Thread-safety: none; {@code update} calls over disjoint ranges may come from several
 * threads only if the implementation says so.
 */
public interface Optimizer {

  void beginStep();

  /**
   * Updates {@code params[off, off+len)}: the gradient is {@code sums[i] * invCount + decay *
   * params[i]}; the change applied is also written to {@code prev[i]} (what a neuron reads as
   * {@code getPrevWeight()}).
   */
  void update(float[] params, float[] sums, float[] prev, int off, int len, float invCount,
      float decay);
}
