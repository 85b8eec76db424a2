package io.horn.core.activation;

/**
 * The rectified linear unit {@code max(0, x)} (Nair &amp; Hinton, ICML 2010); {@code f' = [y > 0]}.
 */
public final class ReLU extends ActivationFunction {
  @Override
  public double apply(double x) {
    return x > 0 ? x : 0;
  }

  @Override
  public double applyDerivative(double y) {
    return y > 0 ? 1 : 0;
  }

  @Override
  public void forward(float[] a, int off, int n, int cols, int ld) {
    for (int c = 0; c < cols; c++) {
      int base = off + c * ld;
      for (int i = base; i < base + n; i++) {
        a[i] = Math.max(a[i], 0f);
      }
    }
  }

  /**
   * {@code g = y > 0 ? g : +0}, without a branch: on a trained layer about half the units are
   * active in no predictable order, and a data-dependent branch there mispredicts every other
   * element (it once took more time than the layer's element-wise work put together).
   */
  @Override
  public void backward(float[] y, int yOff, int yLd, float[] g, int gOff, int gLd, int n, int cols) {
    for (int c = 0; c < cols; c++) {
      int yb = yOff + c * yLd;
      int gb = gOff + c * gLd;
      for (int i = 0; i < n; i++) {
        int keep = positiveMask(Float.floatToRawIntBits(y[yb + i]));
        g[gb + i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[gb + i]) & keep);
      }
    }
  }

  /**
   * All ones when the float with these bits is {@code > 0} (positive, not zero, not NaN), else
   * zero. With {@code x = bits - 1} that is {@code 0 <= x < 0x7f800000}: the sign of {@code x -
   * 0x7f800000} tests the upper bound and {@code ~x} rules out the negative (and wrapped) ones.
   */
  static int positiveMask(int bits) {
    int x = bits - 1;
    return ((x - 0x7f800000) & ~x) >> 31;
  }
}
