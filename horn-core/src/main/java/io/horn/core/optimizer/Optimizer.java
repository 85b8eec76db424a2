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

  /**
   * Updates applied so far and the optimizer's own per-parameter state (not {@code prev}, which
   * the engine owns): an {@link OptimizerState} with {@code prev} filled in by the caller.
   * Optimizers without state beyond {@code prev} return {@code (updates, null, null)}.
   */
  default Snapshot snapshot() {
    return new Snapshot(0, null, null);
  }

  /**
   * Puts back what {@link #snapshot} returned (for the same parameter layout).
   *
   * @throws IllegalArgumentException if the snapshot does not fit this optimizer
   */
  default void restore(Snapshot s) {
    if (s.adamM() != null) {
      throw new IllegalArgumentException("this optimizer (" + getClass().getSimpleName()
          + ") keeps no moments, but the saved state has Adam's");
    }
  }

  /** An optimizer's own state; arrays are the optimizer's copies and may be null. */
  record Snapshot(long updates, float[] adamM, float[] adamV) {}
}
