package io.horn.core.cost;

import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;

/**
 * Cross entropy. With a {@link SoftMax} output it is the categorical form {@code -Σ t log y};
 * with any other output, the binary form {@code -[t log y + (1-t) log(1-y)]} per unit. Both fuse
 * with their natural output ({@code SoftMax}, {@link Sigmoid}) to the error {@code y - t}
 * (Bishop, <i>Pattern Recognition and Machine Learning</i>, 2006, §4.3.2 and §5.2).
 *
 * <p>Outputs are clamped to {@code [1e-7, 1 - 1e-7]} inside logarithms and divisions.
 */
public final class CrossEntropy extends CostFunction {
  private static final double EPS = 1e-7;

  @Override
  public double apply(double target, double output) {
    double y = clamp(output);
    return -(target * Math.log(y) + (1 - target) * Math.log(1 - y));
  }

  @Override
  public double applyDerivative(double target, double output) {
    double y = clamp(output);
    return (y - target) / (y * (1 - y));
  }

  @Override
  public double cost(float[] y, int yOff, float[] t, int tOff, int n, ActivationFunction out) {
    if (!(out instanceof SoftMax)) {
      return super.cost(y, yOff, t, tOff, n, out);
    }
    double c = 0;
    for (int i = 0; i < n; i++) {
      float ti = t[tOff + i];
      if (ti != 0f) {
        c -= ti * Math.log(clamp(y[yOff + i]));
      }
    }
    return c;
  }

  @Override
  public void outputDelta(float[] y, int yOff, int yLd, float[] t, int tOff, float[] delta,
      int n, int cols, ActivationFunction out) {
    if (!(out instanceof SoftMax) && !(out instanceof Sigmoid)) {
      super.outputDelta(y, yOff, yLd, t, tOff, delta, n, cols, out);
      return;
    }
    for (int c = 0; c < cols; c++) {
      int yb = yOff + c * yLd;
      int tb = tOff + c * n;
      for (int i = 0; i < n; i++) {
        delta[c * n + i] = y[yb + i] - t[tb + i];
      }
    }
  }

  private static double clamp(double y) {
    return Math.min(Math.max(y, EPS), 1 - EPS);
  }
}
