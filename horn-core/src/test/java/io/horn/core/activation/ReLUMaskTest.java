package io.horn.core.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ReLU's branch-free derivative gives exactly what {@code y > 0 ? g : 0} gives. */
class ReLUMaskTest {
  private static final float[] EDGES = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE,
      Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fc00001),
      Float.intBitsToFloat(0xffc00000), 1f, -1f, 1e-30f, -1e-30f};

  @Test
  void maskIsAllOnesExactlyForPositiveFloats() {
    for (float y : EDGES) {
      int expected = y > 0f ? -1 : 0;
      assertEquals(expected, ReLU.positiveMask(Float.floatToRawIntBits(y)), "y = " + y);
    }
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 1_000_000; i++) {
      int bits = r.nextInt();
      float y = Float.intBitsToFloat(bits);
      assertEquals(y > 0f ? -1 : 0, ReLU.positiveMask(bits), "bits " + Integer.toHexString(bits));
    }
  }

  @Test
  void backwardKeepsOrZeroesEachErrorBitForBit() {
    int n = EDGES.length;
    float[] y = new float[2 * (n + 1)];
    float[] g = new float[2 * n];
    SplittableRandom r = new SplittableRandom(5);
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < n; i++) {
        y[c * (n + 1) + i] = c == 0 ? EDGES[i] : (float) r.nextGaussian();
        g[c * n + i] = (float) r.nextGaussian();
      }
    }
    float[] expected = g.clone();
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < n; i++) {
        expected[c * n + i] = y[c * (n + 1) + i] > 0f ? g[c * n + i] : 0f;
      }
    }
    new ReLU().backward(y, 0, n + 1, g, 0, n, n, 2);
    for (int i = 0; i < g.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(g[i]), "at " + i);
    }
  }
}
