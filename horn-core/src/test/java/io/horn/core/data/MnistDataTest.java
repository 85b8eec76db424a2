package io.horn.core.data;

import static io.horn.core.data.IdxFileTest.gzip;
import static io.horn.core.data.IdxFileTest.images;
import static io.horn.core.data.IdxFileTest.labels;
import static io.horn.core.data.IdxFileTest.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDataTest {
  @TempDir Path dir;

  /** Writes {@code labels.length} 2x3 images with these labels as set {@code prefix}. */
  static void writeSet(Path dir, String prefix, boolean gz, int... labels) throws IOException {
    byte[] img = images(labels.length, 2, 3, ramp(labels.length * 6));
    byte[] lab = labels(labels);
    String suffix = gz ? ".gz" : "";
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), gz ? gzip(img) : img);
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), gz ? gzip(lab) : lab);
  }

  @Test
  void loadsASetByPrefix() throws IOException {
    writeSet(dir, "train", false, 3, 1, 4, 1, 5);
    writeSet(dir, "t10k", false, 9, 2);
    ArrayDataset train = MnistData.load(dir, "train");
    assertEquals(5, train.size());
    assertEquals(6, train.featureCount());
    assertEquals(10, train.targetCount());
    assertArrayEquals(new int[] {3, 1, 4, 1, 5}, train.labels());
    assertEquals(7 / 255f, train.feature(1, 1));
    assertEquals(1f, train.target(2, 4));
    assertArrayEquals(new int[] {9, 2}, MnistData.load(dir, "t10k").labels());
  }

  @Test
  void loadsGzippedSetUnderDotGzNames() throws IOException {
    writeSet(dir, "train", true, 0, 9, 8);
    ArrayDataset d = MnistData.load(dir, "train");
    assertArrayEquals(new int[] {0, 9, 8}, d.labels());
    assertEquals(17 / 255f, d.feature(2, 5));
  }

  @Test
  void countMismatchNamesBothCountsAndFiles() throws IOException {
    Path img = Files.write(dir.resolve("i"), images(3, 1, 2, ramp(6)));
    Path lab = Files.write(dir.resolve("l"), labels(1, 2));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> MnistData.load(img, lab));
    assertEquals("image and label counts differ: " + img + " holds 3 images, " + lab
        + " holds 2 labels", e.getMessage());
  }

  @Test
  void labelOutsideDigitsNamesFileSampleAndLabel() throws IOException {
    Path img = Files.write(dir.resolve("i"), images(3, 1, 2, ramp(6)));
    Path lab = Files.write(dir.resolve("l"), labels(1, 10, 2));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> MnistData.load(img, lab));
    assertEquals(lab + ": sample 1 has label 10, expected a digit 0..9", e.getMessage());
  }

  @Test
  void missingFilesAreNamed() throws IOException {
    FileNotFoundException e =
        assertThrows(FileNotFoundException.class, () -> MnistData.load(dir, "train"));
    assertTrue(e.getMessage().contains(dir.resolve("train-images-idx3-ubyte").toString())
        && e.getMessage().contains(".gz"), e.getMessage());
    Files.write(dir.resolve("train-images-idx3-ubyte"), images(1, 1, 1, new byte[1]));
    e = assertThrows(FileNotFoundException.class, () -> MnistData.load(dir, "train"));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte"), e.getMessage());
    e = assertThrows(FileNotFoundException.class,
        () -> MnistData.load(dir.resolve("absent"), "train"));
    assertTrue(e.getMessage().contains("no such directory"), e.getMessage());
  }

  /**
   * The real MNIST files: both sets load with their canonical sizes and class counts. Skipped
   * without the data unless {@code -Dhorn.require.mnist=true}, which turns absence into failure.
   */
  @Test
  @Tag("mnist")
  void loadsRealMnist() throws IOException {
    String prop = System.getProperty("horn.mnist.dir", "");
    Path mnist = prop.isEmpty() ? null : Paths.get(prop);
    boolean present = mnist != null && MnistData.hasSet(mnist, MnistData.TRAIN)
        && MnistData.hasSet(mnist, MnistData.TEST);
    if (!present) {
      String why = "MNIST not found in '" + prop + "' (system property horn.mnist.dir);"
          + " run bin/fetch-mnist to download it";
      if (Boolean.getBoolean("horn.require.mnist")) {
        fail(why);
      }
      System.out.println("skipping loadsRealMnist: " + why);
      Assumptions.assumeTrue(false, why);
    }
    long start = System.nanoTime();
    ArrayDataset train = MnistData.load(mnist, MnistData.TRAIN);
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("MNIST train set loaded in " + millis + " ms");
    // Generous: a per-byte unbuffered read takes tens of seconds; bulk reading well under one.
    assertTrue(millis < 5000, "loading the MNIST training set took " + millis + " ms");

    ArrayDataset test = MnistData.load(mnist, MnistData.TEST);
    assertEquals(60000, train.size());
    assertEquals(10000, test.size());
    assertEquals(784, train.featureCount());
    assertEquals(10, train.targetCount());
    int[] counts = new int[10];
    for (int label : train.labels()) {
      counts[label]++;
    }
    assertArrayEquals(
        new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, counts);
    assertEquals(5, train.label(0));
    assertEquals(7, test.label(0));
    float max = 0;
    for (int j = 0; j < 784; j++) {
      max = Math.max(max, train.feature(0, j));
    }
    assertEquals(1f, max, "pixels scale to [0, 1] and the first digit has a full-ink pixel");
  }
}
