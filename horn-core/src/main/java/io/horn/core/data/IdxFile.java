package io.horn.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of the MNIST distribution (<a
 * href="http://yann.lecun.com/exdb/mnist/">yann.lecun.com/exdb/mnist</a>): a big-endian int32
 * magic number ({@code 0x00000803} for 3-D unsigned-byte images, {@code 0x00000801} for 1-D
 * unsigned-byte labels), one big-endian int32 per dimension, then the bytes.
 *
 * <p>Gzip-compressed files are read transparently; they are recognised by their first two bytes
 * ({@code 0x1f 0x8b}), not their name, because downloads are often renamed or unpacked in place.
 *
 * <p>Every problem is an {@link IOException} whose message names the file: a missing file is a
 * {@link FileNotFoundException}, bad content a {@link DataFormatException}. Files must hold
 * exactly what their header promises; trailing bytes are an error, since they usually mean the
 * header and the data come from different files.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxFile {
  /** Magic number of an IDX file of unsigned bytes in 3 dimensions (images). */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic number of an IDX file of unsigned bytes in 1 dimension (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private static final int CHUNK = 1 << 16;
  /** What a gzip file's decompressed data is first allocated for, before it proves longer. */
  private static final int GZIP_INITIAL_CAPACITY = 1 << 22;
  /** byte → [0, 1], by table: a multiply per pixel shows up when loading 47 M pixels. */
  private static final float[] SCALE = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      SCALE[i] = i / 255f;
    }
  }

  private IdxFile() {}

  /**
   * Reads an IDX image file: returns its pixels scaled to {@code [0, 1]} ({@code byte / 255f}),
   * image-major (image {@code i} at {@code i * rows * cols}, row-major within), and stores {@code
   * {count, rows, cols}} in {@code shapeOut} unless it is null.
   *
   * @throws FileNotFoundException if {@code p} does not exist
   * @throws DataFormatException if the file is not an IDX image file, is truncated, or has bytes
   *     past its data
   */
  public static float[] readImages(Path p, int[] shapeOut) throws IOException {
    checkNotNull(p, "path");
    checkArgument(shapeOut == null || shapeOut.length >= 3,
        "shapeOut needs room for 3 dimensions, has %s", shapeOut == null ? 0 : shapeOut.length);
    try (Reader r = Reader.open(p)) {
      r.readMagic(IMAGES_MAGIC, "image");
      int count = r.readInt();
      int rows = r.readInt();
      int cols = r.readInt();
      String what = count + " images of " + rows + "x" + cols;
      if (count <= 0 || rows <= 0 || cols <= 0) {
        throw new DataFormatException(
            p + ": invalid IDX header: " + what + " (dimensions must be positive)");
      }
      long total = (long) count * rows * cols;
      byte[] chunk = new byte[CHUNK];
      float[] out = new float[r.initialCapacity(total, what, "pixel")];
      long done = 0;
      while (done < total) {
        int want = (int) Math.min(CHUNK, total - done);
        int got = r.readUpTo(chunk, want);
        if (got < want) {
          throw r.truncated(what, "pixel", done + got);
        }
        if (done + got > out.length) {
          out = Arrays.copyOf(out, (int) Math.min(total, Math.max(out.length * 2L, done + got)));
        }
        int base = (int) done;
        for (int k = 0; k < got; k++) {
          out[base + k] = SCALE[chunk[k] & 0xff];
        }
        done += got;
      }
      r.checkEnd(what);
      if (shapeOut != null) {
        shapeOut[0] = count;
        shapeOut[1] = rows;
        shapeOut[2] = cols;
      }
      return out;
    }
  }

  /**
   * Reads an IDX label file: one unsigned byte per sample, as ints in {@code [0, 255]}.
   *
   * @throws FileNotFoundException if {@code p} does not exist
   * @throws DataFormatException if the file is not an IDX label file, is truncated, or has bytes
   *     past its data
   */
  public static int[] readLabels(Path p) throws IOException {
    checkNotNull(p, "path");
    try (Reader r = Reader.open(p)) {
      r.readMagic(LABELS_MAGIC, "label");
      int count = r.readInt();
      String what = count + " labels";
      if (count <= 0) {
        throw new DataFormatException(
            p + ": invalid IDX header: " + what + " (the count must be positive)");
      }
      byte[] bytes = new byte[r.initialCapacity(count, what, "label")];
      int done = 0;
      while (done < count) {
        if (done == bytes.length) {
          bytes = Arrays.copyOf(bytes, (int) Math.min(count, bytes.length * 2L));
        }
        int got = r.readUpTo(bytes, done, bytes.length - done);
        if (got == 0) {
          throw r.truncated(what, "label", done);
        }
        done += got;
      }
      r.checkEnd(what);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    }
  }

  /** One open IDX file: the byte stream (decompressed if need be) and what is known of its size. */
  private static final class Reader implements AutoCloseable {
    private final Path path;
    private final InputStream in;
    private final boolean gzip;
    /** Bytes of the file (uncompressed only), to check a header's claims before allocating. */
    private final long fileSize;
    private long position;
    /** Whether a gzip stream ended before its trailer: the data read may be whole, the file not. */
    private boolean cutShort;

    private Reader(Path path, InputStream in, boolean gzip, long fileSize) {
      this.path = path;
      this.in = in;
      this.gzip = gzip;
      this.fileSize = fileSize;
    }

    static Reader open(Path p) throws IOException {
      if (!Files.exists(p)) {
        throw new FileNotFoundException("no such file: " + p);
      }
      if (Files.isDirectory(p)) {
        throw new DataFormatException(p + " is a directory, not an IDX file");
      }
      long size = Files.size(p);
      BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(p), CHUNK);
      try {
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
          return new Reader(p, new GZIPInputStream(raw, CHUNK), true, -1);
        }
        return new Reader(p, raw, false, size);
      } catch (ZipException e) {
        raw.close();
        throw corruptGzip(p, e);
      } catch (EOFException e) {
        raw.close();
        throw new DataFormatException(p + " is truncated: it ends inside the gzip header", e);
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw e;
      }
    }

    void readMagic(int expected, String kind) throws IOException {
      int magic = readInt();
      if (magic != expected) {
        String hint = magic == IMAGES_MAGIC ? "; it looks like an IDX image file"
            : magic == LABELS_MAGIC ? "; it looks like an IDX label file" : "";
        throw new DataFormatException(String.format("%s: not an IDX %s file (magic 0x%08x,"
            + " expected 0x%08x)%s", path, kind, magic, expected, hint));
      }
    }

    int readInt() throws IOException {
      byte[] b = new byte[4];
      int got = readUpTo(b, 4);
      if (got < 4) {
        throw new DataFormatException(path + " is truncated: it ends inside the IDX header, after "
            + position + " bytes");
      }
      return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /**
     * How large an array to start with for {@code total} data bytes: all of them when the file
     * is plain (after checking that it holds them, so a garbage header cannot cause a huge
     * allocation), a bounded start for gzip, whose decompressed size is unknown until read.
     */
    int initialCapacity(long total, String what, String kind) throws IOException {
      if (total > Integer.MAX_VALUE - 8) {
        throw new DataFormatException(path + ": header says " + what
            + ", too many values for one array");
      }
      if (!gzip) {
        long available = fileSize - position;
        if (available < total) {
          throw truncated(what, kind, available);
        }
        return (int) total;
      }
      return (int) Math.min(total, GZIP_INITIAL_CAPACITY);
    }

    int readUpTo(byte[] b, int len) throws IOException {
      return readUpTo(b, 0, len);
    }

    /** Reads until {@code len} bytes or the end of the data; returns how many it got. */
    int readUpTo(byte[] b, int off, int len) throws IOException {
      int done = 0;
      try {
        while (done < len) {
          int n = in.read(b, off + done, len - done);
          if (n < 0) {
            break;
          }
          done += n;
        }
      } catch (EOFException e) {
        // GZIPInputStream's way of saying the compressed stream stops mid-way: a truncation.
        cutShort = true;
      } catch (ZipException e) {
        throw corruptGzip(path, e);
      }
      position += done;
      return done;
    }

    DataFormatException truncated(String what, String kind, long bytesHeld) {
      return new DataFormatException(path + " is truncated: header says " + what
          + ", file holds only " + bytesHeld + " bytes of " + kind + " data"
          + (gzip ? " (after decompression)" : ""));
    }

    void checkEnd(String what) throws IOException {
      long extra = 0;
      byte[] b = new byte[CHUNK];
      int n;
      while ((n = readUpTo(b, CHUNK)) > 0) {
        extra += n;
      }
      if (cutShort) {
        throw new DataFormatException(path + " is truncated: the gzip stream ends early");
      }
      if (extra > 0) {
        throw new DataFormatException(path + ": unexpected trailing bytes: " + extra
            + " bytes after the " + what + " the header announces");
      }
    }

    private static DataFormatException corruptGzip(Path p, Exception e) {
      return new DataFormatException(p + ": corrupt gzip data (" + e.getMessage() + ")", e);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
