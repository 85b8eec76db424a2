package io.horn.paramserver.collective;

import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Locale;
import java.util.Objects;

/**
 * How gradient and weight values travel between the tasks of a group: as IEEE 754 binary32
 * ({@link #FP32}, exact), as bfloat16 ({@link #BF16}) or as IEEE 754 binary16 ({@link #FP16}).
 * The two 16-bit formats halve the bytes a collective moves at the price of rounding each value.
 *
 * <p>Contract shared by every format:
 *
 * <ul>
 *   <li>Values are little-endian on the wire, so every buffer passed in must have {@link
 *       ByteOrder#LITTLE_ENDIAN} order; a big-endian one is rejected with an {@link
 *       IllegalArgumentException} instead of being silently read the other way round.
 *   <li>{@code encode}, {@code decode} and {@code decodeAdd} work at the buffer's position and
 *       advance it by {@code n * }{@link #bytesPerValue()}. Every argument, the byte order and the
 *       room in the buffer are checked before anything is read or written, so a call that throws
 *       leaves the buffer's position and the array unchanged.
 *   <li>Narrowing rounds to nearest, ties to even, as IEEE 754 arithmetic does, so a value's
 *       error is at most half a unit in the last place of the 16-bit format. NaN stays a (quiet)
 *       NaN, infinities stay infinities, and the sign of zero is kept. {@link #round} applies
 *       exactly the rounding a round trip would, so the sender can keep what the receivers get.
 *   <li>{@code decode(encode(x))} is the same for every host and JVM: the conversions are done
 *       on the bits, not with hardware instructions whose NaN handling differs.
 * </ul>
 *
 * <p>Thread-safety: stateless and immutable. The constants hold no mutable state (the only
 * shared data, FP16's decoding table, is built once when first used and never written again),
 * so any number of threads may use the same constant at once, as long as each works on its own
 * buffers and arrays.
 */
public enum WireFormat {
  /** IEEE 754 binary32, four bytes a value: exact, what the tasks compute in. */
  FP32(4) {
    @Override
    void encodeChecked(float[] src, int off, int n, ByteBuffer dst) {
      // A little-endian float view of a little-endian buffer copies the array in bulk (a
      // memcpy on little-endian hosts) instead of converting value by value.
      int pos = dst.position();
      dst.asFloatBuffer().put(src, off, n);
      dst.position(pos + 4 * n);
    }

    @Override
    void decodeChecked(ByteBuffer src, float[] dst, int off, int n) {
      int pos = src.position();
      src.asFloatBuffer().get(dst, off, n);
      src.position(pos + 4 * n);
    }

    @Override
    void decodeAddChecked(ByteBuffer src, float[] dst, int off, int n) {
      // Absolute gets on the float view in a counted loop. Measured (JDK 17, 650,000 values,
      // best of many runs) against absolute getFloat on the ByteBuffer and against a bulk copy
      // into a thread-local 4096-float scratch array followed by an add loop: direct buffer
      // 194 us vs 238 us vs 245 us, heap buffer 209 us vs 210 us vs 250 us; per 65,536-value
      // piece 20 vs 21 vs 23 us. The scratch array loses because JDK 17 does not vectorise an
      // add loop whose two arrays have different offsets, so the extra copy is pure cost.
      int pos = src.position();
      FloatBuffer view = src.asFloatBuffer();
      for (int i = 0; i < n; i++) {
        dst[off + i] += view.get(i);
      }
      src.position(pos + 4 * n);
    }

    @Override
    void roundChecked(float[] a, int off, int n) {
      // FP32 carries every float as it is.
    }

    @Override
    public float round(float x) {
      return x;
    }
  },

  /**
   * bfloat16, two bytes a value: the upper half of a binary32, so the float's full exponent
   * range (no overflow short of infinity, no extra underflow) with an 8-bit significand.
   */
  BF16(2) {
    @Override
    void encodeChecked(float[] src, int off, int n, ByteBuffer dst) {
      int pos = dst.position();
      ShortBuffer view = dst.asShortBuffer();
      for (int i = 0; i < n; i++) {
        view.put(i, HalfFloats.toBf16(src[off + i]));
      }
      dst.position(pos + 2 * n);
    }

    @Override
    void decodeChecked(ByteBuffer src, float[] dst, int off, int n) {
      int pos = src.position();
      ShortBuffer view = src.asShortBuffer();
      for (int i = 0; i < n; i++) {
        dst[off + i] = HalfFloats.fromBf16(view.get(i));
      }
      src.position(pos + 2 * n);
    }

    @Override
    void decodeAddChecked(ByteBuffer src, float[] dst, int off, int n) {
      int pos = src.position();
      ShortBuffer view = src.asShortBuffer();
      for (int i = 0; i < n; i++) {
        dst[off + i] += HalfFloats.fromBf16(view.get(i));
      }
      src.position(pos + 2 * n);
    }

    @Override
    void roundChecked(float[] a, int off, int n) {
      for (int i = off, end = off + n; i < end; i++) {
        a[i] = HalfFloats.fromBf16(HalfFloats.toBf16(a[i]));
      }
    }

    @Override
    public float round(float x) {
      return HalfFloats.fromBf16(HalfFloats.toBf16(x));
    }
  },

  /**
   * IEEE 754 binary16, two bytes a value: an 11-bit significand but a narrow range, largest
   * finite value 65504 and subnormals below 2<sup>-14</sup>; larger magnitudes become infinity.
   */
  FP16(2) {
    @Override
    void encodeChecked(float[] src, int off, int n, ByteBuffer dst) {
      int pos = dst.position();
      ShortBuffer view = dst.asShortBuffer();
      for (int i = 0; i < n; i++) {
        view.put(i, HalfFloats.toHalf(src[off + i]));
      }
      dst.position(pos + 2 * n);
    }

    @Override
    void decodeChecked(ByteBuffer src, float[] dst, int off, int n) {
      int pos = src.position();
      ShortBuffer view = src.asShortBuffer();
      float[] table = HalfFloats.HalfTable.TO_FLOAT;
      for (int i = 0; i < n; i++) {
        dst[off + i] = table[view.get(i) & 0xFFFF];
      }
      src.position(pos + 2 * n);
    }

    @Override
    void decodeAddChecked(ByteBuffer src, float[] dst, int off, int n) {
      int pos = src.position();
      ShortBuffer view = src.asShortBuffer();
      float[] table = HalfFloats.HalfTable.TO_FLOAT;
      for (int i = 0; i < n; i++) {
        dst[off + i] += table[view.get(i) & 0xFFFF];
      }
      src.position(pos + 2 * n);
    }

    @Override
    void roundChecked(float[] a, int off, int n) {
      float[] table = HalfFloats.HalfTable.TO_FLOAT;
      for (int i = off, end = off + n; i < end; i++) {
        a[i] = table[HalfFloats.toHalf(a[i]) & 0xFFFF];
      }
    }

    @Override
    public float round(float x) {
      return HalfFloats.HalfTable.TO_FLOAT[HalfFloats.toHalf(x) & 0xFFFF];
    }
  };

  private final int bytesPerValue;

  WireFormat(int bytesPerValue) {
    this.bytesPerValue = bytesPerValue;
  }

  /**
   * Bytes one value takes on the wire: 4 for {@link #FP32}, 2 for {@link #BF16} and {@link
   * #FP16}.
   */
  public int bytesPerValue() {
    return bytesPerValue;
  }

  /**
   * Writes {@code src[off, off + n)} in this format at {@code dst}'s position and advances the
   * position by {@code n * bytesPerValue()}.
   *
   * @param dst a buffer in {@link ByteOrder#LITTLE_ENDIAN} order with at least {@code n *
   *     bytesPerValue()} bytes remaining
   * @throws IllegalArgumentException if {@code dst} is big-endian or {@code n} is negative
   * @throws IndexOutOfBoundsException if {@code [off, off + n)} is not inside {@code src}
   * @throws BufferOverflowException if {@code dst} has too little room; nothing is written
   * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
   */
  public void encode(float[] src, int off, int n, ByteBuffer dst) {
    Objects.requireNonNull(src, "src");
    checkBuffer(dst, "dst");
    checkRange(src, off, n);
    if (dst.remaining() < bytesFor(n)) {
      throw new BufferOverflowException();
    }
    encodeChecked(src, off, n, dst);
  }

  /**
   * Reads {@code n} values in this format at {@code src}'s position into {@code dst[off, off +
   * n)} and advances the position by {@code n * bytesPerValue()}.
   *
   * @param src a buffer in {@link ByteOrder#LITTLE_ENDIAN} order with at least {@code n *
   *     bytesPerValue()} bytes remaining
   * @throws IllegalArgumentException if {@code src} is big-endian or {@code n} is negative
   * @throws IndexOutOfBoundsException if {@code [off, off + n)} is not inside {@code dst}
   * @throws BufferUnderflowException if {@code src} holds too few bytes; nothing is read
   */
  public void decode(ByteBuffer src, float[] dst, int off, int n) {
    checkBuffer(src, "src");
    Objects.requireNonNull(dst, "dst");
    checkRange(dst, off, n);
    if (src.remaining() < bytesFor(n)) {
      throw new BufferUnderflowException();
    }
    decodeChecked(src, dst, off, n);
  }

  /**
   * Reads {@code n} values like {@link #decode} but adds each to what {@code dst} holds: {@code
   * dst[off + i] += value}, one float addition (one rounding) per value, so the result is bit for
   * bit what {@code decode} into a scratch array followed by an add loop would give, without the
   * scratch array.
   *
   * @throws IllegalArgumentException if {@code src} is big-endian or {@code n} is negative
   * @throws IndexOutOfBoundsException if {@code [off, off + n)} is not inside {@code dst}
   * @throws BufferUnderflowException if {@code src} holds too few bytes; nothing is read
   */
  public void decodeAdd(ByteBuffer src, float[] dst, int off, int n) {
    checkBuffer(src, "src");
    Objects.requireNonNull(dst, "dst");
    checkRange(dst, off, n);
    if (src.remaining() < bytesFor(n)) {
      throw new BufferUnderflowException();
    }
    decodeAddChecked(src, dst, off, n);
  }

  /**
   * Rounds {@code a[off, off + n)} in place to what the wire would carry: each value becomes
   * what {@code decode} of its {@code encode} gives. The identity for {@link #FP32}. A sender
   * that rounds its own copy this way holds the same bits as its receivers.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   * @throws IndexOutOfBoundsException if {@code [off, off + n)} is not inside {@code a}
   */
  public void round(float[] a, int off, int n) {
    Objects.requireNonNull(a, "a");
    checkRange(a, off, n);
    roundChecked(a, off, n);
  }

  /**
   * One value rounded to what the wire would carry: {@code round(new float[] {x}, 0, 1)} without
   * the array, for code that combines values one at a time in a fixed order. The identity for
   * {@link #FP32}.
   */
  public abstract float round(float x);

  /**
   * The format a configuration value names: {@code none} or {@code fp32} (values go as they
   * are), {@code bf16} or {@code fp16}, ignoring case and surrounding blanks.
   *
   * @throws IllegalArgumentException naming the value and the allowed ones, for any other text
   *     (also for {@code null})
   */
  public static WireFormat parse(String s) {
    String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "none":
      case "fp32":
        return FP32;
      case "bf16":
        return BF16;
      case "fp16":
        return FP16;
      default:
        throw new IllegalArgumentException("unknown wire format "
            + (s == null ? "null" : "'" + s + "'") + "; allowed: none, fp32, bf16, fp16");
    }
  }

  abstract void encodeChecked(float[] src, int off, int n, ByteBuffer dst);

  abstract void decodeChecked(ByteBuffer src, float[] dst, int off, int n);

  abstract void decodeAddChecked(ByteBuffer src, float[] dst, int off, int n);

  abstract void roundChecked(float[] a, int off, int n);

  /** In a long: n * 4 overflows an int for arrays above 512 M values. */
  private long bytesFor(int n) {
    return (long) n * bytesPerValue;
  }

  private static void checkBuffer(ByteBuffer b, String name) {
    Objects.requireNonNull(b, name);
    // Read the other way round, every value would be garbage without any error, so refuse.
    if (b.order() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalArgumentException(name + " has " + b.order()
          + " byte order; the wire is little-endian: call order(ByteOrder.LITTLE_ENDIAN) on it");
    }
  }

  private static void checkRange(float[] a, int off, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative value count " + n);
    }
    Objects.checkFromIndexSize(off, n, a.length);
  }
}
