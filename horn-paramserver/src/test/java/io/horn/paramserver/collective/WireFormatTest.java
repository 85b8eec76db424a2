package io.horn.paramserver.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The conversions are checked against references written here from the formats' definitions
 * (values as exact doubles, nearest by comparison with the exact midpoint), not against the
 * bit tricks of {@link WireFormat}: every 16-bit pattern, every rounding boundary and a million
 * random floats. Doubles are exact for all of it: halves, bfloat16s, floats and the midpoints
 * between neighbours all have far fewer than 53 significant bits.
 */
class WireFormatTest {
  private static final WireFormat[] ALL = WireFormat.values();
  private static final int LARGEST_FINITE_HALF = 0x7BFF;
  private static final int LARGEST_FINITE_BF16 = 0x7F7F;

  // ---- references ----------------------------------------------------------------------------

  /** The value of a non-negative finite half, from the binary16 definition. */
  static double halfValue(int h) {
    int e = h >>> 10;
    int m = h & 0x3FF;
    return e == 0 ? Math.scalb((double) m, -24) : Math.scalb((double) (1024 + m), e - 25);
  }

  /** Any half's float: the definition, with infinities and NaNs spelled out. */
  static float referenceHalfToFloat(int h) {
    boolean negative = (h & 0x8000) != 0;
    int a = h & 0x7FFF;
    float v;
    if (a == 0x7C00) {
      v = Float.POSITIVE_INFINITY;
    } else if (a > 0x7C00) {
      v = Float.NaN;
    } else {
      v = (float) halfValue(a); // exact: every half is a float
    }
    return negative ? -v : v;
  }

  /** The half nearest {@code x}, ties to the even one; values from 65520 up overflow. */
  static int referenceFloatToHalf(float x) {
    int sign = Float.floatToRawIntBits(x) < 0 ? 0x8000 : 0;
    double a = Math.abs((double) x);
    // 65520 is the midpoint between 65504 (odd significand) and 2^16, where the exponent
    // runs out: the tie goes to the even side, infinity, and so does everything above it.
    if (a >= 65520) {
      return sign | 0x7C00;
    }
    int lo = 0;
    int hi = LARGEST_FINITE_HALF;
    while (lo < hi) { // the largest half not above a
      int mid = (lo + hi + 1) >>> 1;
      if (halfValue(mid) <= a) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    double down = halfValue(lo);
    double up = lo == LARGEST_FINITE_HALF ? 65536 : halfValue(lo + 1);
    return sign | nearestEven(a, down, up, lo);
  }

  /** The bfloat16 nearest {@code x}, ties to even; beyond the largest one's midpoint, inf. */
  static int referenceFloatToBf16(float x) {
    int bits = Float.floatToRawIntBits(x);
    int sign = (bits >>> 16) & 0x8000;
    int a = bits & 0x7FFF_FFFF;
    if (a == 0x7F80_0000) {
      return sign | 0x7F80;
    }
    int down = a >>> 16; // the bfloat16 below: the float with its low half dropped
    double downValue = Float.intBitsToFloat(down << 16);
    // Above the largest bfloat16 lies infinity; as a neighbour for rounding it counts as 2^128.
    double upValue = down == LARGEST_FINITE_BF16
        ? Math.scalb(1.0, 128) : Float.intBitsToFloat((down + 1) << 16);
    return sign | nearestEven(Math.abs((double) x), downValue, upValue, down);
  }

  /** {@code lo} or {@code lo + 1}, whichever value is nearer {@code a}; on a tie, the even. */
  private static int nearestEven(double a, double down, double up, int lo) {
    double mid = (down + up) / 2; // exact, see the class comment
    if (a < mid) {
      return lo;
    }
    if (a > mid) {
      return lo + 1;
    }
    return (lo & 1) == 0 ? lo : lo + 1;
  }

  // ---- helpers -------------------------------------------------------------------------------

  static ByteBuffer le(int capacity, boolean direct) {
    ByteBuffer b = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The 16-bit patterns {@code f} writes for {@code values}. */
  static int[] encodeAll(WireFormat f, float[] values) {
    ByteBuffer b = le(values.length * 2, false);
    f.encode(values, 0, values.length, b);
    assertEquals(b.capacity(), b.position());
    int[] out = new int[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getShort(2 * i) & 0xFFFF;
    }
    return out;
  }

  /** What {@code f} reads from the 16-bit patterns {@code bits}. */
  static float[] decodeAll(WireFormat f, int[] bits) {
    ByteBuffer b = le(bits.length * 2, false);
    for (int i = 0; i < bits.length; i++) {
      b.putShort(2 * i, (short) bits[i]);
    }
    float[] out = new float[bits.length];
    f.decode(b, out, 0, out.length);
    assertEquals(b.capacity(), b.position());
    return out;
  }

  static int[] allPatterns() {
    int[] h = new int[1 << 16];
    for (int i = 0; i < h.length; i++) {
      h[i] = i;
    }
    return h;
  }

  /** Equal bits, except that any NaN equals any NaN (payloads are not part of the contract). */
  static void assertSameFloat(float expected, float actual, String what) {
    if (Float.isNaN(expected) && Float.isNaN(actual)) {
      return;
    }
    if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
      fail(what + ": expected " + expected + " (0x" + Integer.toHexString(
          Float.floatToRawIntBits(expected)) + ") but was " + actual + " (0x"
          + Integer.toHexString(Float.floatToRawIntBits(actual)) + ")");
    }
  }

  /** A reference conversion: a float to the 16-bit pattern the format should carry. */
  interface Reference {
    int of(float x);
  }

  /**
   * For every value: the pattern {@code reference} gives, or for a NaN any pattern that decodes
   * to NaN and has the format's quiet bit set.
   */
  static void assertEncodes(WireFormat f, float[] values, int quietBit, Reference reference) {
    int[] got = encodeAll(f, values);
    for (int i = 0; i < values.length; i++) {
      float x = values[i];
      if (Float.isNaN(x)) {
        assertTrue(Float.isNaN(decodeAll(f, new int[] {got[i]})[0]) && (got[i] & quietBit) != 0,
            f + " turned NaN 0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + " into 0x"
                + Integer.toHexString(got[i]));
        continue;
      }
      int want = reference.of(x);
      if (got[i] != want) {
        fail(f + " encodes " + x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x))
            + ") as 0x" + Integer.toHexString(got[i]) + ", want 0x" + Integer.toHexString(want));
      }
    }
  }

  /** Values around each boundary between neighbours: both, the midpoint and its neighbours. */
  static float[] boundaries(double[] ascending) {
    float[] out = new float[ascending.length * 5 * 2];
    int k = 0;
    for (int i = 0; i < ascending.length; i++) {
      float v = (float) ascending[i];
      float mid = i + 1 < ascending.length
          ? (float) ((ascending[i] + ascending[i + 1]) / 2) : Math.nextUp(v);
      for (float x : new float[] {v, mid, Math.nextUp(mid), Math.nextDown(mid),
          Math.nextUp(v)}) {
        out[k++] = x;
        out[k++] = -x;
      }
    }
    return out;
  }

  static float[] randomBitPatterns(long seed, int n) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = Float.intBitsToFloat(r.nextInt());
    }
    return out;
  }

  /** Random floats whose magnitudes cover the half range, subnormals and overflow included. */
  static float[] randomInHalfRange(long seed, int n) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      int exponent = 100 + r.nextInt(46); // 2^-27 .. 2^18
      out[i] = Float.intBitsToFloat((r.nextInt() & 0x807F_FFFF) | (exponent << 23));
    }
    return out;
  }

  /** Gradient-like values with every special thrown in. */
  static float[] mixed(long seed, int n) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 8));
    }
    float[] specials = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7F80_0001),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.MIN_VALUE, -Float.MIN_NORMAL, 65504f, 65520f, 0x1p-25f, 0x1p-24f, 1f + 0x1p-11f};
    System.arraycopy(specials, 0, out, 0, Math.min(specials.length, n));
    return out;
  }

  // ---- FP16 ----------------------------------------------------------------------------------

  @Test
  void fp16DecodesEveryPatternAsDefined() {
    float[] got = decodeAll(WireFormat.FP16, allPatterns());
    for (int h = 0; h < got.length; h++) {
      assertSameFloat(referenceHalfToFloat(h), got[h], "half 0x" + Integer.toHexString(h));
    }
    // Spot checks of the reference itself, so that a shared mistake cannot hide.
    assertEquals(1f, got[0x3C00]);
    assertEquals(65504f, got[0x7BFF]);
    assertEquals(0x1p-24f, got[0x0001]);
    assertEquals(0x1p-14f, got[0x0400]);
    assertEquals(-2f, got[0xC000]);
    assertEquals(Float.NEGATIVE_INFINITY, got[0xFC00]);
    assertTrue(Float.isNaN(got[0x7C01]) && Float.isNaN(got[0xFE00]));
    assertEquals(0x8000_0000, Float.floatToRawIntBits(got[0x8000]));
  }

  @Test
  void fp16EncodeOfEveryDecodedHalfGivesItBack() {
    int[] all = allPatterns();
    int[] back = encodeAll(WireFormat.FP16, decodeAll(WireFormat.FP16, all));
    for (int h = 0; h < all.length; h++) {
      if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) {
        assertTrue((back[h] & 0x7C00) == 0x7C00 && (back[h] & 0x3FF) != 0, "NaN stays NaN");
      } else {
        assertEquals(h, back[h], "half 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void fp16RoundsToNearestEvenAtEveryBoundary() {
    double[] halves = new double[LARGEST_FINITE_HALF + 2];
    for (int h = 0; h <= LARGEST_FINITE_HALF; h++) {
      halves[h] = halfValue(h);
    }
    halves[LARGEST_FINITE_HALF + 1] = 65536; // where overflow starts, as a neighbour
    assertEncodes(WireFormat.FP16, boundaries(halves), 0x0200,
        WireFormatTest::referenceFloatToHalf);
  }

  @Test
  void fp16MatchesTheReferenceOnRandomFloats() {
    assertEncodes(WireFormat.FP16, randomBitPatterns(1, 1 << 19), 0x0200,
        WireFormatTest::referenceFloatToHalf);
    assertEncodes(WireFormat.FP16, randomInHalfRange(2, 1 << 19), 0x0200,
        WireFormatTest::referenceFloatToHalf);
  }

  @Test
  void fp16NamedCases() {
    float[] x = {
      1f + 0x1p-11f, // tie between 1 (even) and 1 + 2^-10
      1f + 3 * 0x1p-11f, // tie between 1 + 2^-10 (odd) and 1 + 2^-9 (even)
      65504f, Math.nextDown(65520f), // largest half, and just below the overflow midpoint
      65520f, 1e10f, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, // overflow and infinity
      0x1p-25f, // tie between 0 (even) and the smallest subnormal
      Math.nextUp(0x1p-25f), 0x1p-24f, 3 * 0x1p-25f, // up to 1, 1, tie 1|2 -> 2
      1023.5f * 0x1p-24f, // tie between the largest subnormal (odd) and the smallest normal
      Float.MIN_VALUE, -Float.MIN_VALUE, -0f, // underflow keeps the sign
      -1.5f,
    };
    int[] want = {0x3C00, 0x3C02, 0x7BFF, 0x7BFF, 0x7C00, 0x7C00, 0x7C00, 0xFC00, 0x0000, 0x0001,
        0x0001, 0x0002, 0x0400, 0x0000, 0x8000, 0x8000, 0xBE00};
    assertArrayEquals(want, encodeAll(WireFormat.FP16, x));
  }

  @Test
  void fp16KeepsNaNsNaN() {
    // A payload only in the low bits would truncate to infinity: the quiet bit prevents that.
    float[] nans = {Float.NaN, Float.intBitsToFloat(0x7F80_0001), Float.intBitsToFloat(0xFF80_0001),
        Float.intBitsToFloat(0x7FFF_FFFF), Float.intBitsToFloat(0xFFC0_0000)};
    int[] h = encodeAll(WireFormat.FP16, nans);
    float[] back = decodeAll(WireFormat.FP16, h);
    for (int i = 0; i < nans.length; i++) {
      assertEquals(0x7E00, h[i] & 0x7E00, "quiet NaN 0x" + Integer.toHexString(h[i]));
      assertTrue(Float.isNaN(back[i]));
      assertEquals(Float.floatToRawIntBits(nans[i]) < 0, (h[i] & 0x8000) != 0, "sign kept");
    }
  }

  // ---- BF16 ----------------------------------------------------------------------------------

  @Test
  void bf16DecodesEveryPatternAsTheUpperHalfOfAFloat() {
    float[] got = decodeAll(WireFormat.BF16, allPatterns());
    for (int h = 0; h < got.length; h++) {
      assertSameFloat(Float.intBitsToFloat(h << 16), got[h], "bf16 0x" + Integer.toHexString(h));
    }
    assertEquals(1f, got[0x3F80]);
    assertEquals(Float.POSITIVE_INFINITY, got[0x7F80]);
    assertTrue(Float.isNaN(got[0x7F81]));
  }

  @Test
  void bf16EncodeOfEveryDecodedValueGivesItBack() {
    int[] all = allPatterns();
    int[] back = encodeAll(WireFormat.BF16, decodeAll(WireFormat.BF16, all));
    for (int h = 0; h < all.length; h++) {
      if ((h & 0x7F80) == 0x7F80 && (h & 0x7F) != 0) {
        assertTrue((back[h] & 0x7F80) == 0x7F80 && (back[h] & 0x7F) != 0, "NaN stays NaN");
      } else {
        assertEquals(h, back[h], "bf16 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void bf16RoundsToNearestEvenAtEveryBoundary() {
    double[] values = new double[LARGEST_FINITE_BF16 + 2];
    for (int h = 0; h <= LARGEST_FINITE_BF16; h++) {
      values[h] = Float.intBitsToFloat(h << 16);
    }
    // The midpoint between the largest bfloat16 and 2^128 is a float; past it, infinity.
    values[LARGEST_FINITE_BF16 + 1] = Math.scalb(1.0, 128);
    assertEncodes(WireFormat.BF16, boundaries(values), 0x0040,
        WireFormatTest::referenceFloatToBf16);
  }

  @Test
  void bf16MatchesTheReferenceOnRandomFloats() {
    assertEncodes(WireFormat.BF16, randomBitPatterns(3, 1 << 20), 0x0040,
        WireFormatTest::referenceFloatToBf16);
  }

  @Test
  void bf16NamedCases() {
    float[] x = {
      1f + 0x1p-8f, // tie between 1 (even) and 1 + 2^-7
      1f + 3 * 0x1p-8f, // tie between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
      Math.nextUp(1f + 0x1p-8f), // just above a tie: up
      Float.intBitsToFloat(0x7F7F_7FFF), // just below the overflow midpoint: largest finite
      Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
      Float.MIN_VALUE, -0f, -2.5f,
    };
    int[] want = {0x3F80, 0x3F82, 0x3F81, 0x7F7F, 0x7F80, 0x7F80, 0xFF80, 0x0000, 0x8000,
        0xC020};
    assertArrayEquals(want, encodeAll(WireFormat.BF16, x));
  }

  @Test
  void bf16KeepsNaNsNaN() {
    // 0x7F800001 truncates to infinity, and 0x7FFFFFFF would round into the sign bit.
    float[] nans = {Float.NaN, Float.intBitsToFloat(0x7F80_0001), Float.intBitsToFloat(0xFF80_0001),
        Float.intBitsToFloat(0x7FFF_FFFF)};
    int[] h = encodeAll(WireFormat.BF16, nans);
    float[] back = decodeAll(WireFormat.BF16, h);
    for (int i = 0; i < nans.length; i++) {
      assertEquals(0x7FC0, h[i] & 0x7FC0, "quiet NaN 0x" + Integer.toHexString(h[i]));
      assertTrue(Float.isNaN(back[i]));
      assertEquals(Float.floatToRawIntBits(nans[i]) < 0, (h[i] & 0x8000) != 0, "sign kept");
    }
  }

  // ---- every format --------------------------------------------------------------------------

  @Test
  void bytesPerValue() {
    assertEquals(4, WireFormat.FP32.bytesPerValue());
    assertEquals(2, WireFormat.BF16.bytesPerValue());
    assertEquals(2, WireFormat.FP16.bytesPerValue());
  }

  @Test
  void wireBytesAreLittleEndian() {
    float[] one = {1f};
    ByteBuffer b = le(4, false);
    WireFormat.FP32.encode(one, 0, 1, b);
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, b.array());
    b = le(2, false);
    WireFormat.BF16.encode(one, 0, 1, b);
    assertArrayEquals(new byte[] {(byte) 0x80, 0x3F}, b.array());
    b = le(2, false);
    WireFormat.FP16.encode(one, 0, 1, b);
    assertArrayEquals(new byte[] {0, 0x3C}, b.array());
  }

  @Test
  void fp32IsExact() {
    float[] x = randomBitPatterns(4, 10_000);
    for (boolean direct : new boolean[] {false, true}) {
      ByteBuffer b = le(4 * x.length, direct);
      WireFormat.FP32.encode(x, 0, x.length, b);
      b.flip();
      float[] back = new float[x.length];
      WireFormat.FP32.decode(b, back, 0, back.length);
      for (int i = 0; i < x.length; i++) {
        assertSameFloat(x[i], back[i], "fp32 value " + i);
      }
      float[] copy = x.clone();
      WireFormat.FP32.round(copy, 0, copy.length);
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(copy[i]));
        assertSameFloat(x[i], WireFormat.FP32.round(x[i]), "fp32 round(" + x[i] + ")");
      }
    }
  }

  @Test
  void roundIsDecodeOfEncode() {
    float[] x = mixed(5, 50_000);
    for (WireFormat f : ALL) {
      ByteBuffer b = le(x.length * f.bytesPerValue(), false);
      f.encode(x, 0, x.length, b);
      b.flip();
      float[] trip = new float[x.length];
      f.decode(b, trip, 0, trip.length);
      // Round only the middle, to see that the range is respected.
      float[] rounded = x.clone();
      f.round(rounded, 100, x.length - 200);
      for (int i = 0; i < x.length; i++) {
        boolean inside = i >= 100 && i < x.length - 100;
        assertSameFloat(inside ? trip[i] : x[i], rounded[i], f + " round [" + i + "]");
        assertSameFloat(trip[i], f.round(x[i]), f + " round(" + x[i] + ")");
      }
    }
  }

  @Test
  void decodeAddIsDecodeThenAddWithBuffersAtAnOffset() {
    float[] x = mixed(6, 20_000);
    float[] base = mixed(7, 20_000);
    int off = 13;
    int n = 19_000;
    for (WireFormat f : ALL) {
      for (boolean direct : new boolean[] {false, true}) {
        int start = 7; // odd, so values also sit unaligned in the buffer
        ByteBuffer b = le(start + n * f.bytesPerValue() + 5, direct);
        b.position(start);
        f.encode(x, off, n, b);
        assertEquals(start + n * f.bytesPerValue(), b.position());

        ByteBuffer r = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        r.position(start);
        float[] decoded = new float[n + 3];
        f.decode(r, decoded, 3, n);
        assertEquals(b.position(), r.position());

        r.position(start);
        float[] sum = base.clone();
        f.decodeAdd(r, sum, off, n);
        assertEquals(b.position(), r.position());
        for (int i = 0; i < sum.length; i++) {
          boolean inside = i >= off && i < off + n;
          float want = inside ? decoded[3 + i - off] + base[i] : base[i];
          assertSameFloat(want, sum[i], f + (direct ? " direct" : " heap") + " [" + i + "]");
        }
        for (int i = 0; i < n; i++) {
          assertSameFloat(f.round(x[off + i]), decoded[3 + i], f + " decode [" + i + "]");
        }
      }
    }
  }

  @Test
  void encodeTouchesOnlyItsBytesAndDecodeOnlyItsRange() {
    float[] x = {1f, 2f, 3f, 4f, 5f};
    for (WireFormat f : ALL) {
      ByteBuffer b = le(32, false);
      byte[] before = new byte[32];
      Arrays.fill(before, (byte) 0x5A);
      b.put(before).clear();
      b.position(3);
      f.encode(x, 1, 3, b);
      int end = 3 + 3 * f.bytesPerValue();
      assertEquals(end, b.position());
      for (int i = 0; i < 32; i++) {
        if (i < 3 || i >= end) {
          assertEquals((byte) 0x5A, b.get(i), f + " byte " + i);
        }
      }
      b.position(3);
      float[] out = {-1f, -1f, -1f, -1f, -1f};
      f.decode(b, out, 2, 3);
      assertArrayEquals(new float[] {-1f, -1f, 2f, 3f, 4f}, out);
    }
  }

  @Test
  void zeroValuesDoNothing() {
    for (WireFormat f : ALL) {
      ByteBuffer b = le(0, false);
      float[] a = {7f};
      f.encode(a, 1, 0, b);
      f.decode(b, a, 0, 0);
      f.decodeAdd(b, a, 1, 0);
      f.round(a, 0, 0);
      assertEquals(0, b.position());
      assertArrayEquals(new float[] {7f}, a);
    }
  }

  @Test
  void bigEndianBuffersAreRejected() {
    for (WireFormat f : ALL) {
      ByteBuffer big = ByteBuffer.allocate(64).position(4); // big-endian is Java's default
      float[] a = new float[4];
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> f.encode(a, 0, 4, big));
      assertTrue(e.getMessage().contains("BIG_ENDIAN")
          && e.getMessage().contains("LITTLE_ENDIAN"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> f.decode(big, a, 0, 4));
      assertTrue(e.getMessage().contains("BIG_ENDIAN"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> f.decodeAdd(big, a, 0, 4));
      assertTrue(e.getMessage().contains("BIG_ENDIAN"), e.getMessage());
      assertEquals(4, big.position());
    }
  }

  @Test
  void tooSmallBuffersAreRejectedBeforeAnythingMoves() {
    for (WireFormat f : ALL) {
      ByteBuffer b = le(16, false);
      b.position(16 - 3 * f.bytesPerValue() + 1); // one byte short of three values
      float[] a = {1f, 2f, 3f};
      assertThrows(BufferOverflowException.class, () -> f.encode(a, 0, 3, b));
      assertThrows(BufferUnderflowException.class, () -> f.decode(b, a, 0, 3));
      assertThrows(BufferUnderflowException.class, () -> f.decodeAdd(b, a, 0, 3));
      assertEquals(16 - 3 * f.bytesPerValue() + 1, b.position());
      assertArrayEquals(new byte[16], b.array());
      assertArrayEquals(new float[] {1f, 2f, 3f}, a);
    }
  }

  @Test
  void badRangesAreRejected() {
    for (WireFormat f : ALL) {
      ByteBuffer b = le(64, false);
      float[] a = new float[4];
      assertThrows(IndexOutOfBoundsException.class, () -> f.encode(a, 2, 3, b));
      assertThrows(IndexOutOfBoundsException.class, () -> f.decode(b, a, -1, 2));
      assertThrows(IndexOutOfBoundsException.class, () -> f.decodeAdd(b, a, 4, 1));
      assertThrows(IndexOutOfBoundsException.class, () -> f.round(a, 3, 2));
      assertThrows(IllegalArgumentException.class, () -> f.encode(a, 0, -1, b));
      assertThrows(IllegalArgumentException.class, () -> f.round(a, 0, -1));
      assertThrows(NullPointerException.class, () -> f.decode(null, a, 0, 1));
      assertEquals(0, b.position());
    }
  }

  @Test
  void readOnlyBufferIsNotWritten() {
    for (WireFormat f : ALL) {
      ByteBuffer ro = le(16, false).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
      assertThrows(java.nio.ReadOnlyBufferException.class,
          () -> f.encode(new float[] {1f}, 0, 1, ro));
    }
  }

  // ---- parse ---------------------------------------------------------------------------------

  @Test
  void parseAcceptsTheNamesInAnyCase() {
    assertSame(WireFormat.FP32, WireFormat.parse("none"));
    assertSame(WireFormat.FP32, WireFormat.parse("NONE"));
    assertSame(WireFormat.FP32, WireFormat.parse("fp32"));
    assertSame(WireFormat.FP32, WireFormat.parse("Fp32"));
    assertSame(WireFormat.BF16, WireFormat.parse("bf16"));
    assertSame(WireFormat.BF16, WireFormat.parse("BF16"));
    assertSame(WireFormat.FP16, WireFormat.parse("fp16"));
    assertSame(WireFormat.FP16, WireFormat.parse(" FP16 "));
    for (WireFormat f : ALL) {
      assertSame(f, WireFormat.parse(f.name()));
    }
  }

  @Test
  void parseRejectsAnythingElseNamingTheValueAndTheChoices() {
    for (String s : new String[] {"fp8", "", "float16", "bfloat16", "32", "fp 16"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> WireFormat.parse(s));
      assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("none, fp32, bf16, fp16"), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WireFormat.parse(null));
    assertTrue(e.getMessage().contains("null"), e.getMessage());
  }
}
