package io.horn.core.data.text;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.DataFormatException;
import io.horn.core.data.DataShape;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads whole text files ({@link TextFormat}) into one in-memory dataset with one-hot targets.
 *
 * <p>The shape: with an expected {@link DataShape} (the network's), every line is checked
 * against it as it is read, and the targets are as wide as the output layer; without one, the
 * format's {@code features=} and {@code classes=} options, else the data: a CSV file's column
 * count, a LibSVM file's largest index, the largest class id + 1.
 *
 * <p>Every error names the file, the line and the column. Single use: {@link #read} each file,
 * then {@link #build}. Not thread-safe.
 */
public final class TextSamples {
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final SampleParser parser;
  private final int classes;
  private final Row row = new Row();
  /** Known or discovered (CSV's first line); 0 while unknown (LibSVM without a shape). */
  private int features;
  private float[] x = new float[1 << 12];
  private int[] labels = new int[1 << 8];
  /** Sparse rows kept until the width is known: pairs, and where each sample's pairs start. */
  private int[] sparseIndex;
  private float[] sparseValue;
  private int[] sparseStart;
  private long pairs;
  private int n;
  private int maxClass = -1;

  /**
   * @param expected the network's shape, or null to take it from the options or the data
   * @throws IllegalArgumentException if the format's {@code features=} or {@code classes=}
   *     contradict {@code expected}
   */
  public TextSamples(TextFormat format, DataShape expected) {
    this.parser = new SampleParser(checkNotNull(format, "format"));
    checkOptions(format, expected);
    this.features = expected != null ? expected.features() : format.features();
    this.classes = expected != null ? expected.targets() : format.classes();
    if (features == 0 && format.kind() == TextFormat.Kind.LIBSVM) {
      sparseIndex = new int[1 << 12];
      sparseValue = new float[1 << 12];
      sparseStart = new int[1 << 8];
    }
  }

  /**
   * Fails if the format's {@code features=} or {@code classes=} contradict {@code expected}
   * (nothing to check when it is null).
   */
  public static void checkOptions(TextFormat format, DataShape expected) {
    if (expected == null) {
      return;
    }
    if (format.features() > 0 && format.features() != expected.features()) {
      throw new IllegalArgumentException("option features=" + format.features() + " but the "
          + "network's input layer takes " + expected.features());
    }
    if (format.classes() > 0 && format.classes() != expected.targets()) {
      throw new IllegalArgumentException("option classes=" + format.classes() + " but the "
          + "network's output layer has " + expected.targets());
    }
  }

  /**
   * Reads every sample line of one file; {@code file} names it in messages.
   *
   * @throws DataFormatException naming the file, line and column of the first bad line
   */
  public void read(BufferedReader in, String file) throws IOException {
    long line = 0;
    for (String s = in.readLine(); s != null; s = in.readLine()) {
      line++;
      if (line == 1 && parser.isHeader(s)) {
        continue;
      }
      if (!SampleParser.isSample(s)) {
        continue;
      }
      try {
        parser.parse(s, row);
        add();
      } catch (MalformedLineException e) {
        throw new DataFormatException(e.describe(file, line));
      }
    }
  }

  private void add() throws MalformedLineException, IOException {
    if (classes > 0) {
      row.checkClass(classes);
    }
    maxClass = Math.max(maxClass, row.classId());
    if (n == labels.length) {
      labels = Arrays.copyOf(labels, n * 2);
    }
    labels[n] = row.classId();
    if (sparseIndex != null) {
      keepSparse();
    } else {
      if (features == 0) {
        features = row.count(); // CSV without a shape: the first line's columns
      }
      long needed = (long) (n + 1) * features;
      if (needed > x.length) {
        if (needed > MAX_ARRAY) {
          throw new IOException("more samples than one in-memory dataset holds (" + n + ")");
        }
        x = Arrays.copyOf(x, (int) Math.min(MAX_ARRAY, Math.max(needed, 2L * x.length)));
      }
      row.fillFeatures(features, x, n * features);
    }
    n++;
  }

  private void keepSparse() throws IOException {
    if (n + 1 >= sparseStart.length) {
      sparseStart = Arrays.copyOf(sparseStart, sparseStart.length * 2);
    }
    long needed = pairs + row.count();
    if (needed > MAX_ARRAY) {
      throw new IOException("more feature values than one in-memory dataset holds");
    }
    if (needed > sparseIndex.length) {
      int size = (int) Math.min(MAX_ARRAY, Math.max(needed, 2L * sparseIndex.length));
      sparseIndex = Arrays.copyOf(sparseIndex, size);
      sparseValue = Arrays.copyOf(sparseValue, size);
    }
    for (int k = 0; k < row.count(); k++) {
      sparseIndex[(int) pairs] = row.index(k);
      sparseValue[(int) pairs] = row.value(k);
      pairs++;
      features = Math.max(features, row.index(k) + 1);
    }
    sparseStart[n + 1] = (int) pairs;
  }

  /** The number of samples read so far. */
  public int size() {
    return n;
  }

  /**
   * The samples read, as one dataset.
   *
   * @throws IOException if no file held a sample ({@code what} names the input)
   */
  public ArrayDataset build(String what) throws IOException {
    if (n == 0) {
      throw new IOException("no samples in " + what + " (only blank, comment or header lines)");
    }
    if (sparseIndex != null) {
      if ((long) n * features > MAX_ARRAY) {
        throw new IOException(what + ": " + n + " samples of " + features + " features are more"
            + " than one in-memory dataset holds");
      }
      x = new float[n * features];
      for (int s = 0; s < n; s++) {
        for (int k = sparseStart[s]; k < sparseStart[s + 1]; k++) {
          x[s * features + sparseIndex[k]] = sparseValue[k];
        }
      }
    }
    int k = classes > 0 ? classes : maxClass + 1;
    if (k < 2) {
      throw new DataFormatException(what + ": every sample has class id 0, so there is one "
          + "class; give the number of classes (option classes=K) or data of two or more");
    }
    return ArrayDataset.ofLabels(Arrays.copyOf(x, n * features), features,
        Arrays.copyOf(labels, n), k);
  }
}
