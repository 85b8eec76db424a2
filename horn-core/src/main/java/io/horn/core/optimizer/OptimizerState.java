package io.horn.core.optimizer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * What an engine's optimizer carries from one step to the next, as a value: the last change of
 * every parameter ({@code prev}, which momentum reuses and a neuron reads as {@code
 * getPrevWeight()}), Adam's two moments when the optimizer is Adam, and the number of updates
 * applied (Adam's bias correction depends on it). A checkpoint holds one per task group; restoring
 * it makes the next update exactly the one the group would have applied without the interruption.
 *
 * <p>Immutable: arrays are copied in and out ({@link #adopting} alone takes them without a copy,
 * from a caller that gives them up).
 */
public final class OptimizerState {
  private final long updates;
  private final float[] prev;
  private final float[] adamM;
  private final float[] adamV;

  /**
   * @param updates optimizer updates applied so far ({@code >= 0})
   * @param prev the last change of every parameter
   * @param adamM Adam's first moments, or null for an optimizer without them
   * @param adamV Adam's second moments; null exactly when {@code adamM} is
   */
  public OptimizerState(long updates, float[] prev, float[] adamM, float[] adamV) {
    this(updates, checkNotNull(prev, "prev").clone(), adamM == null ? null : adamM.clone(),
        adamV == null ? null : adamV.clone(), true);
  }

  private OptimizerState(long updates, float[] prev, float[] adamM, float[] adamV,
      boolean owned) {
    checkArgument(updates >= 0, "updates must be >= 0, got %s", updates);
    checkNotNull(prev, "prev");
    checkArgument((adamM == null) == (adamV == null), "Adam's moments come in pairs");
    checkArgument(adamM == null || (adamM.length == prev.length && adamV.length == prev.length),
        "Adam's moments hold %s and %s values, prev %s", adamM == null ? 0 : adamM.length,
        adamV == null ? 0 : adamV.length, prev.length);
    this.updates = updates;
    this.prev = prev;
    this.adamM = adamM;
    this.adamV = adamV;
  }

  /**
   * A state that takes the arrays themselves, without copies: for a caller done with vectors
   * too large to hold twice (a model-parallel leader assembling a checkpoint). The caller must
   * not change the arrays afterwards, or the state is no longer immutable.
   */
  public static OptimizerState adopting(long updates, float[] prev, float[] adamM,
      float[] adamV) {
    return new OptimizerState(updates, prev, adamM, adamV, true);
  }

  public long updates() {
    return updates;
  }

  /** The number of parameters the state covers. */
  public int size() {
    return prev.length;
  }

  public float[] prev() {
    return prev.clone();
  }

  public boolean hasMoments() {
    return adamM != null;
  }

  /** Adam's first moments (a copy); throws if the state has none. */
  public float[] adamM() {
    checkArgument(adamM != null, "this optimizer state has no Adam moments");
    return adamM.clone();
  }

  /** Adam's second moments (a copy); throws if the state has none. */
  public float[] adamV() {
    checkArgument(adamV != null, "this optimizer state has no Adam moments");
    return adamV.clone();
  }

  /** Copies {@code prev} into {@code dst} without an intermediate copy. */
  public void copyPrev(float[] dst) {
    System.arraycopy(prev, 0, dst, 0, prev.length);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof OptimizerState)) {
      return false;
    }
    OptimizerState s = (OptimizerState) o;
    return updates == s.updates && Arrays.equals(prev, s.prev) && Arrays.equals(adamM, s.adamM)
        && Arrays.equals(adamV, s.adamV);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(updates) * 31 + Arrays.hashCode(prev);
  }

  @Override
  public String toString() {
    return "OptimizerState{" + updates + " updates, " + prev.length + " parameters"
        + (adamM != null ? ", Adam moments" : "") + "}";
  }
}
