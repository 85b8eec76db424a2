package io.horn.core.activation;

/** The logistic function {@code 1 / (1 + e^-x)}; {@code f' = y (1 - y)}. */
public final class Sigmoid extends ActivationFunction {
  @Override
  public double apply(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  @Override
  public double applyDerivative(double y) {
    return y * (1.0 - y);
  }

  @Override
  public void forward(float[] a, int off, int n, int cols, int ld) {
    for (int c = 0; c < cols; c++) {
      int base = off + c * ld;
      for (int i = base; i < base + n; i++) {
        a[i] = (float) (1.0 / (1.0 + Math.exp(-a[i])));
      }
    }
  }

  @Override
  public void backward(float[] y, int yOff, int yLd, float[] g, int gOff, int gLd, int n, int cols) {
    for (int c = 0; c < cols; c++) {
      int yb = yOff + c * yLd;
      int gb = gOff + c * gLd;
      for (int i = 0; i < n; i++) {
        float v = y[yb + i];
        g[gb + i] *= v * (1f - v);
      }
    }
  }
}
