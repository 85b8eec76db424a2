package io.horn.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CostFunctionTest {
  private static final float PAD = -777.25f;

  @Test
  void derivativesMatchFiniteDifferences() {
    double h = 1e-6;
    double[][] pairs = {{0, 0.2}, {1, 0.7}, {0.3, 0.45}, {0.9, 0.1}, {0.5, 0.5}, {0, 0.95}};
    for (CostFunction c : new CostFunction[] {new SquaredError(), new CrossEntropy()}) {
      for (double[] p : pairs) {
        double t = p[0];
        double y = p[1];
        double numeric = (c.apply(t, y + h) - c.apply(t, y - h)) / (2 * h);
        assertEquals(numeric, c.applyDerivative(t, y), 1e-5 * Math.max(1, Math.abs(numeric)),
            c + " at t=" + t + " y=" + y);
      }
    }
    // squared error also off (0, 1)
    SquaredError se = new SquaredError();
    for (double y : new double[] {-3, 2.5, 10}) {
      double numeric = (se.apply(1.5, y + h) - se.apply(1.5, y - h)) / (2 * h);
      assertEquals(numeric, se.applyDerivative(1.5, y), 1e-5);
    }
  }

  @Test
  void knownValues() {
    assertEquals(0.5 * 0.09, new SquaredError().apply(1, 0.7), 1e-12);
    assertEquals(-0.3, new SquaredError().applyDerivative(1, 0.7), 1e-12);
    assertEquals(-Math.log(0.7), new CrossEntropy().apply(1, 0.7), 1e-12);
    assertEquals(-Math.log(0.7), new CrossEntropy().apply(0, 0.3), 1e-12);
    assertEquals(0, new CrossEntropy().apply(1, 1), 1e-6);
    // clamped: finite even at the edges
    double edge = new CrossEntropy().apply(1, 0);
    assertTrue(Double.isFinite(edge) && edge > 10, "cost " + edge);
    assertTrue(Double.isFinite(new CrossEntropy().applyDerivative(1, 0)));
    assertTrue(Double.isFinite(new CrossEntropy().applyDerivative(0, 1)));
  }

  /** Probabilities in {@code y} (columns at yLd, padded) and one-hot targets, n per column. */
  private static float[][] softmaxBatch(int n, int cols, int yOff, int yLd, int tOff, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] y = new float[yOff + cols * yLd];
    Arrays.fill(y, PAD);
    float[] t = new float[tOff + cols * n];
    Arrays.fill(t, PAD);
    for (int c = 0; c < cols; c++) {
      for (int i = 0; i < n; i++) {
        y[yOff + c * yLd + i] = (float) (r.nextDouble() * 6 - 3);
        t[tOff + c * n + i] = 0f;
      }
      t[tOff + c * n + r.nextInt(n)] = 1f;
    }
    new SoftMax().forward(y, yOff, n, cols, yLd);
    return new float[][] {y, t};
  }

  @Test
  void crossEntropyWithSoftMaxFusesToYMinusT() {
    int n = 4;
    int cols = 3;
    int yOff = 1;
    int yLd = 6;
    int tOff = 2;
    float[][] b = softmaxBatch(n, cols, yOff, yLd, tOff, 1);
    float[] y = b[0];
    float[] t = b[1];
    float[] delta = new float[n * cols + 2];
    Arrays.fill(delta, PAD);
    CrossEntropy ce = new CrossEntropy();
    ce.outputDelta(y, yOff, yLd, t, tOff, delta, n, cols, new SoftMax());
    for (int c = 0; c < cols; c++) {
      for (int i = 0; i < n; i++) {
        assertEquals(y[yOff + c * yLd + i] - t[tOff + c * n + i], delta[c * n + i], 0f);
      }
      int truth = -1;
      for (int i = 0; i < n; i++) {
        if (t[tOff + c * n + i] == 1f) {
          truth = i;
        }
      }
      double cost = ce.cost(y, yOff + c * yLd, t, tOff + c * n, n, new SoftMax());
      assertEquals(-Math.log(y[yOff + c * yLd + truth]), cost, 1e-9, "column " + c);
    }
    assertEquals(PAD, delta[n * cols]);
    assertEquals(PAD, delta[n * cols + 1]);
  }

  @Test
  void categoricalCrossEntropyWithSoftTargets() {
    float[] y = {0.2f, 0.5f, 0.3f};
    float[] t = {0.1f, 0.6f, 0.3f};
    double expected = -(0.1 * Math.log(0.2f) + 0.6 * Math.log(0.5f) + 0.3 * Math.log(0.3f));
    assertEquals(expected, new CrossEntropy().cost(y, 0, t, 0, 3, new SoftMax()), 1e-6);
    // with any other output it is the binary form, summed over units
    double binary = 0;
    for (int i = 0; i < 3; i++) {
      binary += new CrossEntropy().apply(t[i], y[i]);
    }
    assertEquals(binary, new CrossEntropy().cost(y, 0, t, 0, 3, new Sigmoid()), 1e-9);
  }

  @Test
  void crossEntropyWithSigmoidFusesToYMinusT() {
    float[] y = {0.9f, 0.1f, 0.6f, PAD, 0.2f, 0.99f, 0.5f, PAD};
    float[] t = {1f, 0f, 0.3f, 0f, 1f, 0.5f};
    float[] delta = new float[6];
    new CrossEntropy().outputDelta(y, 0, 4, t, 0, delta, 3, 2, new Sigmoid());
    float[] expected = {0.9f - 1f, 0.1f, 0.6f - 0.3f, 0.2f, 0.99f - 1f, 0.5f - 0.5f};
    for (int k = 0; k < 6; k++) {
      assertEquals(expected[k], delta[k], 1e-7f, "entry " + k);
    }
    // saturated outputs still get the full error (a division by y (1 - y) would lose it)
    float[] sat = {1f, 0f};
    float[] wrong = {0f, 1f};
    float[] d = new float[2];
    new CrossEntropy().outputDelta(sat, 0, 2, wrong, 0, d, 2, 1, new Sigmoid());
    assertEquals(1f, d[0]);
    assertEquals(-1f, d[1]);
  }

  @Test
  void genericPathEqualsDcDyForIdentityOutput() {
    float[] y = {0.3f, 0.8f, 0.55f, 0.02f};
    float[] t = {0.1f, 0.9f, 0.5f, 0.4f};
    float[] delta = new float[4];
    CrossEntropy ce = new CrossEntropy();
    ce.outputDelta(y, 0, 2, t, 0, delta, 2, 2, new Identity());
    double h = 1e-6;
    for (int k = 0; k < 4; k++) {
      double numeric = (ce.apply(t[k], y[k] + h) - ce.apply(t[k], y[k] - h)) / (2 * h);
      assertEquals(numeric, delta[k], 1e-4 * Math.max(1, Math.abs(numeric)), "entry " + k);
      assertEquals((y[k] - t[k]) / (y[k] * (1 - y[k])), delta[k], 1e-4 * Math.abs(delta[k]));
    }
  }

  @Test
  void genericPathAppliesTheOutputActivation() {
    // squared error through a sigmoid: dC/dx = (y - t) y (1 - y)
    float[] y = {0.7f, PAD, 0.2f, PAD};
    float[] t = {1f, 0f};
    float[] delta = new float[2];
    new SquaredError().outputDelta(y, 0, 2, t, 0, delta, 1, 2, new Sigmoid());
    assertEquals((0.7 - 1) * 0.7 * 0.3, delta[0], 1e-6);
    assertEquals(0.2 * 0.2 * 0.8, delta[1], 1e-6);
  }

  /**
   * For each pairing of cost and output activation, the output delta is the gradient of the
   * sample's cost with respect to the pre-activations x, checked numerically through the
   * activation's block forward.
   */
  @Test
  void outputDeltaIsTheGradientWithRespectToThePreActivations() {
    Object[][] pairs = {
        {new SquaredError(), new Identity()}, {new SquaredError(), new Sigmoid()},
        {new SquaredError(), new Tanh()}, {new SquaredError(), new SoftMax()},
        {new CrossEntropy(), new SoftMax()}, {new CrossEntropy(), new Sigmoid()}};
    SplittableRandom r = new SplittableRandom(9);
    int n = 4;
    for (Object[] p : pairs) {
      CostFunction cost = (CostFunction) p[0];
      ActivationFunction act = (ActivationFunction) p[1];
      double[] x = new double[n];
      float[] t = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextDouble() * 3 - 1.5;
        t[i] = act instanceof SoftMax ? 0f : (float) r.nextDouble();
      }
      if (act instanceof SoftMax) {
        t[r.nextInt(n)] = 1f;
      }
      float[] y = forward(act, x, -1, 0);
      float[] delta = new float[n];
      cost.outputDelta(y, 0, n, t, 0, delta, n, 1, act);
      double h = 1e-3;
      for (int j = 0; j < n; j++) {
        double up = cost.cost(forward(act, x, j, h), 0, t, 0, n, act);
        double down = cost.cost(forward(act, x, j, -h), 0, t, 0, n, act);
        double numeric = (up - down) / (2 * h);
        assertEquals(numeric, delta[j], 2e-3, cost + " with " + act + ", unit " + j);
      }
    }
  }

  private static float[] forward(ActivationFunction f, double[] x, int bump, double h) {
    float[] a = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      a[i] = (float) (x[i] + (i == bump ? h : 0));
    }
    f.forward(a, 0, a.length, 1, a.length);
    return a;
  }
}
