package io.horn.examples.tools;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.bsp.io.TextDatasetFormat;
import io.horn.core.data.DataShape;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.data.IdxFile;
import io.horn.core.data.text.SampleParser;
import io.horn.core.data.text.TextFormat;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The samples {@code horn predict} runs the model on, from one of three kinds of input, on the
 * local disk or on any Hadoop file system ({@code hdfs://...}, see {@link HadoopFiles}):
 *
 * <ul>
 *   <li>an idx images file alone (plain or gzipped), read with {@link IdxFile#readImages}: no
 *       labels needed;
 *   <li>a CSV file of feature rows ({@link CsvFeatures});
 *   <li>any dataset path {@link Datasets#open} accepts (an idx directory, {@code dir#t10k}, a
 *       directory of SequenceFiles, labelled CSV or LibSVM data, ...); its labels are ignored.
 * </ul>
 *
 * <p>Labelled text data is told by its name and options ({@link TextDatasetFormat}): LibSVM
 * files, CSV paths with options, and CSV files whose rows have one column more than the input
 * layer. Any other regular file is told apart by its first bytes, not its name: the idx images
 * magic means images, other binary headers (idx labels, {@code SEQ}, gzip) go to {@link
 * Datasets#open}, and anything else is read as CSV feature rows.
 *
 * <p>Immutable once read.
 */
public abstract class PredictInput {
  private final String description;
  private final int size;

  private PredictInput(String description, int size) {
    this.description = description;
    this.size = size;
  }

  /**
   * Reads {@code path} for a model whose input layer takes {@code width} features, keeping the
   * first {@code limit} samples at most.
   *
   * @throws ToolFailure if the samples have another width, or there are none
   * @throws IOException if the input cannot be read or is malformed
   */
  public static PredictInput read(String path, Inference model, int limit)
      throws IOException, ToolFailure {
    checkNotNull(path, "input path");
    checkNotNull(model, "model");
    checkArgument(limit > 0, "limit must be positive, got %s", limit);
    if (isLabelledText(path, model)) {
      return fromDataset(path, model, limit);
    }
    if (HadoopFiles.isRemote(path)) {
      // A directory or a SequenceFile is read where it lies, as any dataset on Hadoop; an idx
      // or CSV file from a copy, since their readers need a local file.
      byte[] head = HadoopFiles.head(path, "input path", 4);
      if (head == null || isSequenceFile(head, head.length)) {
        return fromDataset(path, model, limit);
      }
      PredictInput in = HadoopFiles.read(path, "input path", copy -> readFile(path, copy, model,
          limit));
      return in != null ? in : fromDataset(path, model, limit);
    }
    Path file = regularFile(path);
    PredictInput in = file == null ? null : readFile(path, file, model, limit);
    return in != null ? in : fromDataset(path, model, limit);
  }

  /**
   * The samples of {@code file}, the local copy of {@code path}, when it is an idx images file
   * or CSV; null when it is of another kind (then a dataset format reads it).
   */
  private static PredictInput readFile(String path, Path file, Inference model, int limit)
      throws IOException, ToolFailure {
    int width = model.spec().inputSize();
    Kind kind = sniff(file);
    if (kind == Kind.IDX_IMAGES) {
      int[] shape = new int[3];
      float[] pixels = IdxFile.readImages(file, shape);
      model.checkFeatures("idx file " + path + " (" + shape[0] + " images of " + shape[1] + "x"
          + shape[2] + ")", shape[1] * shape[2]);
      return new InMemory(path + " (idx images)", pixels, width, Math.min(limit, shape[0]));
    }
    if (kind == Kind.TEXT) {
      float[] x = CsvFeatures.read(file, path, width, limit);
      return new InMemory(path + " (CSV)", x, width, x.length / width);
    }
    return null;
  }

  private static PredictInput fromDataset(String path, Inference model, int limit)
      throws IOException, ToolFailure {
    Dataset data = Datasets.open(path,
        new DataShape(model.spec().inputSize(), model.spec().outputSize()));
    model.checkFeatures("data " + path, data.featureCount());
    if (data.size() == 0) {
      throw new ToolFailure("data " + path + " holds no samples");
    }
    return new FromDataset(path, data, Math.min(limit, data.size()));
  }

  /**
   * Whether {@code path} is a labelled text dataset (docs/data-formats.md) rather than CSV
   * feature rows: LibSVM data, a CSV path with options ({@code test.csv#label=last}), or a CSV
   * file whose first sample line has one column more than the input layer (a label).
   */
  private static boolean isLabelledText(String path, Inference model) throws IOException {
    TextFormat.Kind kind = TextDatasetFormat.kindOf(path);
    if (kind == null) {
      return false;
    }
    if (kind == TextFormat.Kind.LIBSVM || !TextFormat.location(path).equals(path)) {
      return true;
    }
    byte[] head;
    if (HadoopFiles.isRemote(path)) {
      head = HadoopFiles.head(path, "input path", 1 << 16);
    } else if (Files.isDirectory(Paths.get(path))) {
      head = null;
    } else {
      try (InputStream in = Files.newInputStream(Paths.get(path))) {
        head = in.readNBytes(1 << 16);
      }
    }
    if (head == null) {
      return true; // a directory of CSV files: a dataset
    }
    String[] lines = new String(head, StandardCharsets.UTF_8).split("\r?\n", -1);
    SampleParser parser = new SampleParser(TextFormat.forPath(path, kind));
    // The last piece may be a cut line; a line too long for the head decides nothing.
    for (int i = 0; i < lines.length - 1; i++) {
      if ((i == 0 && parser.isHeader(lines[i])) || !SampleParser.isSample(lines[i])) {
        continue;
      }
      int columns = lines[i].split(Pattern.quote(String.valueOf(parser.format().separator())),
          -1).length;
      return columns == model.spec().inputSize() + 1;
    }
    return false;
  }

  /** What the samples came from, for messages. */
  public final String description() {
    return description;
  }

  /** The number of samples to predict. */
  public final int size() {
    return size;
  }

  /**
   * Copies the features of samples {@code [from, from+n)} into {@code x}, sample-major; {@code
   * n} is at most {@link Inference#BATCH}.
   */
  public abstract void features(int from, int n, float[] x);

  private enum Kind { IDX_IMAGES, BINARY, TEXT }

  /** {@code path} as an existing regular file, or null (a directory, a URI, a missing path). */
  private static Path regularFile(String path) {
    try {
      Path p = Paths.get(path);
      return Files.isRegularFile(p) ? p : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /** What the file's first bytes say it is; for gzip, the first bytes it decompresses to. */
  private static Kind sniff(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      byte[] head = new byte[4];
      int n = in.readNBytes(head, 0, 4);
      if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        return sniffGzip(file);
      }
      if (n == 4 && readInt(head) == IdxFile.IMAGES_MAGIC) {
        return Kind.IDX_IMAGES;
      }
      boolean idx = n >= 3 && head[0] == 0 && head[1] == 0;
      return idx || isSequenceFile(head, n) ? Kind.BINARY : Kind.TEXT;
    }
  }

  /** Whether the first {@code n} bytes of a file, {@code head}, are a SequenceFile's magic. */
  private static boolean isSequenceFile(byte[] head, int n) {
    return n >= 3 && head[0] == 'S' && head[1] == 'E' && head[2] == 'Q';
  }

  private static Kind sniffGzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      byte[] head = new byte[4];
      int n = in.readNBytes(head, 0, 4);
      return n == 4 && readInt(head) == IdxFile.IMAGES_MAGIC ? Kind.IDX_IMAGES : Kind.BINARY;
    } catch (EOFException e) {
      return Kind.BINARY;
    } catch (IOException e) {
      // A broken gzip file: let the dataset readers say what is wrong with it.
      return Kind.BINARY;
    }
  }

  private static int readInt(byte[] b) {
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }

  /** Samples held in one sample-major array. */
  private static final class InMemory extends PredictInput {
    private final float[] x;
    private final int width;

    InMemory(String description, float[] x, int width, int size) {
      super(description, size);
      this.x = x;
      this.width = width;
    }

    @Override
    public void features(int from, int n, float[] dst) {
      System.arraycopy(x, from * width, dst, 0, n * width);
    }
  }

  /** The first samples of a dataset, in order; targets are read and dropped. */
  private static final class FromDataset extends PredictInput {
    private final Dataset data;
    private final int[] order;
    private final float[] targets;

    FromDataset(String path, Dataset data, int size) {
      super(path, size);
      this.data = data;
      order = new int[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      targets = new float[data.targetCount() * Inference.BATCH];
    }

    @Override
    public void features(int from, int n, float[] dst) {
      data.fill(order, from, n, dst, data.featureCount(), targets);
    }
  }
}
