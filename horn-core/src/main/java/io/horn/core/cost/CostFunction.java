package io.horn.core.cost;

import io.horn.core.activation.ActivationFunction;

/**
 * A cost {@code C(y, t)} between a network's outputs {@code y} and targets {@code t}.
 *
 * <p>The scalar pair ({@link #apply}, {@link #applyDerivative}) works per output unit, as in
 * Apache Horn. The engine calls the column methods, which see the output layer's activation so
 * that a cost can fuse with it where that is both faster and more stable (softmax + cross
 * entropy gives {@code y - t} with no division by {@code y}).
 *
 * <p>Contract: stateless, a public no-argument constructor, safe to share between threads.
 */
public abstract class CostFunction {

  /** The cost contributed by one output unit. */
  public abstract double apply(double target, double output);

  /** {@code dC/dy} for one output unit. */
  public abstract double applyDerivative(double target, double output);

  /** The cost of one sample: the sum over its {@code n} output units. */
  public double cost(float[] y, int yOff, float[] t, int tOff, int n, ActivationFunction out) {
    double c = 0;
    for (int i = 0; i < n; i++) {
      c += apply(t[tOff + i], y[yOff + i]);
    }
    return c;
  }

  /**
   * Writes {@code dC/dx} (the error at the output layer's pre-activations) of {@code cols}
   * samples into {@code delta} (column-major, leading dimension {@code n}).
   */
  public void outputDelta(float[] y, int yOff, int yLd, float[] t, int tOff, float[] delta,
      int n, int cols, ActivationFunction out) {
    for (int c = 0; c < cols; c++) {
      for (int i = 0; i < n; i++) {
        delta[c * n + i] = (float) applyDerivative(t[tOff + c * n + i], y[yOff + c * yLd + i]);
      }
    }
    out.backward(y, yOff, yLd, delta, 0, n, n, cols);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName();
  }
}
