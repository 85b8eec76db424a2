package io.horn.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import java.util.Arrays;

/**
 * A {@link Dataset} held in plain arrays.
 *
 * <p>Features are sample-major: sample {@code i}'s {@code featureCount} features lie contiguous at
 * {@code i * featureCount}. Targets are either dense ({@link #ofTargets}: {@code targetCount}
 * floats per sample, sample-major) or class labels ({@link #ofLabels}: one {@code int} per
 * sample, expanded to one-hot vectors by {@link #fill}). Labels are kept as labels because the
 * one-hot matrix of MNIST alone would cost 2.4 MB of mostly zeros per copy, and copying zeros is
 * what {@code fill} would then spend its time on.
 *
 * <p>Lifecycle: built once by a factory, which validates every value (lengths, label range,
 * finiteness) and copies the caller's arrays; nothing changes afterwards.
 *
 * <p>Thread-safety: immutable, so any number of threads may call {@link #fill} at once, each
 * with its own destination arrays.
 */
public final class ArrayDataset implements Dataset {
  private final float[] x;
  private final int featureCount;
  private final int size;
  /** Dense targets, or null when the dataset holds labels. */
  private final float[] y;
  /** Class labels, or null when the dataset holds dense targets. */
  private final int[] labels;
  private final int targetCount;

  private ArrayDataset(float[] x, int featureCount, float[] y, int[] labels, int targetCount) {
    this.x = x;
    this.featureCount = featureCount;
    this.size = x.length / featureCount;
    this.y = y;
    this.labels = labels;
    this.targetCount = targetCount;
  }

  /**
   * A classification dataset: {@code x} holds {@code labels.length} samples of {@code
   * featureCount} features, and sample {@code i} belongs to class {@code labels[i]} of {@code
   * numClasses}. Both arrays are copied.
   *
   * @throws IllegalArgumentException if the lengths disagree, a label is outside {@code [0,
   *     numClasses)}, or a feature is NaN or infinite
   */
  public static ArrayDataset ofLabels(float[] x, int featureCount, int[] labels, int numClasses) {
    checkNotNull(labels, "labels");
    return wrapLabels(copy(x, "features"), featureCount, labels.clone(), numClasses);
  }

  /**
   * A regression (or soft-target) dataset: {@code x} holds samples of {@code featureCount}
   * features and {@code y} the same number of samples of {@code targetCount} targets. Both
   * arrays are copied.
   *
   * @throws IllegalArgumentException if the lengths disagree or a value is NaN or infinite
   */
  public static ArrayDataset ofTargets(float[] x, int featureCount, float[] y, int targetCount) {
    return wrapTargets(copy(x, "features"), featureCount, copy(y, "targets"), targetCount);
  }

  /** Like {@link #ofLabels} but takes ownership of the arrays; for loaders that built them. */
  static ArrayDataset wrapLabels(float[] x, int featureCount, int[] labels, int numClasses) {
    checkNotNull(labels, "labels");
    int n = sampleCount(x, featureCount);
    checkArgument(numClasses > 0, "numClasses must be positive, got %s", numClasses);
    checkArgument(labels.length == n,
        "%s labels for %s samples (features hold %s floats of %s per sample)",
        labels.length, n, x.length, featureCount);
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException("sample " + i + " has label " + labels[i]
            + ", outside [0, " + numClasses + ")");
      }
    }
    checkFinite(x, featureCount, "feature");
    return new ArrayDataset(x, featureCount, null, labels, numClasses);
  }

  /** Like {@link #ofTargets} but takes ownership of the arrays; for loaders that built them. */
  static ArrayDataset wrapTargets(float[] x, int featureCount, float[] y, int targetCount) {
    checkNotNull(y, "targets");
    int n = sampleCount(x, featureCount);
    checkArgument(targetCount > 0, "targetCount must be positive, got %s", targetCount);
    // long: n * targetCount can exceed int range while both lengths are valid arrays.
    checkArgument(y.length == (long) n * targetCount,
        "targets hold %s floats but %s samples of %s targets need %s",
        y.length, n, targetCount, (long) n * targetCount);
    checkFinite(x, featureCount, "feature");
    checkFinite(y, targetCount, "target");
    return new ArrayDataset(x, featureCount, y, null, targetCount);
  }

  private static float[] copy(float[] a, String what) {
    return checkNotNull(a, what).clone();
  }

  private static int sampleCount(float[] x, int featureCount) {
    checkNotNull(x, "features");
    checkArgument(featureCount > 0, "featureCount must be positive, got %s", featureCount);
    checkArgument(x.length % featureCount == 0,
        "features hold %s floats, not a multiple of featureCount %s", x.length, featureCount);
    return x.length / featureCount;
  }

  private static void checkFinite(float[] a, int stride, String what) {
    for (int k = 0; k < a.length; k++) {
      if (!Float.isFinite(a[k])) {
        throw new IllegalArgumentException("sample " + k / stride + ", " + what + " " + k % stride
            + " is " + a[k] + "; values must be finite");
      }
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int featureCount() {
    return featureCount;
  }

  @Override
  public int targetCount() {
    return targetCount;
  }

  /** Whether targets are class labels (one-hot) rather than dense values. */
  public boolean hasLabels() {
    return labels != null;
  }

  /** Feature {@code j} of sample {@code i}. */
  public float feature(int i, int j) {
    checkElementIndex(i, size, "sample");
    checkElementIndex(j, featureCount, "feature");
    return x[i * featureCount + j];
  }

  /** Target {@code k} of sample {@code i}; for a labelled dataset, 1 or 0 (one-hot). */
  public float target(int i, int k) {
    checkElementIndex(i, size, "sample");
    checkElementIndex(k, targetCount, "target");
    return labels != null ? (labels[i] == k ? 1f : 0f) : y[i * targetCount + k];
  }

  /**
   * {@inheritDoc}
   *
   * <p>Allocates nothing: features move with {@link System#arraycopy}, and one-hot targets are
   * written as a zeroed column with a single 1.
   *
   * @throws IllegalArgumentException if {@code xLd < featureCount}, or the ranges do not fit the
   *     arrays
   * @throws IndexOutOfBoundsException if an entry of {@code order} is not a sample index
   */
  @Override
  public void fill(int[] order, int from, int n, float[] x, int xLd, float[] t) {
    checkNotNull(order, "order");
    checkNotNull(x, "x");
    checkNotNull(t, "t");
    checkArgument(n >= 0, "n must be non-negative, got %s", n);
    checkPositionIndexes(from, from + n, order.length);
    checkArgument(xLd >= featureCount, "xLd %s is less than featureCount %s", xLd, featureCount);
    // Explicit throws: Guava's three-argument checks box their arguments, and fill runs per batch.
    if (n > 0 && (long) (n - 1) * xLd + featureCount > x.length) {
      throw new IllegalArgumentException("x holds " + x.length + " floats, too few for " + n
          + " samples at leading dimension " + xLd);
    }
    if ((long) n * targetCount > t.length) {
      throw new IllegalArgumentException("t holds " + t.length + " floats, too few for " + n
          + " samples of " + targetCount + " targets");
    }
    for (int c = 0; c < n; c++) {
      int s = order[from + c];
      checkElementIndex(s, size, "sample index in order");
      System.arraycopy(this.x, s * featureCount, x, c * xLd, featureCount);
      int tb = c * targetCount;
      if (labels != null) {
        for (int k = 0; k < targetCount; k++) {
          t[tb + k] = 0f;
        }
        t[tb + labels[s]] = 1f;
      } else {
        System.arraycopy(y, s * targetCount, t, tb, targetCount);
      }
    }
  }

  /** {@inheritDoc} Ties go to the lowest index. */
  @Override
  public int label(int i) {
    checkElementIndex(i, size, "sample");
    if (labels != null) {
      return labels[i];
    }
    int base = i * targetCount;
    int best = 0;
    for (int k = 1; k < targetCount; k++) {
      if (y[base + k] > y[base + best]) {
        best = k;
      }
    }
    return best;
  }

  /** The class of every sample ({@link #label} of each), in a new array. */
  public int[] labels() {
    if (labels != null) {
      return labels.clone();
    }
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = label(i);
    }
    return out;
  }

  /** A copy of samples {@code [from, to)}, in the same form (labels or dense targets). */
  public ArrayDataset subset(int from, int to) {
    checkPositionIndexes(from, to, size);
    float[] sx = Arrays.copyOfRange(x, from * featureCount, to * featureCount);
    if (labels != null) {
      return new ArrayDataset(sx, featureCount, null,
          Arrays.copyOfRange(labels, from, to), targetCount);
    }
    return new ArrayDataset(sx, featureCount,
        Arrays.copyOfRange(y, from * targetCount, to * targetCount), null, targetCount);
  }

  @Override
  public String toString() {
    return "ArrayDataset[" + size + " samples, " + featureCount + " features, " + targetCount
        + (labels != null ? " classes]" : " targets]");
  }
}
