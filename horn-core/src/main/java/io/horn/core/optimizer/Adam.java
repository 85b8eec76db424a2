package io.horn.core.optimizer;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Adam (Kingma &amp; Ba, "Adam: a method for stochastic optimization", ICLR 2015), with L2 decay
 * added to the gradient:
 * {@code m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²; w -= η m̂ / (√v̂ + ε)}.
 *
 * <p>Holds the two moments per parameter. Safe over disjoint ranges from several threads within
 * a step.
 */
public final class Adam implements Optimizer {
  private final float learningRate;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float[] m;
  private final float[] v;
  private long t;
  private float correction1;
  private float correction2;

  public Adam(float learningRate, float beta1, float beta2, float epsilon, int parameterCount) {
    checkArgument(learningRate > 0, "learning rate must be > 0, got %s", learningRate);
    checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
    checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
    checkArgument(epsilon > 0, "epsilon must be > 0, got %s", epsilon);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.m = new float[parameterCount];
    this.v = new float[parameterCount];
  }

  @Override
  public void beginStep() {
    t++;
    correction1 = (float) (1 - Math.pow(beta1, t));
    correction2 = (float) (1 - Math.pow(beta2, t));
  }

  @Override
  public void update(float[] params, float[] sums, float[] prev, int off, int len,
      float invCount, float decay) {
    checkArgument(t > 0, "beginStep() must come before update()");
    float b1 = beta1;
    float b2 = beta2;
    float step = learningRate / correction1;
    float c2 = correction2;
    for (int i = off; i < off + len; i++) {
      float g = sums[i] * invCount + decay * params[i];
      float mi = b1 * m[i] + (1 - b1) * g;
      float vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      float d = -step * mi / ((float) Math.sqrt(vi / c2) + epsilon);
      prev[i] = d;
      params[i] += d;
    }
  }

  @Override
  public Snapshot snapshot() {
    return new Snapshot(t, m.clone(), v.clone());
  }

  @Override
  public void restore(Snapshot s) {
    checkArgument(s.adamM() != null && s.adamV() != null,
        "Adam needs its moments, but the saved optimizer state has none (it was saved by "
            + "another training method)");
    checkArgument(s.adamM().length == m.length && s.adamV().length == v.length,
        "the saved moments cover %s parameters, this network has %s", s.adamM().length,
        m.length);
    System.arraycopy(s.adamM(), 0, m, 0, m.length);
    System.arraycopy(s.adamV(), 0, v, 0, v.length);
    t = s.updates();
    if (t > 0) {
      correction1 = (float) (1 - Math.pow(beta1, t));
      correction2 = (float) (1 - Math.pow(beta2, t));
    }
  }
}
