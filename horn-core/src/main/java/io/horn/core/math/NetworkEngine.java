package io.horn.core.math;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;

/**
 * Executes one network's training steps on a backend. It owns the parameters, the optimizer state
 * and every work buffer, so a device backend can keep them all resident between layers and steps
 * and copy only batches in and parameters out when asked.
 *
 * <p>Lifecycle: made by {@link MathBackend#createEngine}, parameters set once with {@link
 * #setParameters}, then any number of {@link #computeGradients} / {@link #applyUpdate} rounds, then
 * {@link #close()}.
 *
 * <p>Thread-safety: none. One thread drives an engine; the engine may use more threads inside a
 * call.
 */
public interface NetworkEngine extends AutoCloseable {

  NetworkSpec spec();

  /** The largest batch one call takes. */
  int maxBatch();

  /** Replaces the parameters (flat layout of {@link NetworkSpec}); optimizer state is kept. */
  void setParameters(float[] parameters);

  /** Copies the current parameters into {@code dst}. */
  void getParameters(float[] dst);

  /**
   * Runs forward and backward over {@code n} samples and adds their gradient (or pushed-change)
   * sums, sample count and cost into {@code out}.
   *
   * @param x features, column-major, {@code inputSize × n}
   * @param t targets, column-major, {@code outputSize × n}
   * @param step the global step number; it seeds dropout so that runs are reproducible
   */
  void computeGradients(float[] x, float[] t, int n, long step, Gradients out);

  /**
   * {@link #computeGradients(float[], float[], int, long, Gradients)}, telling {@code ready} which
   * ranges of {@code out.sums()} are final as soon as they are, so that the caller can send them
   * while backward is still running on the layers below (see {@link GradientListener} for the
   * contract). The sums, count and cost added are exactly those of the five-argument call.
   *
   * <p>This default runs the whole step and then reports everything, {@code [0,
   * out.sums().length)}, as one range at the end: correct, but with nothing to overlap. Engines
   * that can override it and report each weight layer's block {@code [spec.offset(l),
   * spec.offset(l) + spec.blockSize(l))} as soon as backward has produced it, top layer first.
   *
   * @param ready told of each final range on the calling thread; must not be null (pass {@code
   *     (offset, length) -> {}} to ignore the reports)
   * @throws NullPointerException if {@code ready} is null, before anything is computed
   */
  default void computeGradients(float[] x, float[] t, int n, long step, Gradients out,
      GradientListener ready) {
    checkNotNull(ready, "ready listener is null; pass (offset, length) -> {} to ignore reports");
    computeGradients(x, t, n, step, out);
    ready.ready(0, out.sums().length);
  }

  /** Applies one update from summed gradients: optimizer for built-in layers, pushes for others. */
  void applyUpdate(Gradients sums);

  /**
   * One local training step, {@link #computeGradients} then {@link #applyUpdate}, returning the
   * summed cost. {@code scratch} is cleared first and may be left holding anything. A device
   * backend overrides this to keep the gradients on the device when no one else needs them.
   */
  default double trainStep(float[] x, float[] t, int n, long step, Gradients scratch) {
    scratch.clear();
    computeGradients(x, t, n, step, scratch);
    if (Double.isFinite(scratch.cost())) {
      applyUpdate(scratch);
    }
    return scratch.cost();
  }

  /**
   * A copy of the optimizer's state ({@code prev}, Adam's moments, the number of updates
   * applied), for a checkpoint.
   */
  OptimizerState optimizerState();

  /**
   * Puts back a state taken by {@link #optimizerState} from an engine of the same network and
   * training method, so that the next {@link #applyUpdate} is the one the saved engine would
   * have made.
   *
   * @throws IllegalArgumentException if the state covers another parameter count or comes from
   *     another training method, before anything changes
   */
  void restoreOptimizerState(OptimizerState state);

  /** Inference: writes the outputs ({@code outputSize × n}) of {@code n} samples into {@code y}. */
  void predict(float[] x, int n, float[] y);

  @Override
  void close();
}
