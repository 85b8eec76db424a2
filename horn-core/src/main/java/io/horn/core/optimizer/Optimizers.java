package io.horn.core.optimizer;

import io.horn.core.conf.TrainingSettings;

/** Makes the optimizer a job's settings ask for. */
public final class Optimizers {
  private Optimizers() {}

  public static Optimizer create(TrainingSettings s, int parameterCount) {
    switch (s.method) {
      case GRADIENT_DESCENT:
        return new MomentumSgd(s.learningRate, s.momentumWeight);
      case ADAM:
        return new Adam(s.learningRate, s.adamBeta1, s.adamBeta2, s.adamEpsilon, parameterCount);
      default:
        throw new IllegalArgumentException("unknown training method " + s.method);
    }
  }
}
