package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.hadoop.io.Writable;

/**
 * One training sample as a Hadoop {@link Writable}: a vector of features and a vector of targets
 * (one-hot for classification).
 *
 * <p>Serialized form: {@code int featureCount}, {@code int targetCount}, then the features and the
 * targets as big-endian IEEE 754 floats. The floats move as one block of bytes: a sample of MNIST
 * has 794 of them, and one {@code writeFloat} call per value costs more than the disk.
 *
 * <p>{@link #readFields} checks what it reads, because a SequenceFile's value bytes are whatever
 * the file holds: counts must lie in {@code [0, 2^24]}, values must be finite, and a stream that
 * ends early is an {@link EOFException}. The counts are not trusted for allocation: memory grows
 * with the bytes actually read, so a corrupt count costs at most a small constant. It reuses this object's arrays when the counts match
 * those of the previous sample, which is always the case for the records of one dataset; so the
 * arrays returned by {@link #features()} and {@link #targets()} are live views that the next
 * {@code readFields} or {@code set} may overwrite.
 *
 * <p>Not thread-safe: record readers call {@code readFields} on one instance over and over, and
 * the instance keeps a scratch buffer for the bytes.
 */
public final class SampleWritable implements Writable {
  /** The largest count {@link #readFields} believes: 16 M floats, 64 MiB, far past any sample. */
  public static final int MAX_COUNT = 1 << 24;

  /** The first step of growing the scratch buffer while reading values, in bytes. */
  private static final int READ_CHUNK = 1 << 16;

  private static final float[] EMPTY = new float[0];

  private float[] features = EMPTY;
  private float[] targets = EMPTY;
  /** Scratch for the bytes of the floats, kept so that reading a sample allocates nothing. */
  private byte[] bytes = new byte[0];

  /** An empty sample (no features, no targets), to be filled by {@link #readFields}. */
  public SampleWritable() {}

  /**
   * A sample holding copies of {@code features} and {@code targets}.
   *
   * @throws IllegalArgumentException if a value is NaN or infinite
   */
  public SampleWritable(float[] features, float[] targets) {
    set(features, targets);
  }

  /**
   * Replaces this sample's values with copies of {@code features} and {@code targets}, reusing
   * this object's arrays when the lengths match.
   *
   * @throws IllegalArgumentException if a value is NaN or infinite, or an array holds more than
   *     {@link #MAX_COUNT} values (such a sample could be written but never read back)
   */
  public void set(float[] features, float[] targets) {
    checkNotNull(features, "features");
    checkNotNull(targets, "targets");
    checkCount(features.length, "features");
    checkCount(targets.length, "targets");
    checkFinite(features, "feature");
    checkFinite(targets, "target");
    this.features = copyInto(this.features, features);
    this.targets = copyInto(this.targets, targets);
  }

  /** The features: this object's own array, overwritten by the next set or read. */
  public float[] features() {
    return features;
  }

  /** The targets: this object's own array, overwritten by the next set or read. */
  public float[] targets() {
    return targets;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    int n = features.length + targets.length;
    out.writeInt(features.length);
    out.writeInt(targets.length);
    byte[] b = scratch(4 * n);
    ByteBuffer.wrap(b, 0, 4 * n).asFloatBuffer().put(features).put(targets);
    out.write(b, 0, 4 * n);
  }

  /**
   * Reads a sample written by {@link #write}.
   *
   * @throws EOFException if the input ends inside the sample
   * @throws IOException if a count is negative or above {@link #MAX_COUNT}, or a value is NaN or
   *     infinite; this object is then left empty rather than half-filled
   */
  @Override
  public void readFields(DataInput in) throws IOException {
    int nf;
    int nt;
    try {
      nf = in.readInt();
      nt = in.readInt();
    } catch (EOFException e) {
      throw eof("the input ends inside the sample's header (feature and target counts)", e);
    }
    checkReadCount(nf, "feature");
    checkReadCount(nt, "target");
    int byteCount = 4 * (nf + nt); // at most 2^27: no overflow
    byte[] b;
    try {
      b = readValues(in, byteCount);
    } catch (EOFException e) {
      clear();
      throw eof("the input ends inside the values of a sample of " + nf + " features and " + nt
          + " targets (" + byteCount + " bytes expected)", e);
    }
    float[] f = features.length == nf ? features : new float[nf];
    float[] t = targets.length == nt ? targets : new float[nt];
    ByteBuffer.wrap(b, 0, byteCount).asFloatBuffer().get(f).get(t);
    String bad = firstNonFinite(f, "feature");
    if (bad == null) {
      bad = firstNonFinite(t, "target");
    }
    if (bad != null) {
      clear();
      throw new IOException("corrupt sample: " + bad + "; values must be finite");
    }
    features = f;
    targets = t;
  }

  /** Equal when both hold the same floats bit for bit ({@link Float#floatToIntBits} semantics). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SampleWritable)) {
      return false;
    }
    SampleWritable s = (SampleWritable) o;
    return Arrays.equals(features, s.features) && Arrays.equals(targets, s.targets);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(features) + Arrays.hashCode(targets);
  }

  @Override
  public String toString() {
    return "SampleWritable[" + features.length + " features, " + targets.length + " targets]";
  }

  private void clear() {
    features = EMPTY;
    targets = EMPTY;
  }

  private byte[] scratch(int n) {
    if (bytes.length < n) {
      bytes = new byte[n];
    }
    return bytes;
  }

  /**
   * Reads {@code byteCount} bytes into the scratch buffer and returns it. The count comes from
   * the input, so a buffer too small for it grows only as fast as bytes actually arrive
   * (doubling, from {@link #READ_CHUNK}): a corrupt header claiming 2^24 floats in front of a few
   * bytes costs one chunk, not 128 MiB.
   */
  private byte[] readValues(DataInput in, int byteCount) throws IOException {
    if (bytes.length >= byteCount) {
      in.readFully(bytes, 0, byteCount);
      return bytes;
    }
    int have = 0;
    while (have < byteCount) {
      if (have == bytes.length) {
        bytes = Arrays.copyOf(bytes,
            (int) Math.min(byteCount, Math.max(READ_CHUNK, 2L * bytes.length)));
      }
      int k = Math.min(byteCount, bytes.length) - have;
      in.readFully(bytes, have, k);
      have += k;
    }
    return bytes;
  }

  private static float[] copyInto(float[] dst, float[] src) {
    if (dst.length != src.length || dst == EMPTY) {
      return src.length == 0 ? EMPTY : src.clone();
    }
    System.arraycopy(src, 0, dst, 0, src.length);
    return dst;
  }

  private static void checkCount(int n, String what) {
    if (n > MAX_COUNT) {
      throw new IllegalArgumentException(
          n + " " + what + " in one sample; at most " + MAX_COUNT + " can be read back");
    }
  }

  private static void checkReadCount(int n, String what) throws IOException {
    if (n < 0 || n > MAX_COUNT) {
      throw new IOException("corrupt sample: its " + what + " count is " + n
          + ", outside [0, " + MAX_COUNT + "]");
    }
  }

  private static void checkFinite(float[] a, String what) {
    String bad = firstNonFinite(a, what);
    if (bad != null) {
      throw new IllegalArgumentException(bad + "; values must be finite");
    }
  }

  private static String firstNonFinite(float[] a, String what) {
    for (int i = 0; i < a.length; i++) {
      if (!Float.isFinite(a[i])) {
        return what + " " + i + " is " + a[i];
      }
    }
    return null;
  }

  private static EOFException eof(String message, EOFException cause) {
    EOFException e = new EOFException("truncated sample: " + message);
    e.initCause(cause);
    return e;
  }
}
