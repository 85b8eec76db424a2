package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.DataFormatException;
import io.horn.core.data.DatasetFormat;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Writable;

/**
 * The {@link DatasetFormat} {@code seqfile}: Hadoop SequenceFiles of {@link SampleWritable}
 * values (keys of any {@link Writable} class, ignored), as {@link MnistConverter} writes them.
 *
 * <p>A path is a SequenceFile or a directory of them (the rule is {@link InputFiles}'s: files
 * directly in it, skipping names that start with {@code _} or {@code .}, or its {@code train}
 * subdirectory's if it has no files of its own). A path without a scheme, or with {@code
 * file:}, is local; {@code hdfs://}, {@code viewfs://} and {@code webhdfs://} paths are read
 * through Hadoop's {@link org.apache.hadoop.fs.FileSystem} with the {@link Configuration} found on
 * the class path.
 *
 * <p>{@link #accepts} looks at a local path's first file for the {@code SEQ} magic rather than
 * trusting names, and declines paths that do not exist so that other formats, or {@link
 * io.horn.core.data.Datasets}'s "does not exist", can answer. It cannot look at a remote path
 * cheaply, so it accepts every path of a Hadoop scheme: a missing one then fails in {@link
 * #load} with a "does not exist" naming it.
 *
 * <p>Stateless and thread-safe.
 */
public final class SequenceFileDatasetFormat implements DatasetFormat {
  private static final List<String> REMOTE_SCHEMES =
      Arrays.asList("hdfs", "viewfs", "webhdfs", "swebhdfs");
  /** Two letters at least, so a Windows drive ({@code C:}) is not taken for a scheme. */
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]+):.*");
  /** Largest Java array the loader builds. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  @Override
  public String name() {
    return "seqfile";
  }

  @Override
  public boolean accepts(String path) {
    if (path == null || path.trim().isEmpty()) {
      return false;
    }
    String scheme = scheme(path);
    if (scheme != null && !scheme.equals("file")) {
      return REMOTE_SCHEMES.contains(scheme);
    }
    try {
      java.nio.file.Path p = scheme == null ? Paths.get(path) : Paths.get(URI.create(path));
      return holdsSequenceFiles(p, true);
    } catch (RuntimeException e) {
      return false; // not a path this platform can name
    }
  }

  @Override
  public ArrayDataset load(String path) throws IOException {
    checkNotNull(path, "path");
    checkArgument(accepts(path), "the seqfile format does not accept '%s'", path);
    Configuration conf = new Configuration();
    return read(InputFiles.paths(toHadoopPath(path), conf), conf, path);
  }

  /**
   * Reads every sample of {@code files}, in order, into one dataset with dense targets.
   *
   * @throws DataFormatException if a file is not a SequenceFile of {@link SampleWritable}s, is
   *     corrupt, or holds a sample whose feature or target count differs from the first sample's
   *     (the message names the file and the record)
   * @throws IOException if the files hold no sample at all, or cannot be read
   */
  public static ArrayDataset read(List<Path> files, Configuration conf) throws IOException {
    checkNotNull(files, "files");
    checkNotNull(conf, "conf");
    checkArgument(!files.isEmpty(), "no files to read");
    return read(files, conf, files.size() == 1 ? files.get(0).toString() : files.toString());
  }

  /**
   * The feature and target counts of the first sample at {@code path} (a path as {@link #load}
   * takes it), reading one record only: for checking a job's data against its network before
   * submitting it.
   *
   * @return {@code {featureCount, targetCount}}
   * @throws IOException if the path does not exist, is not SequenceFiles of samples, or holds
   *     no sample
   */
  public static int[] firstRecordWidths(String path, Configuration conf) throws IOException {
    checkNotNull(path, "path");
    checkNotNull(conf, "conf");
    SampleWritable value = new SampleWritable();
    for (Path file : InputFiles.paths(toHadoopPath(path), conf)) {
      try (SampleFileReader r = SampleFileReader.open(file, conf, 0, Long.MAX_VALUE, false)) {
        if (r.next(r.createKey(conf), value)) {
          return new int[] {value.features().length, value.targets().length};
        }
      }
    }
    throw new IOException("no samples in " + path);
  }

  private static ArrayDataset read(List<Path> files, Configuration conf, String what)
      throws IOException {
    long totalBytes = 0;
    for (Path f : files) {
      totalBytes += f.getFileSystem(conf).getFileStatus(f).getLen();
    }
    SampleWritable value = new SampleWritable();
    float[] x = null;
    float[] y = null;
    int fc = -1;
    int tc = -1;
    int n = 0;
    for (Path file : files) {
      try (SampleFileReader r = SampleFileReader.open(file, conf, 0, Long.MAX_VALUE, false)) {
        Writable key = r.createKey(conf);
        while (r.next(key, value)) {
          float[] f = value.features();
          float[] t = value.targets();
          if (fc < 0) {
            if (f.length == 0 || t.length == 0) {
              throw new DataFormatException(file + ", record 0: a sample needs features and"
                  + " targets, this one has " + f.length + " and " + t.length);
            }
            fc = f.length;
            tc = t.length;
            // Every record takes at least its value's bytes plus 16 of lengths and counts, so
            // this is an upper bound for uncompressed files: MNIST fills without regrowing.
            long estimate = Math.max(1, totalBytes / (16 + 4L * (fc + tc)));
            x = new float[(int) Math.min(estimate * fc, MAX_ARRAY / fc * fc)];
            y = new float[(int) Math.min(estimate * tc, MAX_ARRAY / tc * tc)];
          } else if (f.length != fc || t.length != tc) {
            throw new DataFormatException(file + ", record " + (r.records() - 1) + " (byte "
                + r.position() + "): " + f.length + " features and " + t.length
                + " targets, but the samples before it have " + fc + " and " + tc);
          }
          if ((long) (n + 1) * fc > x.length) {
            x = grow(x, (long) (n + 1) * fc, what);
          }
          if ((long) (n + 1) * tc > y.length) {
            y = grow(y, (long) (n + 1) * tc, what);
          }
          System.arraycopy(f, 0, x, n * fc, fc);
          System.arraycopy(t, 0, y, n * tc, tc);
          n++;
        }
      }
    }
    if (n == 0) {
      throw new IOException("no samples in " + what);
    }
    return ArrayDataset.ofTargets(trim(x, n * fc), fc, trim(y, n * tc), tc);
  }

  private static float[] grow(float[] a, long needed, String what) throws IOException {
    if (needed > MAX_ARRAY) {
      throw new IOException(what + " holds more samples than one in-memory dataset can (over "
          + MAX_ARRAY + " values); split it over more workers");
    }
    return Arrays.copyOf(a, (int) Math.min(MAX_ARRAY, Math.max(needed, 2L * a.length)));
  }

  private static float[] trim(float[] a, int n) {
    return a.length == n ? a : Arrays.copyOf(a, n);
  }

  /** The lower-cased scheme of a path string, or null when it has none. */
  private static String scheme(String path) {
    Matcher m = SCHEME.matcher(path);
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }

  /**
   * The Hadoop path this format reads for a path string: the string itself when it names a
   * scheme, else the local file (an absolute {@code file:} path), whatever {@code fs.defaultFS}
   * says. Give this, not the raw string, to {@link org.apache.hama.bsp.BSPJob#setInputPath}, so
   * that a job's splits come from the same files {@link #accepts} looked at.
   */
  public static Path toHadoopPath(String path) {
    checkNotNull(path, "path");
    return scheme(path) != null
        ? new Path(path)
        : new Path(new File(path).getAbsoluteFile().toURI());
  }

  /** Whether a local path is a SequenceFile, or a directory whose first file is one. */
  private static boolean holdsSequenceFiles(java.nio.file.Path p, boolean top) {
    if (Files.isRegularFile(p)) {
      return startsWithMagic(p);
    }
    if (!Files.isDirectory(p)) {
      return false;
    }
    java.nio.file.Path first = null;
    boolean train = false;
    try (DirectoryStream<java.nio.file.Path> entries = Files.newDirectoryStream(p)) {
      for (java.nio.file.Path e : entries) {
        String name = e.getFileName().toString();
        if (InputFiles.isHidden(name)) {
          continue;
        }
        if (Files.isRegularFile(e)) {
          if (first == null || name.compareTo(first.getFileName().toString()) < 0) {
            first = e;
          }
        } else if (top && name.equals(InputFiles.TRAIN_DIR) && Files.isDirectory(e)) {
          train = true;
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      return false;
    }
    if (first != null) {
      return startsWithMagic(first);
    }
    return train && holdsSequenceFiles(p.resolve(InputFiles.TRAIN_DIR), false);
  }

  private static boolean startsWithMagic(java.nio.file.Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 'S' && in.read() == 'E' && in.read() == 'Q';
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return name();
  }
}
