package io.horn.core.activation;

/** The hyperbolic tangent; {@code f' = 1 - y²}. */
public final class Tanh extends ActivationFunction {
  @Override
  public double apply(double x) {
    return Math.tanh(x);
  }

  @Override
  public double applyDerivative(double y) {
    return 1.0 - y * y;
  }

  @Override
  public void backward(float[] y, int yOff, int yLd, float[] g, int gOff, int gLd, int n, int cols) {
    for (int c = 0; c < cols; c++) {
      int yb = yOff + c * yLd;
      int gb = gOff + c * gLd;
      for (int i = 0; i < n; i++) {
        float v = y[yb + i];
        g[gb + i] *= 1f - v * v;
      }
    }
  }
}
