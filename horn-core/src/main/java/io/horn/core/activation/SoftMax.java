package io.horn.core.activation;

/**
 * Softmax over the units of a layer, {@code y_i = e^{x_i} / Σ_k e^{x_k}}, computed with the
 * maximum subtracted so that large logits cannot overflow.
 *
 * <p>Layer-wise: the scalar {@link #apply} is the identity (a user neuron emits its logit, the
 * engine normalises the layer), and {@link #applyDerivative} is the diagonal of the Jacobian,
 * {@code y (1 - y)}. The block {@link #backward} applies the full Jacobian:
 * {@code dC/dx = y ⊙ (g - <g, y>)}. With {@code CrossEntropy} the engine skips it and uses the
 * fused {@code y - t}.
 */
public final class SoftMax extends ActivationFunction {
  @Override
  public double apply(double x) {
    return x;
  }

  @Override
  public double applyDerivative(double y) {
    return y * (1.0 - y);
  }

  @Override
  public boolean isLayerWise() {
    return true;
  }

  @Override
  public void forward(float[] a, int off, int n, int cols, int ld) {
    for (int c = 0; c < cols; c++) {
      int base = off + c * ld;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = base; i < base + n; i++) {
        max = Math.max(max, a[i]);
      }
      double sum = 0;
      for (int i = base; i < base + n; i++) {
        float e = (float) Math.exp(a[i] - max);
        a[i] = e;
        sum += e;
      }
      float inv = (float) (1.0 / sum);
      for (int i = base; i < base + n; i++) {
        a[i] *= inv;
      }
    }
  }

  @Override
  public void backward(float[] y, int yOff, int yLd, float[] g, int gOff, int gLd, int n, int cols) {
    for (int c = 0; c < cols; c++) {
      int yb = yOff + c * yLd;
      int gb = gOff + c * gLd;
      double dot = 0;
      for (int i = 0; i < n; i++) {
        dot += (double) g[gb + i] * y[yb + i];
      }
      for (int i = 0; i < n; i++) {
        g[gb + i] = (float) (y[yb + i] * (g[gb + i] - dot));
      }
    }
  }
}
