package io.horn.core.cost;

/** Half the squared error, {@code ½ (y - t)²} per unit; {@code dC/dy = y - t}. */
public final class SquaredError extends CostFunction {
  @Override
  public double apply(double target, double output) {
    double d = output - target;
    return 0.5 * d * d;
  }

  @Override
  public double applyDerivative(double target, double output) {
    return output - target;
  }
}
