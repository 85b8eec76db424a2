package io.horn.paramserver.collective;

/**
 * The 16-bit floats of the wire formats, bit by bit: bfloat16 (the upper half of a binary32)
 * and IEEE 754 binary16, both rounded to nearest with ties to even, NaNs kept quiet NaNs and
 * infinities kept. JDK 17 has no {@code Float.floatToFloat16}. Stateless; thread-safe.
 */
final class HalfFloats {
  private HalfFloats() {}

  // ---- bfloat16 -------------------------------------------------------------------------------

  /** The bfloat16 nearest {@code f}, ties to even; a NaN stays a quiet NaN. */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
      // NaN: truncate instead of rounding (rounding 0x7FFFFFFF would carry into the sign bit)
      // and set the quiet bit, since a payload only in the low half truncates to infinity.
      return (short) ((bits >>> 16) | 0x0040);
    }
    // Adding 0x7FFF rounds halves down and everything above up; adding the kept part's lowest
    // bit as well makes exact halves go to the even neighbour. A carry into the exponent is the
    // correct result, up to and including infinity for the largest floats.
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }

  /** The float a bfloat16 stands for; exact, since bfloat16 is the upper half of a float. */
  static float fromBf16(short h) {
    return Float.intBitsToFloat(h << 16);
  }

  // ---- IEEE 754 binary16 ----------------------------------------------------------------------

  /** Float bits of 2^-14, the smallest normal half: below it halves are subnormal. */
  private static final int HALF_MIN_NORMAL_BITS = 0x3880_0000;

  /** Float bits of 65520, half-way between 65504 (largest half) and 65536: from there on, inf. */
  private static final int HALF_OVERFLOW_BITS = 0x477F_F000;

  /** 0.5f, whose unit in the last place is 2^-24, the spacing of the half subnormals. */
  private static final float HALF_SUBNORMAL_MAGIC = 0.5f;

  /** The binary16 nearest {@code f}, ties to even, as raw bits; a NaN stays a quiet NaN. */
  static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7FFF_FFFF;
    if (abs >= HALF_OVERFLOW_BITS) {
      if (abs > 0x7F80_0000) {
        // NaN: keep the payload's top bits and set the quiet bit so it cannot become infinity.
        return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
      }
      return (short) (sign | 0x7C00); // overflow and infinity
    }
    if (abs >= HALF_MIN_NORMAL_BITS) {
      // Rebias the exponent (127 -> 15), then drop 13 significand bits rounding to nearest
      // even as toBf16 does; a carry out of the significand steps the exponent correctly.
      int v = abs - ((127 - 15) << 23);
      v += 0x0FFF + ((v >>> 13) & 1);
      return (short) (sign | (v >>> 13));
    }
    // Subnormal half (or zero): adding 0.5f makes the float unit round |f| to a multiple of
    // 2^-24 with IEEE round-to-nearest-even, which is the subnormal half's significand; it sits
    // in the sum's low bits. Exact for every float, float subnormals included.
    float sum = Float.intBitsToFloat(abs) + HALF_SUBNORMAL_MAGIC;
    return (short) (sign | (Float.floatToRawIntBits(sum) - Float.floatToRawIntBits(0.5f)));
  }

  /**
   * Every binary16's float, indexed by its 16 bits (256 KiB): decoding by table is about four
   * times as fast as calling {@link #fromHalf} per value (650,000 values: 220 us vs 810 us),
   * and a gradient, spanning a few exponents, keeps only a small part of it in cache. A holder
   * class, so only a JVM that uses FP16 builds it.
   */
  static final class HalfTable {
    static final float[] TO_FLOAT = new float[1 << 16];

    static {
      for (int h = 0; h < TO_FLOAT.length; h++) {
        TO_FLOAT[h] = fromHalf((short) h);
      }
    }

    private HalfTable() {}
  }

  /** The float a binary16 stands for; exact, every half is a float. */
  static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0x1F) {
      // Infinity (mant 0) or NaN with its payload moved up, so a NaN stays a NaN.
      return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
    }
    if (exp != 0) {
      return Float.intBitsToFloat(sign | ((exp + 127 - 15) << 23) | (mant << 13));
    }
    // Zero or subnormal: mant * 2^-24, exact since mant has at most 10 bits.
    float v = mant * 0x1p-24f;
    return sign != 0 ? -v : v;
  }
}
