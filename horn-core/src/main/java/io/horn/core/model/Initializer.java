package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;

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
      initializeNeurons(spec, method, seed, l, 0, spec.size(l), p, spec.offset(l));
    }
    return p;
  }

  /**
   * Neurons {@code [from, to)} of layer {@code layer} exactly as {@link #initialize} draws them
   * (each neuron's incoming weights, then its bias, 0), written contiguously to {@code dst} from
   * {@code dstOff}: a model-parallel member builds its slice without the whole vector.
   */
  public static void initializeNeurons(NetworkSpec spec, String method, long seed, int layer,
      int from, int to, float[] dst, int dstOff) {
    checkArgument(layer >= 1 && layer < spec.depth(), "no weight layer %s", layer);
    checkArgument(from >= 0 && from <= to && to <= spec.size(layer), "neurons [%s, %s) outside "
        + "layer %s of %s", from, to, layer, spec.size(layer));
    int in = spec.size(layer - 1);
    int out = spec.size(layer);
    checkArgument(dstOff >= 0 && dstOff + (long) (to - from) * (in + 1) <= dst.length,
        "dst too short");
    Class<?> act = spec.layer(layer).activation();
    boolean he = method.equals("he")
        || (method.equals("auto") && (act == ReLU.class || act == LeakyReLU.class));
    if (!he && !method.equals("xavier") && !method.equals("auto")) {
      throw new IllegalArgumentException("unknown initialisation '" + method
          + "' for horn.init: use auto, xavier or he");
    }
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + layer);
    double std = Math.sqrt(2.0 / in);
    double limit = Math.sqrt(6.0 / (in + out));
    // The stream runs neuron after neuron: the draws of the neurons before the slice are made
    // and dropped, so that a slice holds the very values of the whole vector.
    for (long skip = (long) from * in; skip > 0; skip--) {
      if (he) {
        gaussian(r);
      } else {
        r.nextDouble();
      }
    }
    for (int j = from; j < to; j++) {
      int col = dstOff + (j - from) * (in + 1);
      for (int i = 0; i < in; i++) {
        dst[col + i] = (float) (he ? gaussian(r) * std : (r.nextDouble() * 2 - 1) * limit);
      }
      dst[col + in] = 0f;
    }
  }

  // Box-Muller from the stream itself, since SplittableRandom has no nextGaussian on JDK 17.
  private static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
