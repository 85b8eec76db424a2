package io.horn.core.model;

import io.horn.core.activation.LeakyReLU;
import io.horn.core.activation.ReLU;
import java.util.SplittableRandom;

/**
 * Initial weights, drawn from a seed so that a run can be repeated bit for bit.
 *
 * <ul>
 *   <li>{@code xavier}: uniform in {@code ±sqrt(6 / (fanIn + fanOut))} (Glorot &amp; Bengio,
 *       "Understanding the difficulty of training deep feedforward neural networks", AISTATS
 *       2010);
 *   <li>{@code he}: normal with standard deviation {@code sqrt(2 / fanIn)} (He et al., "Delving
 *       deep into rectifiers", ICCV 2015);
 *   <li>{@code auto}: he for weights into ReLU-family layers, xavier elsewhere.
 * </ul>
 *
 * Biases start at 0. Each weight layer draws from its own stream, derived from the seed and the
 * layer index, so changing one layer's width leaves the others' draws unchanged.
 */
public final class Initializer {
  private Initializer() {}

  public static float[] initialize(NetworkSpec spec, String method, long seed) {
    float[] p = new float[spec.parameterCount()];
    for (int l = 1; l < spec.depth(); l++) {
      int in = spec.size(l - 1);
      int out = spec.size(l);
      Class<?> act = spec.layer(l).activation();
      boolean he = method.equals("he")
          || (method.equals("auto") && (act == ReLU.class || act == LeakyReLU.class));
      if (!he && !method.equals("xavier") && !method.equals("auto")) {
        throw new IllegalArgumentException("unknown initialisation '" + method
            + "' for horn.init: use auto, xavier or he");
      }
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + l);
      int off = spec.offset(l);
      double std = Math.sqrt(2.0 / in);
      double limit = Math.sqrt(6.0 / (in + out));
      for (int j = 0; j < out; j++) {
        int col = off + j * (in + 1);
        for (int i = 0; i < in; i++) {
          p[col + i] = (float) (he ? gaussian(r) * std : (r.nextDouble() * 2 - 1) * limit);
        }
      }
    }
    return p;
  }

  // Box-Muller from the stream itself, since SplittableRandom has no nextGaussian on JDK 17.
  private static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
