package io.horn.core.engine;

import io.horn.core.Neuron;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CostFunction;
import io.horn.core.data.ArrayDataset;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small networks and data for engine tests. */
final class Nets {
  private Nets() {}

  @SafeVarargs
  static NetworkSpec spec(Class<? extends CostFunction> cost, Class<? extends Neuron> neuron,
      int[] sizes, Class<? extends ActivationFunction>... acts) {
    List<LayerSpec> layers = new ArrayList<>();
    for (int l = 0; l < sizes.length; l++) {
      layers.add(new LayerSpec(sizes[l], acts[l], neuron, 0f));
    }
    return new NetworkSpec(layers, cost);
  }

  static TrainingSettings settings(Object... keyValues) {
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.THREADS, 2);
    for (int i = 0; i < keyValues.length; i += 2) {
      c.set((String) keyValues[i], String.valueOf(keyValues[i + 1]));
    }
    return TrainingSettings.from(c);
  }

  /** Random features in [-1, 1] and random one-hot targets. */
  static float[][] batch(int in, int out, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[in * n];
    float[] t = new float[out * n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    for (int s = 0; s < n; s++) {
      t[s * out + r.nextInt(out)] = 1f;
    }
    return new float[][] {x, t};
  }

  /** Gaussian blobs, one per class, separable enough that a small net learns them. */
  static ArrayDataset blobs(int n, int features, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] centers = new float[classes][features];
    for (float[] c : centers) {
      for (int i = 0; i < features; i++) {
        c[i] = (float) (r.nextDouble() * 4 - 2);
      }
    }
    float[] x = new float[n * features];
    int[] y = new int[n];
    for (int s = 0; s < n; s++) {
      y[s] = r.nextInt(classes);
      for (int i = 0; i < features; i++) {
        x[s * features + i] = centers[y[s]][i] + (float) ((r.nextDouble() - 0.5) * 1.5);
      }
    }
    return ArrayDataset.ofLabels(x, features, y, classes);
  }
}
