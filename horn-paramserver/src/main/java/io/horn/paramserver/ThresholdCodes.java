package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.IntBuffer;

/**
 * Threshold encoding of pushes (Strom, "Scalable distributed DNN training using commodity GPU
 * cloud computing", Interspeech 2015; the scheme DL4J's parameter averaging uses): a delta is
 * sent as the indices of its values whose magnitude reached the threshold τ, each standing for
 * ±τ. A code is {@code +(i+1)} for {@code +τ} at index {@code i} and {@code -(i+1)} for
 * {@code -τ}; 0 is never a code. What was not sent stays with the sender as a residual and is
 * added to its next delta, so no update is lost, only delayed.
 *
 * <p>Static helpers; thread-safe.
 */
public final class ThresholdCodes {
  private ThresholdCodes() {}

  /**
   * Checks {@code count} codes of {@code codes} for a vector of {@code n} and the threshold;
   * returns null when they are valid, else what is wrong.
   */
  public static String check(IntBuffer codes, int count, int n, float threshold) {
    if (!(threshold > 0) || !Float.isFinite(threshold)) {
      return "threshold " + threshold + " (must be finite and > 0)";
    }
    if (count < 0 || count > codes.limit()) {
      return count + " codes in a buffer of " + codes.limit();
    }
    for (int k = 0; k < count; k++) {
      int c = codes.get(k);
      if (c == 0 || c == Integer.MIN_VALUE || Math.abs(c) > n) {
        return "code " + c + " at " + k + " (a vector of " + n + " has codes ±1.." + n + ")";
      }
    }
    return null;
  }

  /**
   * Adds the {@code count} codes (checked) to {@code dense}, which must hold zeros where no
   * code points (as after {@link #clear}).
   */
  public static void decode(IntBuffer codes, int count, float threshold, float[] dense) {
    for (int k = 0; k < count; k++) {
      int c = codes.get(k);
      if (c > 0) {
        dense[c - 1] += threshold;
      } else {
        dense[-c - 1] -= threshold;
      }
    }
  }

  /** Sets back to 0 every entry of {@code dense} that a code points at. */
  public static void clear(IntBuffer codes, int count, float[] dense) {
    for (int k = 0; k < count; k++) {
      dense[Math.abs(codes.get(k)) - 1] = 0;
    }
  }

  /**
   * Decodes a frame's payload — a float32 threshold, then {@code count} int32 codes, little
   * endian, from {@code offset} of {@code frame} — into {@code dense}, which is zeroed first.
   * Returns null when done, else what is wrong with the payload (then {@code dense} holds
   * zeros).
   */
  public static String decodeFrame(java.nio.ByteBuffer frame, int offset, int count,
      float[] dense) {
    float threshold = frame.getFloat(offset);
    IntBuffer codes = frame.duplicate().clear().position(offset + 4).slice()
        .order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    java.util.Arrays.fill(dense, 0f);
    String bad = check(codes, count, dense.length, threshold);
    if (bad == null) {
      decode(codes, count, threshold, dense);
    }
    return bad;
  }

  /**
   * Encodes {@code delta} plus {@code residual} (updated in place: it keeps what is not sent)
   * into {@code codes}; returns the number of codes, or -1 when more than
   * {@code codes.length} values reached the threshold (then {@code residual} holds
   * {@code delta} plus the old residual, all of it unsent).
   */
  public static int encode(float[] delta, float[] residual, float threshold, int[] codes) {
    checkArgument(delta.length == residual.length, "delta %s, residual %s", delta.length,
        residual.length);
    int count = 0;
    boolean full = false;
    for (int i = 0; i < delta.length; i++) {
      float r = residual[i] + delta[i];
      if (!full && r >= threshold) {
        if (count == codes.length) {
          full = true;
        } else {
          codes[count++] = i + 1;
          r -= threshold;
        }
      } else if (!full && r <= -threshold) {
        if (count == codes.length) {
          full = true;
        } else {
          codes[count++] = -(i + 1);
          r += threshold;
        }
      }
      residual[i] = r;
    }
    if (full) {
      // Undo what was taken out: the caller sends the whole of it densely instead.
      for (int k = 0; k < count; k++) {
        int c = codes[k];
        residual[Math.abs(c) - 1] += c > 0 ? threshold : -threshold;
      }
      return -1;
    }
    return count;
  }
}
