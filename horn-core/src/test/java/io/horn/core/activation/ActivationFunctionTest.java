package io.horn.core.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActivationFunctionTest {
  private static final double[] XS = {-3.0, -1.2, -0.4, -0.05, 0.03, 0.3, 0.9, 2.5};
  private static final double H = 1e-5;
  /** Marks the padding rows of a block: must be left alone. */
  private static final float PAD = -12345.5f;

  private static List<ActivationFunction> elementWise() {
    return List.of(new Sigmoid(), new Tanh(), new ReLU(), new LeakyReLU(), new Identity());
  }

  private static List<ActivationFunction> all() {
    return List.of(new Sigmoid(), new Tanh(), new ReLU(), new LeakyReLU(), new Identity(),
        new SoftMax());
  }

  private static boolean kinked(ActivationFunction f) {
    return f instanceof ReLU || f instanceof LeakyReLU;
  }

  @Test
  void derivativeThroughTheOutputMatchesFiniteDifferences() {
    for (ActivationFunction f : elementWise()) {
      for (double x : XS) {
        if (kinked(f) && Math.abs(x) < 10 * H) {
          continue;
        }
        double numeric = (f.apply(x + H) - f.apply(x - H)) / (2 * H);
        double analytic = f.applyDerivative(f.apply(x));
        assertEquals(numeric, analytic, 1e-6, f + " at x=" + x);
      }
    }
  }

  @Test
  void knownValues() {
    assertEquals(0.5, new Sigmoid().apply(0), 1e-15);
    assertEquals(0.25, new Sigmoid().applyDerivative(0.5), 1e-15);
    assertEquals(0, new Tanh().apply(0), 1e-15);
    assertEquals(0, new ReLU().apply(-2), 0);
    assertEquals(2, new ReLU().apply(2), 0);
    assertEquals(0, new ReLU().applyDerivative(0), 0);
    assertEquals(-0.02, new LeakyReLU().apply(-2), 1e-9);
    assertEquals(0.01, new LeakyReLU().applyDerivative(-0.02), 1e-9);
    assertEquals(-7, new Identity().apply(-7), 0);
    assertTrue(new SoftMax().isLayerWise());
    for (ActivationFunction f : elementWise()) {
      assertFalse(f.isLayerWise(), f.toString());
    }
    assertEquals("ReLU", new ReLU().toString());
  }

  @Test
  void softMaxScalarDerivativeIsTheDiagonalOfItsJacobian() {
    // The scalar apply of SoftMax is the identity (the engine normalises the layer), so its
    // applyDerivative is checked against the block forward: dy_i/dx_i = y_i (1 - y_i).
    SoftMax f = new SoftMax();
    double[] x = {0.3, -1.1, 2.0, 0.0, -0.4};
    float[] y = softmax(f, x, 0, 0);
    for (int i = 0; i < x.length; i++) {
      double h = 1e-3;
      double numeric = (softmax(f, x, i, h)[i] - softmax(f, x, i, -h)[i]) / (2 * h);
      assertEquals(numeric, f.applyDerivative(y[i]), 1e-4, "unit " + i);
    }
    assertEquals(1.7, f.apply(1.7), 0);
  }

  private static float[] softmax(SoftMax f, double[] x, int bump, double h) {
    float[] a = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      a[i] = (float) (x[i] + (i == bump ? h : 0));
    }
    f.forward(a, 0, a.length, 1, a.length);
    return a;
  }

  /** A block of {@code cols} columns of {@code n} values at {@code off} with {@code ld > n}. */
  private static float[] block(int off, int n, int cols, int ld, SplittableRandom r,
      double scale) {
    float[] a = new float[off + cols * ld + 3];
    Arrays.fill(a, PAD);
    for (int c = 0; c < cols; c++) {
      for (int i = 0; i < n; i++) {
        a[off + c * ld + i] = (float) ((r.nextDouble() * 2 - 1) * scale);
      }
    }
    return a;
  }

  private static boolean inBlock(int k, int off, int n, int cols, int ld) {
    int rel = k - off;
    return rel >= 0 && rel < cols * ld && rel % ld < n;
  }

  @Test
  void blockForwardMatchesScalarAndLeavesPaddingAlone() {
    int off = 5;
    int n = 7;
    int cols = 4;
    int ld = 10;
    for (ActivationFunction f : elementWise()) {
      float[] a = block(off, n, cols, ld, new SplittableRandom(1), 3);
      float[] orig = a.clone();
      f.forward(a, off, n, cols, ld);
      for (int k = 0; k < a.length; k++) {
        if (inBlock(k, off, n, cols, ld)) {
          assertEquals((float) f.apply(orig[k]), a[k], 1e-6f * Math.max(1f, Math.abs(a[k])),
              f + " at " + k);
        } else {
          assertEquals(Float.floatToIntBits(orig[k]), Float.floatToIntBits(a[k]),
              f + " touched padding at " + k);
        }
      }
    }
  }

  @Test
  void blockBackwardMatchesScalarAndLeavesPaddingAlone() {
    int n = 6;
    int cols = 3;
    int yOff = 2;
    int yLd = 9;
    int gOff = 4;
    int gLd = 8;
    for (ActivationFunction f : elementWise()) {
      SplittableRandom r = new SplittableRandom(2);
      float[] y = block(yOff, n, cols, yLd, r, 3);
      f.forward(y, yOff, n, cols, yLd);
      float[] yBefore = y.clone();
      float[] g = block(gOff, n, cols, gLd, r, 2);
      float[] gBefore = g.clone();
      f.backward(y, yOff, yLd, g, gOff, gLd, n, cols);
      assertTrue(Arrays.equals(yBefore, y), f + " changed y");
      for (int c = 0; c < cols; c++) {
        for (int i = 0; i < n; i++) {
          int gk = gOff + c * gLd + i;
          double expected = gBefore[gk] * f.applyDerivative(y[yOff + c * yLd + i]);
          assertEquals(expected, g[gk], 1e-6 * Math.max(1, Math.abs(expected)),
              f + " col " + c + " row " + i);
        }
      }
      for (int k = 0; k < g.length; k++) {
        if (!inBlock(k, gOff, n, cols, gLd)) {
          assertEquals(Float.floatToIntBits(gBefore[k]), Float.floatToIntBits(g[k]),
              f + " touched padding at " + k);
        }
      }
    }
  }

  @Test
  void softMaxColumnsSumToOneAndPaddingIsKept() {
    int off = 3;
    int n = 5;
    int cols = 4;
    int ld = 7;
    float[] a = block(off, n, cols, ld, new SplittableRandom(3), 4);
    float[] orig = a.clone();
    new SoftMax().forward(a, off, n, cols, ld);
    for (int c = 0; c < cols; c++) {
      double sum = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        max = Math.max(max, orig[off + c * ld + i]);
      }
      double z = 0;
      for (int i = 0; i < n; i++) {
        z += Math.exp(orig[off + c * ld + i] - max);
      }
      for (int i = 0; i < n; i++) {
        float v = a[off + c * ld + i];
        assertTrue(v > 0 && v < 1, "value " + v);
        assertEquals(Math.exp(orig[off + c * ld + i] - max) / z, v, 1e-6);
        sum += v;
      }
      assertEquals(1.0, sum, 1e-6, "column " + c);
    }
    for (int k = 0; k < a.length; k++) {
      if (!inBlock(k, off, n, cols, ld)) {
        assertEquals(Float.floatToIntBits(orig[k]), Float.floatToIntBits(a[k]), "padding " + k);
      }
    }
  }

  @Test
  void softMaxSurvivesHugeLogits() {
    float[] a = {1000f, 1000f, -1000f, 1000f, 999f, 0f, -1000f, -1000f, -999f};
    new SoftMax().forward(a, 0, 3, 3, 3);
    for (float v : a) {
      assertFalse(Float.isNaN(v) || Float.isInfinite(v), Arrays.toString(a));
    }
    assertEquals(0.5f, a[0], 1e-6f);
    assertEquals(0.5f, a[1], 1e-6f);
    assertEquals(0f, a[2], 1e-6f);
    assertEquals(1 / (1 + Math.exp(-1)), a[3], 1e-6);
    assertEquals(1 / (1 + Math.exp(1)), a[4], 1e-6);
    assertEquals(0f, a[5], 1e-6f);
    assertEquals(1 / (2 + Math.exp(1)), a[6], 1e-6);
    assertEquals(Math.exp(1) / (2 + Math.exp(1)), a[8], 1e-6);
  }

  @Test
  void softMaxIsShiftInvariant() {
    float[] a = {0.1f, -0.7f, 1.3f, 0.4f};
    float[] b = {500.1f, 499.3f, 501.3f, 500.4f};
    new SoftMax().forward(a, 0, 4, 1, 4);
    new SoftMax().forward(b, 0, 4, 1, 4);
    for (int i = 0; i < 4; i++) {
      assertEquals(a[i], b[i], 1e-4f);
    }
  }

  @Test
  void softMaxBackwardIsTheJacobianVectorProduct() {
    SoftMax f = new SoftMax();
    int n = 5;
    int cols = 3;
    int yLd = 6;
    int gOff = 2;
    int gLd = 7;
    SplittableRandom r = new SplittableRandom(4);
    double[][] x = new double[cols][n];
    double[][] g = new double[cols][n];
    float[] y = new float[cols * yLd];
    Arrays.fill(y, PAD);
    float[] gb = new float[gOff + cols * gLd];
    Arrays.fill(gb, PAD);
    for (int c = 0; c < cols; c++) {
      for (int i = 0; i < n; i++) {
        x[c][i] = r.nextDouble() * 4 - 2;
        g[c][i] = r.nextDouble() * 2 - 1;
        y[c * yLd + i] = (float) x[c][i];
        gb[gOff + c * gLd + i] = (float) g[c][i];
      }
    }
    f.forward(y, 0, n, cols, yLd);
    float[] gBefore = gb.clone();
    f.backward(y, 0, yLd, gb, gOff, gLd, n, cols);
    double h = 1e-5;
    for (int c = 0; c < cols; c++) {
      for (int j = 0; j < n; j++) {
        // d/dx_j of <g, softmax(x)>, with softmax in double precision
        double up = dot(g[c], softmaxDouble(x[c], j, h));
        double down = dot(g[c], softmaxDouble(x[c], j, -h));
        double numeric = (up - down) / (2 * h);
        assertEquals(numeric, gb[gOff + c * gLd + j], 1e-5, "column " + c + " unit " + j);
      }
    }
    for (int k = 0; k < gb.length; k++) {
      if (!inBlock(k, gOff, n, cols, gLd)) {
        assertEquals(Float.floatToIntBits(gBefore[k]), Float.floatToIntBits(gb[k]),
            "padding " + k);
      }
    }
    // a gradient that is the same for every unit does not change the normalised output
    float[] yy = {0.2f, 0.3f, 0.5f};
    float[] same = {4f, 4f, 4f};
    f.backward(yy, 0, 3, same, 0, 3, 3, 1);
    for (float v : same) {
      assertEquals(0f, v, 1e-6f);
    }
  }

  private static double[] softmaxDouble(double[] x, int bump, double h) {
    double[] e = new double[x.length];
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      e[i] = Math.exp(x[i] + (i == bump ? h : 0));
      sum += e[i];
    }
    for (int i = 0; i < x.length; i++) {
      e[i] /= sum;
    }
    return e;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void everyFunctionHasAPublicNoArgumentConstructor() throws Exception {
    for (ActivationFunction f : all()) {
      ActivationFunction g = f.getClass().getConstructor().newInstance();
      assertEquals(f.apply(0.37), g.apply(0.37), 0);
    }
  }
}
