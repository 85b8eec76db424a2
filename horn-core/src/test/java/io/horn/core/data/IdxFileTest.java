package io.horn.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {
  @TempDir Path dir;

  /** The bytes of an IDX file: magic, the dimensions, then {@code data}. */
  static byte[] idx(int magic, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  static byte[] images(int count, int rows, int cols, byte[] pixels) {
    return idx(IdxFile.IMAGES_MAGIC, new int[] {count, rows, cols}, pixels);
  }

  static byte[] labels(int... labels) {
    byte[] b = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      b[i] = (byte) labels[i];
    }
    return idx(IdxFile.LABELS_MAGIC, new int[] {labels.length}, b);
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** {@code n} bytes counting up from 0, wrapping at 256. */
  static byte[] ramp(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  @Test
  void readsImagesScaledToUnitIntervalAndReportsShape() throws IOException {
    byte[] pixels = {0, (byte) 255, (byte) 128, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    Path p = write("img", images(2, 2, 3, pixels));
    int[] shape = new int[3];
    float[] x = IdxFile.readImages(p, shape);
    assertArrayEquals(new int[] {2, 2, 3}, shape);
    assertEquals(12, x.length);
    assertEquals(0f, x[0]);
    assertEquals(1f, x[1]);
    assertEquals(128 / 255f, x[2]);
    assertEquals(9 / 255f, x[11]);
    assertArrayEquals(x, IdxFile.readImages(p, null));
  }

  @Test
  void readsGzipRecognisedByContentNotName() throws IOException {
    byte[] pixels = ramp(3 * 50 * 40); // spans several read chunks of the decompressor
    float[] plain = IdxFile.readImages(write("plain", images(3, 50, 40, pixels)), null);
    int[] shape = new int[3];
    float[] zipped = IdxFile.readImages(write("no-suffix", gzip(images(3, 50, 40, pixels))), shape);
    assertArrayEquals(plain, zipped);
    assertArrayEquals(new int[] {3, 50, 40}, shape);
    assertArrayEquals(new int[] {7, 0, 255, 9},
        IdxFile.readLabels(write("l.gz", gzip(labels(7, 0, 255, 9)))));
  }

  @Test
  void readsLargeGzipBeyondInitialCapacity() throws IOException {
    // 5 M pixels: more than the first allocation for gzip data, so the array must grow.
    int count = 5000;
    byte[] pixels = ramp(count * 1000);
    float[] x = IdxFile.readImages(write("big.gz", gzip(images(count, 25, 40, pixels))), null);
    assertEquals(count * 1000, x.length);
    assertEquals((count * 1000 - 1) % 256 / 255f, x[x.length - 1]);
    assertEquals(4_000_077 % 256 / 255f, x[4_000_077]);
  }

  @Test
  void readsLabelsAsUnsignedBytes() throws IOException {
    assertArrayEquals(new int[] {0, 9, 200, 255},
        IdxFile.readLabels(write("lab", labels(0, 9, 200, 255))));
  }

  @Test
  void missingFileIsNamed() {
    Path p = dir.resolve("nope");
    FileNotFoundException e =
        assertThrows(FileNotFoundException.class, () -> IdxFile.readImages(p, null));
    assertEquals("no such file: " + p, e.getMessage());
    assertThrows(FileNotFoundException.class, () -> IdxFile.readLabels(p));
  }

  @Test
  void wrongMagicIsNamedWithBothNumbers() throws IOException {
    Path p = write("lab", labels(1, 2));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(p, null));
    assertTrue(e.getMessage().startsWith(p + ": not an IDX image file (magic 0x00000801, "
        + "expected 0x00000803)"), e.getMessage());
    Path img = write("img", images(1, 1, 1, new byte[1]));
    e = assertThrows(DataFormatException.class, () -> IdxFile.readLabels(img));
    assertTrue(e.getMessage().contains("not an IDX label file (magic 0x00000803"), e.getMessage());
    Path text = write("text", "hello world, this is no IDX".getBytes("UTF-8"));
    e = assertThrows(DataFormatException.class, () -> IdxFile.readImages(text, null));
    assertTrue(e.getMessage().contains("magic 0x68656c6c"), e.getMessage());
  }

  @Test
  void truncatedPixelsAreReportedWithHeaderAndActualSize() throws IOException {
    byte[] full = images(3, 2, 2, ramp(12));
    Path p = write("img", Arrays.copyOf(full, full.length - 2));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(p, null));
    assertEquals(p + " is truncated: header says 3 images of 2x2, file holds only 10 bytes of"
        + " pixel data", e.getMessage());

    byte[] gz = gzip(full);
    // Cuts into the deflate stream, not just the gzip trailer.
    Path cut = write("img.gz", Arrays.copyOf(gz, gz.length - 12));
    e = assertThrows(DataFormatException.class, () -> IdxFile.readImages(cut, null));
    assertTrue(e.getMessage().startsWith(cut + " is truncated"), e.getMessage());

    // Only the gzip trailer (CRC and length) is missing: the data is whole, the file is not.
    Path noTrailer = write("img2.gz", Arrays.copyOf(gz, gz.length - 8));
    e = assertThrows(DataFormatException.class, () -> IdxFile.readImages(noTrailer, null));
    assertTrue(e.getMessage().startsWith(noTrailer + " is truncated"), e.getMessage());

    byte[] lab = labels(1, 2, 3, 4, 5);
    Path l = write("lab", Arrays.copyOf(lab, lab.length - 1));
    e = assertThrows(DataFormatException.class, () -> IdxFile.readLabels(l));
    assertEquals(l + " is truncated: header says 5 labels, file holds only 4 bytes of label data",
        e.getMessage());
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path p = write("img", Arrays.copyOf(images(3, 2, 2, ramp(12)), 10));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(p, null));
    assertTrue(e.getMessage().startsWith(p + " is truncated: it ends inside the IDX header"),
        e.getMessage());
    Path empty = write("empty", new byte[0]);
    assertThrows(DataFormatException.class, () -> IdxFile.readLabels(empty));
  }

  @Test
  void headerClaimingHugeDataFailsFastWithoutAllocating() throws IOException {
    // 10^6 images of 28x28 would need 3 GB of floats: the claim must be checked against the file.
    Path p = write("img", images(1_000_000, 28, 28, ramp(100)));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(p, null));
    assertTrue(e.getMessage().contains("file holds only 100 bytes"), e.getMessage());
    Path q = write("img2", images(100_000, 1000, 1000, ramp(10)));
    e = assertThrows(DataFormatException.class, () -> IdxFile.readImages(q, null));
    assertTrue(e.getMessage().contains("too many values"), e.getMessage());
  }

  @Test
  void nonPositiveDimensionsAreRejected() throws IOException {
    Path p = write("img", images(2, 0, 3, new byte[0]));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(p, null));
    assertTrue(e.getMessage().contains("2 images of 0x3") && e.getMessage().contains("positive"),
        e.getMessage());
    Path n = write("img2", images(-1, 2, 2, new byte[0]));
    assertThrows(DataFormatException.class, () -> IdxFile.readImages(n, null));
    Path l = write("lab", idx(IdxFile.LABELS_MAGIC, new int[] {0}, new byte[0]));
    assertThrows(DataFormatException.class, () -> IdxFile.readLabels(l));
  }

  @Test
  void trailingBytesAreReported() throws IOException {
    byte[] full = images(1, 2, 2, ramp(4));
    Path p = write("img", Arrays.copyOf(full, full.length + 3));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(p, null));
    assertTrue(e.getMessage().contains("unexpected trailing bytes: 3 bytes"), e.getMessage());
    byte[] lab = labels(1, 2);
    Path gz = write("lab.gz", gzip(Arrays.copyOf(lab, lab.length + 1)));
    e = assertThrows(DataFormatException.class, () -> IdxFile.readLabels(gz));
    assertTrue(e.getMessage().contains("unexpected trailing bytes"), e.getMessage());
  }

  @Test
  void corruptGzipIsReported() throws IOException {
    byte[] gz = gzip(images(2, 10, 10, ramp(200)));
    for (int i = 12; i < gz.length - 8; i++) {
      gz[i] ^= 0x5a;
    }
    Path p = write("img.gz", gz);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(p, null));
    assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
  }

  @Test
  void directoryIsNotAFile() {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxFile.readImages(dir, null));
    assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
  }

  @Test
  void shapeOutMustHoldThreeDimensions() throws IOException {
    Path p = write("img", images(1, 1, 1, new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> IdxFile.readImages(p, new int[2]));
  }
}
