package io.horn.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the MNIST handwritten digits as an {@link ArrayDataset}: 784 features per image (28×28
 * pixels, row-major, scaled to {@code [0, 1]}) and 10 one-hot classes.
 *
 * <p>A directory holds the set under its distribution names, {@code
 * <prefix>-images-idx3-ubyte} and {@code <prefix>-labels-idx1-ubyte} with the prefix {@code
 * train} or {@code t10k}, each possibly gzipped with a {@code .gz} suffix.
 *
 * <p>Stateless and thread-safe.
 */
public final class MnistData {
  /** Number of classes: the digits 0 to 9. */
  public static final int CLASSES = 10;
  /** Prefix of the 60 000 training images. */
  public static final String TRAIN = "train";
  /** Prefix of the 10 000 test images. */
  public static final String TEST = "t10k";

  private MnistData() {}

  /**
   * Loads the {@code prefix} set ({@link #TRAIN} or {@link #TEST}, or any other prefix laid out
   * the same way) from {@code dir}.
   *
   * @throws FileNotFoundException if either file is absent, in plain and in gzipped form
   * @throws DataFormatException if a file is malformed or the two files disagree
   */
  public static ArrayDataset load(Path dir, String prefix) throws IOException {
    checkNotNull(dir, "MNIST directory");
    checkNotNull(prefix, "prefix");
    checkArgument(!prefix.isEmpty(), "the prefix must not be empty (use \"train\" or \"t10k\")");
    if (!Files.isDirectory(dir)) {
      throw new FileNotFoundException(Files.exists(dir)
          ? dir + " is not a directory" : "no such directory: " + dir);
    }
    return load(find(imagesFile(dir, prefix)), find(labelsFile(dir, prefix)));
  }

  /**
   * Loads an explicit pair of IDX files: images and their labels.
   *
   * @throws FileNotFoundException if a file is absent
   * @throws DataFormatException if a file is malformed, the counts differ, or a label is not a
   *     digit
   */
  public static ArrayDataset load(Path images, Path labels) throws IOException {
    checkNotNull(images, "images file");
    checkNotNull(labels, "labels file");
    int[] shape = new int[3];
    float[] x = IdxFile.readImages(images, shape);
    int[] y = IdxFile.readLabels(labels);
    if (shape[0] != y.length) {
      throw new DataFormatException("image and label counts differ: " + images + " holds "
          + shape[0] + " images, " + labels + " holds " + y.length + " labels");
    }
    for (int i = 0; i < y.length; i++) {
      if (y[i] >= CLASSES) {
        throw new DataFormatException(labels + ": sample " + i + " has label " + y[i]
            + ", expected a digit 0..9");
      }
    }
    // The arrays are ours alone: hand them over rather than copy 188 MB of training pixels.
    return ArrayDataset.wrapLabels(x, shape[1] * shape[2], y, CLASSES);
  }

  /** Where the images of set {@code prefix} are expected in {@code dir}, uncompressed. */
  static Path imagesFile(Path dir, String prefix) {
    return dir.resolve(prefix + "-images-idx3-ubyte");
  }

  /** Where the labels of set {@code prefix} are expected in {@code dir}, uncompressed. */
  static Path labelsFile(Path dir, String prefix) {
    return dir.resolve(prefix + "-labels-idx1-ubyte");
  }

  /** Whether {@code dir} holds both files of set {@code prefix}, plain or gzipped. */
  static boolean hasSet(Path dir, String prefix) {
    return exists(imagesFile(dir, prefix)) && exists(labelsFile(dir, prefix));
  }

  private static boolean exists(Path plain) {
    return Files.isRegularFile(plain) || Files.isRegularFile(gz(plain));
  }

  /** The plain file if present, else its gzipped twin, else a not-found error naming both. */
  private static Path find(Path plain) throws FileNotFoundException {
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = gz(plain);
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    throw new FileNotFoundException(
        "no such file: " + plain + " (nor " + gz.getFileName() + ")");
  }

  private static Path gz(Path plain) {
    return plain.resolveSibling(plain.getFileName() + ".gz");
  }
}
