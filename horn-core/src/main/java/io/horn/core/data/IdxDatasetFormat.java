package io.horn.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in {@link DatasetFormat} for MNIST-style IDX files ({@link MnistData}). It accepts
 * four forms of path:
 *
 * <ul>
 *   <li>a directory holding {@code train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte}
 *       (or their {@code .gz} forms): its training set;
 *   <li>{@code dir#prefix}, e.g. {@code /data/mnist#t10k}: the set {@code prefix} in {@code dir};
 *   <li>one file of a set, e.g. {@code /data/mnist/t10k-images-idx3-ubyte}: that set, both
 *       files, from the file's directory;
 *   <li>{@code images,labels}: an explicit pair of files, named as the user likes.
 * </ul>
 *
 * <p>The {@code #} and {@code ,} forms are accepted by their shape alone, so that a missing file
 * is reported by name when loading rather than as a path no format accepts. {@link Datasets}
 * asks this format after any plugged-in one, so that shape-based acceptance never takes a path
 * from a format that knows it better.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxDatasetFormat implements DatasetFormat {
  /** A set prefix: a plain file-name fragment, so {@code #} in an ordinary path is not mistaken. */
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern SET_FILE =
      Pattern.compile("(.+)-(?:images-idx3|labels-idx1)-ubyte(?:\\.gz)?");

  @Override
  public String name() {
    return "idx";
  }

  @Override
  public boolean accepts(String path) {
    if (path == null || path.trim().isEmpty()) {
      return false;
    }
    Path p = existingPath(path);
    if (p != null) {
      return Files.isDirectory(p) ? MnistData.hasSet(p, MnistData.TRAIN) : setPrefix(p) != null;
    }
    return splitHash(path) != null || splitPair(path) != null;
  }

  @Override
  public Dataset load(String path) throws IOException {
    checkNotNull(path, "path");
    checkArgument(accepts(path), "the idx format does not accept '%s'", path);
    Path p = existingPath(path);
    if (p != null) {
      return Files.isDirectory(p)
          ? MnistData.load(p, MnistData.TRAIN)
          : MnistData.load(p.toAbsolutePath().getParent(), setPrefix(p));
    }
    String[] hash = splitHash(path);
    if (hash != null) {
      Path dir = Paths.get(hash[0]);
      if (!Files.exists(dir)) {
        throw new FileNotFoundException(
            "training data path does not exist: " + dir + " (in '" + path + "')");
      }
      return MnistData.load(dir, hash[1]);
    }
    String[] pair = splitPair(path);
    return MnistData.load(Paths.get(pair[0]), Paths.get(pair[1]));
  }

  /** The path as an existing file or directory, or null if it is neither (or not a path). */
  private static Path existingPath(String s) {
    try {
      Path p = Paths.get(s);
      return Files.exists(p) ? p : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /** The prefix of a set's file name ({@code t10k} of {@code t10k-labels-idx1-ubyte}), or null. */
  private static String setPrefix(Path file) {
    Path name = file.getFileName();
    Matcher m = name == null ? null : SET_FILE.matcher(name.toString());
    return m != null && m.matches() ? m.group(1) : null;
  }

  /** {@code {dir, prefix}} of {@code dir#prefix}, or null if the path has another shape. */
  private static String[] splitHash(String path) {
    int hash = path.lastIndexOf('#');
    if (hash <= 0 || path.indexOf(',') >= 0) {
      return null;
    }
    String prefix = path.substring(hash + 1);
    return PREFIX.matcher(prefix).matches() ? new String[] {path.substring(0, hash), prefix} : null;
  }

  /** {@code {images, labels}} of {@code images,labels}, or null if the path has another shape. */
  private static String[] splitPair(String path) {
    String[] parts = path.split(",", -1);
    if (parts.length != 2) {
      return null;
    }
    String images = parts[0].trim();
    String labels = parts[1].trim();
    return images.isEmpty() || labels.isEmpty() ? null : new String[] {images, labels};
  }

  @Override
  public String toString() {
    return name();
  }
}
