package io.horn.core.data.text;

import java.util.Arrays;

/**
 * One parsed line: its class id and its features, dense (CSV: {@code count} values, feature
 * {@code i} at {@code values[i]}) or sparse (LibSVM: {@code count} pairs of {@code indices[k]}
 * and {@code values[k]}, indices from 0), with the column of each part for messages.
 *
 * <p>A mutable buffer that {@link SampleParser#parse} refills line after line, so that reading
 * allocates nothing per line once the buffers have grown. Not thread-safe.
 */
public final class Row {
  int classId;
  int labelColumn;
  boolean sparse;
  int count;
  float[] values = new float[64];
  int[] indices = new int[64];
  int[] columns = new int[64];

  /** The class id: the label less the format's label base. */
  public int classId() {
    return classId;
  }

  /** Whether the features are index/value pairs (LibSVM). */
  public boolean sparse() {
    return sparse;
  }

  /** Dense: the number of feature columns; sparse: the number of pairs. */
  public int count() {
    return count;
  }

  /** Dense: feature {@code k}; sparse: the value of pair {@code k}. */
  public float value(int k) {
    return values[k];
  }

  /** Sparse: the feature index (from 0) of pair {@code k}. */
  public int index(int k) {
    return indices[k];
  }

  /** The column of pair or field {@code k} (from 1), for messages. */
  public int column(int k) {
    return columns[k];
  }

  /** The column of the label (from 1). */
  public int labelColumn() {
    return labelColumn;
  }

  void clear(boolean sparse) {
    this.sparse = sparse;
    count = 0;
  }

  void add(int index, float value, int column) {
    if (count == values.length) {
      int n = count * 2;
      values = Arrays.copyOf(values, n);
      indices = Arrays.copyOf(indices, n);
      columns = Arrays.copyOf(columns, n);
    }
    indices[count] = index;
    values[count] = value;
    columns[count] = column;
    count++;
  }

  /**
   * Writes the features densely into {@code x[xOff .. xOff+features)} (zero where a sparse row
   * has no value) and the one-hot target into {@code t[tOff .. tOff+classes)}.
   *
   * @throws MalformedLineException if the row has another number of features (dense), an index
   *     at or past {@code features} (sparse), or a class id at or past {@code classes}
   */
  public void fill(int features, int classes, float[] x, int xOff, float[] t, int tOff)
      throws MalformedLineException {
    checkClass(classes);
    fillFeatures(features, x, xOff);
    Arrays.fill(t, tOff, tOff + classes, 0f);
    t[tOff + classId] = 1f;
  }

  /** Fails unless the class id is below {@code classes}. */
  public void checkClass(int classes) throws MalformedLineException {
    if (classId >= classes) {
      throw new MalformedLineException(labelColumn, "class id " + classId + " but there are "
          + classes + " classes (0.." + (classes - 1) + "); see the option label-base");
    }
  }

  /** Writes the features densely into {@code x[xOff .. xOff+features)}; see {@link #fill}. */
  public void fillFeatures(int features, float[] x, int xOff) throws MalformedLineException {
    if (sparse) {
      Arrays.fill(x, xOff, xOff + features, 0f);
      for (int k = 0; k < count; k++) {
        if (indices[k] >= features) {
          throw new MalformedLineException(columns[k], "feature " + indices[k] + " (from 0) is "
              + "past the " + features + " features the input layer takes");
        }
        x[xOff + indices[k]] = values[k];
      }
    } else {
      if (count != features) {
        throw new MalformedLineException(count + 1, count + " feature columns (and a label),"
            + " but the input layer takes " + features + " features");
      }
      System.arraycopy(values, 0, x, xOff, features);
    }
  }

  /** The number of features the row shows: dense, its columns; sparse, its largest index + 1. */
  public int width() {
    if (!sparse) {
      return count;
    }
    int w = 0;
    for (int k = 0; k < count; k++) {
      w = Math.max(w, indices[k] + 1);
    }
    return w;
  }
}
