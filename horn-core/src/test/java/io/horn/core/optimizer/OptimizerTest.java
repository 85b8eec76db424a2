package io.horn.core.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  private static final double TOL = 1e-6;

  /** One step on f(w) = ½ a (w - c)², gradient a (w - c), summed over {@code count} samples. */
  private static void quadraticStep(Optimizer o, float[] w, float[] prev, float[] a, float[] c,
      int count) {
    float[] sums = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      sums[i] = count * a[i] * (w[i] - c[i]);
    }
    o.beginStep();
    o.update(w, sums, prev, 0, w.length, 1f / count, 0f);
  }

  @Test
  void momentumSgdMatchesHandComputedSteps() {
    // f(w) = ½ w², lr 0.1, momentum 0.5, from w = 1:
    // Δ1 = -0.1·1 = -0.1                 → w = 0.9
    // Δ2 = 0.5·(-0.1) - 0.1·0.9 = -0.14   → w = 0.76
    // Δ3 = 0.5·(-0.14) - 0.1·0.76 = -0.146 → w = 0.614
    MomentumSgd o = new MomentumSgd(0.1f, 0.5f);
    float[] w = {1f};
    float[] prev = {0f};
    double[][] expected = {{0.9, -0.1}, {0.76, -0.14}, {0.614, -0.146}};
    for (double[] e : expected) {
      quadraticStep(o, w, prev, new float[] {1f}, new float[] {0f}, 4);
      assertEquals(e[0], w[0], TOL);
      assertEquals(e[1], prev[0], TOL);
    }
  }

  @Test
  void momentumSgdWithoutMomentumIsPlainGradientDescent() {
    MomentumSgd o = new MomentumSgd(0.25f, 0f);
    float[] w = {2f, -1f};
    float[] prev = {5f, 5f}; // ignored with momentum 0
    o.beginStep();
    o.update(w, new float[] {6f, -3f}, prev, 0, 2, 1f / 3, 0f); // mean gradients 2, -1
    assertEquals(1.5, w[0], TOL);
    assertEquals(-0.75, w[1], TOL);
    assertEquals(-0.5, prev[0], TOL);
    assertEquals(0.25, prev[1], TOL);
  }

  @Test
  void updatesOnlyTheGivenRange() {
    for (Optimizer o : new Optimizer[] {new MomentumSgd(0.1f, 0.9f),
        new Adam(0.1f, 0.9f, 0.999f, 1e-8f, 6)}) {
      float[] w = {1, 2, 3, 4, 5, 6};
      float[] prev = new float[6];
      float[] sums = {1, 1, 1, 1, 1, 1};
      o.beginStep();
      o.update(w, sums, prev, 2, 3, 1f, 0.1f);
      assertEquals(1f, w[0]);
      assertEquals(2f, w[1]);
      assertEquals(6f, w[5]);
      assertEquals(0f, prev[0]);
      assertEquals(0f, prev[5]);
      for (int i = 2; i < 5; i++) {
        assertTrue(w[i] < i + 1, o.getClass().getSimpleName() + " did not move w[" + i + "]");
        assertEquals(w[i] - (i + 1), prev[i], 1e-6);
      }
    }
  }

  @Test
  void momentumSgdDecayAddsLambdaW() {
    MomentumSgd o = new MomentumSgd(0.1f, 0f);
    float[] w = {2f, -4f};
    float[] prev = new float[2];
    o.beginStep();
    o.update(w, new float[] {0f, 1f}, prev, 0, 2, 1f, 0.5f);
    // Δ = -0.1 (g + 0.5 w): w0: -0.1·1 = -0.1; w1: -0.1·(1 - 2) = +0.1
    assertEquals(1.9, w[0], TOL);
    assertEquals(-3.9, w[1], TOL);
  }

  @Test
  void decayIsTheSameAsAddingLambdaWToTheGradient() {
    float[] start = {0.7f, -1.3f, 2.1f, 0.01f};
    float[] g = {0.2f, -0.5f, 1.5f, -0.03f};
    float lambda = 0.3f;
    float[] folded = new float[4];
    for (int i = 0; i < 4; i++) {
      folded[i] = g[i] + lambda * start[i];
    }
    Optimizer[][] pairs = {
        {new MomentumSgd(0.05f, 0.9f), new MomentumSgd(0.05f, 0.9f)},
        {new Adam(0.05f, 0.9f, 0.999f, 1e-8f, 4), new Adam(0.05f, 0.9f, 0.999f, 1e-8f, 4)}};
    for (Optimizer[] p : pairs) {
      float[] w1 = start.clone();
      float[] w2 = start.clone();
      p[0].beginStep();
      p[0].update(w1, g.clone(), new float[4], 0, 4, 1f, lambda);
      p[1].beginStep();
      p[1].update(w2, folded.clone(), new float[4], 0, 4, 1f, 0f);
      for (int i = 0; i < 4; i++) {
        assertEquals(w2[i], w1[i], 1e-6, p[0].getClass().getSimpleName() + " w[" + i + "]");
      }
    }
  }

  @Test
  void adamFirstStepMovesEachWeightByTheLearningRateAgainstTheGradient() {
    float lr = 0.01f;
    Adam o = new Adam(lr, 0.9f, 0.999f, 1e-8f, 5);
    float[] w = {0f, 1f, -2f, 3f, 10f};
    float[] before = w.clone();
    float[] g = {1e-3f, 5f, -2f, -100f, 0.3f};
    float[] prev = new float[5];
    o.beginStep();
    o.update(w, g, prev, 0, 5, 1f, 0f);
    for (int i = 0; i < 5; i++) {
      double expected = -lr * Math.signum(g[i]);
      assertEquals(expected, w[i] - before[i], 1e-5, "w[" + i + "]");
      assertEquals(expected, prev[i], 1e-5, "prev[" + i + "]");
    }
  }

  @Test
  void adamSecondStepFollowsTheBiasCorrectedMoments() {
    float lr = 0.1f;
    float b1 = 0.9f;
    float b2 = 0.999f;
    Adam o = new Adam(lr, b1, b2, 1e-8f, 1);
    float[] w = {0f};
    float[] prev = new float[1];
    o.beginStep();
    o.update(w, new float[] {1f}, prev, 0, 1, 1f, 0f);
    o.beginStep();
    o.update(w, new float[] {3f}, prev, 0, 1, 1f, 0f);
    double m = (1 - b1) * 1 * b1 + (1 - b1) * 3;
    double v = (1 - b2) * 1 * b2 + (1 - b2) * 9;
    double mHat = m / (1 - b1 * b1);
    double vHat = v / (1 - b2 * b2);
    double step2 = -lr * mHat / (Math.sqrt(vHat) + 1e-8);
    assertEquals(step2, prev[0], 1e-5);
    assertEquals(-lr + step2, w[0], 1e-5);
  }

  @Test
  void adamMinimisesAQuadratic() {
    float[] a = {1f, 10f, 0.1f};
    float[] c = {3f, -2f, 0.5f};
    Adam o = new Adam(0.05f, 0.9f, 0.999f, 1e-8f, 3);
    float[] w = {0f, 0f, 0f};
    float[] prev = new float[3];
    for (int s = 0; s < 3000; s++) {
      quadraticStep(o, w, prev, a, c, 1);
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(c[i], w[i], 0.05, "w[" + i + "]");
    }
  }

  @Test
  void momentumSgdMinimisesAQuadratic() {
    float[] a = {1f, 4f};
    float[] c = {-1f, 2f};
    MomentumSgd o = new MomentumSgd(0.05f, 0.9f);
    float[] w = {5f, 5f};
    float[] prev = new float[2];
    for (int s = 0; s < 500; s++) {
      quadraticStep(o, w, prev, a, c, 8);
    }
    assertEquals(-1.0, w[0], 1e-3);
    assertEquals(2.0, w[1], 1e-3);
  }

  @Test
  void adamNeedsBeginStep() {
    Adam o = new Adam(0.1f, 0.9f, 0.999f, 1e-8f, 1);
    assertThrows(IllegalArgumentException.class,
        () -> o.update(new float[1], new float[1], new float[1], 0, 1, 1f, 0f));
  }

  @Test
  void constructorsRejectBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new MomentumSgd(0f, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new MomentumSgd(-0.1f, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new MomentumSgd(Float.NaN, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new MomentumSgd(0.1f, 1f));
    assertThrows(IllegalArgumentException.class, () -> new MomentumSgd(0.1f, -0.1f));
    assertThrows(IllegalArgumentException.class, () -> new MomentumSgd(0.1f, Float.NaN));
    new MomentumSgd(0.1f, 0f);

    assertThrows(IllegalArgumentException.class, () -> new Adam(0f, 0.9f, 0.999f, 1e-8f, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1f, 1f, 0.999f, 1e-8f, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1f, -0.1f, 0.999f, 1e-8f, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1f, 0.9f, 1f, 1e-8f, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1f, 0.9f, 0.999f, 0f, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1f, 0.9f, 0.999f, -1f, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MomentumSgd(-2f, 0.5f));
    assertTrue(e.getMessage().contains("-2"), e.getMessage());
  }

  @Test
  void optimizersFollowTheTrainingMethod() {
    HornConfiguration c = new HornConfiguration();
    assertTrue(Optimizers.create(TrainingSettings.from(c), 3) instanceof MomentumSgd);
    c.set(HornOptions.TRAINING_METHOD.key(), "adam");
    assertTrue(Optimizers.create(TrainingSettings.from(c), 3) instanceof Adam);
  }
}
