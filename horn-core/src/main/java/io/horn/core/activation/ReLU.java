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

  @Override
  public void backward(float[] y, int yOff, int yLd, float[] g, int gOff, int gLd, int n, int cols) {
    for (int c = 0; c < cols; c++) {
      int yb = yOff + c * yLd;
      int gb = gOff + c * gLd;
      for (int i = 0; i < n; i++) {
        g[gb + i] = y[yb + i] > 0f ? g[gb + i] : 0f;
      }
    }
  }
}
