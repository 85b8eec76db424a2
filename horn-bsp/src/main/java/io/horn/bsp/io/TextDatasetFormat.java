package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.DataFormatException;
import io.horn.core.data.DataShape;
import io.horn.core.data.DatasetFormat;
import io.horn.core.data.text.MalformedLineException;
import io.horn.core.data.text.Row;
import io.horn.core.data.text.SampleParser;
import io.horn.core.data.text.TextFormat;
import io.horn.core.data.text.TextFormat.Kind;
import io.horn.core.data.text.TextSamples;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The {@link DatasetFormat}s of text data, {@link CsvDatasetFormat} and {@link
 * LibSvmDatasetFormat}: files local or on any Hadoop file system ({@code hdfs://...}), read
 * whole into memory here, or split over Hama's workers at line boundaries by {@link
 * TextSampleInputFormat}. Lines are parsed by horn-core's {@link SampleParser}; the options
 * after a {@code #} in the path are {@link TextFormat}'s.
 *
 * <p>Which paths are text: a path whose options say {@code format=csv|libsvm}, or whose name
 * ends in {@code .csv}, {@code .tsv}, {@code .libsvm} or {@code .svm}; or a local directory
 * whose first data file (the rule of {@link InputFiles}) has such a name. A remote directory of
 * text files needs the {@code format=} option, since looking into it is not cheap. A path is
 * accepted by its name alone, so that a missing file is reported by name when loading.
 *
 * <p>Stateless and thread-safe.
 */
public abstract class TextDatasetFormat implements DatasetFormat {
  private final Kind kind;

  TextDatasetFormat(Kind kind) {
    this.kind = kind;
  }

  @Override
  public final String name() {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public final boolean accepts(String path) {
    try {
      return path != null && !path.trim().isEmpty() && kindOf(path) == kind;
    } catch (RuntimeException e) {
      return false; // a bad format= option: load reports it, through another format's path
    }
  }

  @Override
  public final ArrayDataset load(String path) throws IOException {
    return load(path, null);
  }

  /**
   * Reads every file of {@code path} into memory.
   *
   * @param expected the network's shape, or null to take it from the options or the data
   * @throws DataFormatException naming the file, line and column of the first bad line
   * @throws IllegalArgumentException naming the option, for a bad option in the path
   */
  @Override
  public final ArrayDataset load(String path, DataShape expected) throws IOException {
    checkNotNull(path, "path");
    checkArgument(accepts(path), "the %s format does not accept '%s'", name(), path);
    TextSamples samples = new TextSamples(TextFormat.forPath(path, kind), expected);
    String location = TextFormat.location(path);
    if (!location.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")
        && !Files.exists(java.nio.file.Paths.get(location))) {
      throw new FileNotFoundException("training data path does not exist: " + location);
    }
    Configuration conf = new Configuration();
    for (Path file : InputFiles.paths(toHadoopPath(path), conf)) {
      try (BufferedReader in = open(file, conf)) {
        samples.read(in, describe(file));
      }
    }
    return samples.build(path);
  }

  /**
   * The text kind of {@code path}, or null when it is not text data (see the class comment).
   *
   * @throws IllegalArgumentException if its {@code format=} option names no known kind
   */
  public static Kind kindOf(String path) {
    checkNotNull(path, "path");
    Kind k = TextFormat.declaredKind(path);
    if (k != null) {
      return k;
    }
    String location = TextFormat.location(path);
    if (location.matches("[A-Za-z][A-Za-z0-9+.-]+:.*") && !location.startsWith("file:")) {
      return null; // remote: only the name could tell, and it did not
    }
    try {
      java.nio.file.Path p = java.nio.file.Paths.get(location.startsWith("file:")
          ? java.net.URI.create(location).getPath() : location);
      String first = firstDataFile(p, true);
      return first == null ? null : TextFormat.kindOfName(first);
    } catch (RuntimeException e) {
      return null; // not a path this platform can name
    }
  }

  /**
   * The name of the first file {@link InputFiles} would read in the local directory {@code
   * dir}, or null if it is not a directory or has none; through java.nio, since asking every
   * path that a user gives should not start Hadoop's file system.
   */
  private static String firstDataFile(java.nio.file.Path dir, boolean top) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    String first = null;
    boolean train = false;
    try (DirectoryStream<java.nio.file.Path> entries = Files.newDirectoryStream(dir)) {
      for (java.nio.file.Path e : entries) {
        String name = e.getFileName().toString();
        if (InputFiles.isHidden(name)) {
          continue;
        }
        if (Files.isRegularFile(e)) {
          first = first == null || name.compareTo(first) < 0 ? name : first;
        } else if (top && name.equals(InputFiles.TRAIN_DIR)) {
          train = true;
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      return null;
    }
    return first != null || !train ? first
        : firstDataFile(dir.resolve(InputFiles.TRAIN_DIR), false);
  }

  /** The Hadoop path of {@code path}'s files: its location, without the options. */
  public static Path toHadoopPath(String path) {
    return SequenceFileDatasetFormat.toHadoopPath(TextFormat.location(path));
  }

  /**
   * Checks the first {@code lines} sample lines of {@code path}'s first file against the
   * network's shape, for a job's submitting side: a wrong width or class fails there, naming
   * the line, rather than inside a task.
   */
  public static void checkHead(String path, DataShape shape, Configuration conf, int lines)
      throws IOException {
    Kind kind = kindOf(path);
    checkArgument(kind != null, "not text data: %s", path);
    SampleParser parser = new SampleParser(TextFormat.forPath(path, kind));
    TextSamples.checkOptions(parser.format(), shape);
    Path file = InputFiles.paths(toHadoopPath(path), conf).get(0);
    Row row = new Row();
    float[] x = new float[shape.features()];
    float[] t = new float[shape.targets()];
    int seen = 0;
    try (BufferedReader in = open(file, conf)) {
      long line = 0;
      for (String s = in.readLine(); s != null && seen < lines; s = in.readLine()) {
        line++;
        if ((line == 1 && parser.isHeader(s)) || !SampleParser.isSample(s)) {
          continue;
        }
        try {
          parser.parse(s, row);
          row.fill(shape.features(), shape.targets(), x, 0, t, 0);
        } catch (MalformedLineException e) {
          throw new DataFormatException(e.describe(describe(file), line));
        }
        seen++;
      }
    }
    if (seen == 0) {
      throw new IOException("no samples in " + describe(file) + ", the first file of " + path);
    }
  }

  static BufferedReader open(Path file, Configuration conf) throws IOException {
    return new BufferedReader(new InputStreamReader(file.getFileSystem(conf).open(file),
        StandardCharsets.UTF_8), 1 << 16);
  }

  /** A file as messages name it: a local one by its path, a remote one by its URI. */
  static String describe(Path file) {
    String scheme = file.toUri().getScheme();
    return scheme == null || scheme.equals("file") ? file.toUri().getPath() : file.toString();
  }

  @Override
  public String toString() {
    return name();
  }
}
