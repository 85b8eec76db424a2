package io.horn.core.optimizer;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Gradient descent with momentum (Rumelhart, Hinton &amp; Williams, Nature 323, 1986):
 * {@code Δ = -η (g + λ w) + μ Δ_prev; w += Δ}. It is the rule Apache Horn's {@code StandardNeuron}
 * writes per synapse, so a user neuron with that code and a built-in layer train identically.
 *
 * <p>Stateless beyond {@code prev}; safe over disjoint ranges from several threads.
 */
public final class MomentumSgd implements Optimizer {
  private final float learningRate;
  private final float momentum;

  public MomentumSgd(float learningRate, float momentum) {
    checkArgument(learningRate > 0, "learning rate must be > 0, got %s", learningRate);
    checkArgument(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
    this.learningRate = learningRate;
    this.momentum = momentum;
  }

  @Override
  public void beginStep() {}

  @Override
  public void update(float[] params, float[] sums, float[] prev, int off, int len,
      float invCount, float decay) {
    float lr = learningRate;
    float mu = momentum;
    for (int i = off; i < off + len; i++) {
      float d = mu * prev[i] - lr * (sums[i] * invCount + decay * params[i]);
      prev[i] = d;
      params[i] += d;
    }
  }
}
