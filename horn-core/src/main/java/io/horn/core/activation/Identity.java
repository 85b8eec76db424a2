package io.horn.core.activation;

/** {@code f(x) = x}; for regression outputs and linear layers. */
public final class Identity extends ActivationFunction {
  @Override
  public double apply(double x) {
    return x;
  }

  @Override
  public double applyDerivative(double y) {
    return 1;
  }

  @Override
  public void forward(float[] a, int off, int n, int cols, int ld) {
    // identity: nothing to do
  }

  @Override
  public void backward(float[] y, int yOff, int yLd, float[] g, int gOff, int gLd, int n, int cols) {
    // derivative 1: g unchanged
  }
}
