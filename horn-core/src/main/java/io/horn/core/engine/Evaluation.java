package io.horn.core.engine;

import static com.google.common.base.Preconditions.checkArgument;

import io.horn.core.data.Dataset;
import io.horn.core.math.NetworkEngine;

/**
 * A network's accuracy and mean cost on a dataset, with the confusion matrix ({@code
 * confusion[actual][predicted]}). Immutable once computed.
 */
public final class Evaluation {
  private final int samples;
  private final int correct;
  private final double meanCost;
  private final long[][] confusion;

  private Evaluation(int samples, int correct, double meanCost, long[][] confusion) {
    this.samples = samples;
    this.correct = correct;
    this.meanCost = meanCost;
    this.confusion = confusion;
  }

  /** Runs {@code engine} over all of {@code data} in inference mode (no dropout). */
  public static Evaluation of(NetworkEngine engine, Dataset data) {
    int in = engine.spec().inputSize();
    int out = engine.spec().outputSize();
    checkArgument(data.featureCount() == in,
        "data has %s features per sample but the network's input layer has %s neurons",
        data.featureCount(), in);
    checkArgument(data.targetCount() == out,
        "data has %s targets per sample but the network's output layer has %s neurons",
        data.targetCount(), out);
    io.horn.core.cost.CostFunction cost =
        io.horn.core.model.Classes.instantiate(engine.spec().cost());
    io.horn.core.activation.ActivationFunction outAct =
        io.horn.core.model.Classes.instantiate(engine.spec().layer(engine.spec().depth() - 1)
            .activation());
    int chunk = engine.maxBatch();
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[in * chunk];
    float[] t = new float[out * chunk];
    float[] y = new float[out * chunk];
    long[][] confusion = new long[out][out];
    int correct = 0;
    double costSum = 0;
    for (int from = 0; from < order.length; from += chunk) {
      int b = Math.min(chunk, order.length - from);
      data.fill(order, from, b, x, in, t);
      engine.predict(x, b, y);
      for (int s = 0; s < b; s++) {
        int predicted = argmax(y, s * out, out);
        int actual = argmax(t, s * out, out);
        confusion[actual][predicted]++;
        if (predicted == actual) {
          correct++;
        }
        costSum += cost.cost(y, s * out, t, s * out, out, outAct);
      }
    }
    return new Evaluation(order.length, correct, order.length == 0 ? Double.NaN
        : costSum / order.length, confusion);
  }

  /** The first index of the largest of {@code v[off, off+n)}: the predicted class. */
  public static int argmax(float[] v, int off, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v[off + i] > v[off + best]) {
        best = i;
      }
    }
    return best;
  }

  public int samples() {
    return samples;
  }

  public double accuracy() {
    return samples == 0 ? Double.NaN : (double) correct / samples;
  }

  public double meanCost() {
    return meanCost;
  }

  /** A copy of the confusion matrix, {@code [actual][predicted]}. */
  public long[][] confusion() {
    long[][] c = new long[confusion.length][];
    for (int i = 0; i < c.length; i++) {
      c[i] = confusion[i].clone();
    }
    return c;
  }

  @Override
  public String toString() {
    return String.format("accuracy %.4f, cost %.4f over %d samples", accuracy(), meanCost, samples);
  }
}
