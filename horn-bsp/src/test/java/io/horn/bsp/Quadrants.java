package io.horn.bsp;

import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.cost.CrossEntropy;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small real classification problem written as MNIST-style idx files: 8×8 images in which
 * class k (0..3) lights up quadrant k, with noise.
 */
final class Quadrants {
  private Quadrants() {}

  static void write(Path dir, String prefix, int n, long seed) throws IOException {
    write(dir, prefix, n, seed, false);
  }

  /**
   * As {@link #write(Path, String, int, long)}; {@code sorted}: the first half of the samples
   * are of classes 0 and 1, the second half of classes 2 and 3 (data as it often comes).
   */
  static void write(Path dir, String prefix, int n, long seed, boolean sorted)
      throws IOException {
    Files.createDirectories(dir);
    SplittableRandom r = new SplittableRandom(seed);
    byte[] pixels = new byte[n * 64];
    byte[] labels = new byte[n];
    for (int s = 0; s < n; s++) {
      int k = sorted ? (s < n / 2 ? 0 : 2) + r.nextInt(2) : r.nextInt(4);
      labels[s] = (byte) k;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          int q = (y / 4) * 2 + (x / 4);
          double v = (q == k ? 0.7 : 0.1) + r.nextDouble() * 0.4;
          pixels[s * 64 + y * 8 + x] = (byte) Math.min(255, (int) (v * 255));
        }
      }
    }
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(
        dir.resolve(prefix + "-images-idx3-ubyte")))) {
      out.writeInt(0x803);
      out.writeInt(n);
      out.writeInt(8);
      out.writeInt(8);
      out.write(pixels);
    }
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(
        dir.resolve(prefix + "-labels-idx1-ubyte")))) {
      out.writeInt(0x801);
      out.writeInt(n);
      out.write(labels);
    }
  }

  /** The largest absolute difference between two weight vectors of the same length. */
  static double largestDifference(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  /** The network these tests train on the quadrants: 64-32-10, ReLU, softmax, momentum SGD. */
  static HornJob network(HornJob job) {
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.inputLayer(64, ReLU.class, StandardNeuron.class);
    job.addLayer(32, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    return job;
  }
}
