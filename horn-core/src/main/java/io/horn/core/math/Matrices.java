package io.horn.core.math;

/** Small dense-matrix helpers for column-major float blocks. */
public final class Matrices {
  private static final int TILE = 32;

  private Matrices() {}

  /**
   * {@code dst(c, r) = src(r, c)}: transposes a {@code rows × cols} block (leading dimension
   * {@code srcLd}) into {@code dst} (leading dimension {@code dstLd}), in tiles so that neither
   * side is walked with a cache-hostile stride.
   */
  public static void transpose(float[] src, int srcOff, int srcLd, int rows, int cols,
      float[] dst, int dstOff, int dstLd) {
    for (int c0 = 0; c0 < cols; c0 += TILE) {
      int c1 = Math.min(cols, c0 + TILE);
      for (int r0 = 0; r0 < rows; r0 += TILE) {
        int r1 = Math.min(rows, r0 + TILE);
        for (int c = c0; c < c1; c++) {
          int s = srcOff + c * srcLd;
          for (int r = r0; r < r1; r++) {
            dst[dstOff + r * dstLd + c] = src[s + r];
          }
        }
      }
    }
  }

  /** Like {@link #transpose} but adds into {@code dst}. */
  public static void transposeAdd(double[] src, int srcOff, int srcLd, int rows, int cols,
      float[] dst, int dstOff, int dstLd) {
    transposeAdd(src, srcOff, srcLd, rows, cols, dst, dstOff, dstLd, false);
  }

  /**
   * Like {@link #transposeAdd}, and leaves the block of {@code src} it read at zero, in the same
   * pass: a sum that is added and then cleared for the next step costs one pass over it, not two.
   */
  public static void transposeAddAndClear(double[] src, int srcOff, int srcLd, int rows,
      int cols, float[] dst, int dstOff, int dstLd) {
    transposeAdd(src, srcOff, srcLd, rows, cols, dst, dstOff, dstLd, true);
  }

  private static void transposeAdd(double[] src, int srcOff, int srcLd, int rows, int cols,
      float[] dst, int dstOff, int dstLd, boolean clear) {
    for (int c0 = 0; c0 < cols; c0 += TILE) {
      int c1 = Math.min(cols, c0 + TILE);
      for (int r0 = 0; r0 < rows; r0 += TILE) {
        int r1 = Math.min(rows, r0 + TILE);
        for (int c = c0; c < c1; c++) {
          int s = srcOff + c * srcLd;
          for (int r = r0; r < r1; r++) {
            dst[dstOff + r * dstLd + c] += (float) src[s + r];
          }
          if (clear) {
            java.util.Arrays.fill(src, s + r0, s + r1, 0d);
          }
        }
      }
    }
  }
}
