package io.horn.core.activation;

/**
 * Leaky ReLU with slope 0.01 for negative inputs (Maas et al., ICML 2013 workshop);
 * {@code f' = 1} for {@code y > 0}, else 0.01.
 */
public final class LeakyReLU extends ActivationFunction {
  /** The slope for negative inputs (ONNX's {@code LeakyRelu} alpha when exported). */
  public static final float SLOPE = 0.01f;

  @Override
  public double apply(double x) {
    return x > 0 ? x : SLOPE * x;
  }

  @Override
  public double applyDerivative(double y) {
    return y > 0 ? 1 : SLOPE;
  }
}
