package io.horn.core.data;

/**
 * A labelled dataset held in memory: {@link #size()} samples of {@link #featureCount()} features
 * and {@link #targetCount()} targets (one-hot for classification).
 *
 * <p>Contract: implementations are immutable after construction and safe for concurrent reads;
 * {@link #fill} allocates nothing.
 */
public interface Dataset {

  int size();

  int featureCount();

  int targetCount();

  /**
   * Copies samples {@code order[from .. from+n)} into {@code x} and {@code t}: sample {@code c}'s
   * features to {@code x[c*xLd .. c*xLd+featureCount)} and its targets to
   * {@code t[c*targetCount .. (c+1)*targetCount)} (column-major, one sample per column).
   */
  void fill(int[] order, int from, int n, float[] x, int xLd, float[] t);

  /** The class of sample {@code i}: the index of its largest target. */
  int label(int i);
}
