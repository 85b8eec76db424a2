package io.horn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.activation.Identity;
import io.horn.core.activation.ReLU;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.SquaredError;
import io.horn.core.engine.CpuBackend;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.NetworkSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The float of {@code inputLayer(n, p)} and {@code addLayer(n, p, ...)} is Apache Horn's keep
 * probability: {@code inputLayer(n, 0.8f)} keeps 80% of the inputs in training, measured on the
 * inputs a neuron of the next layer actually receives.
 */
class KeepProbabilityTest {
  private static final int INPUTS = 1000;
  private static final int BATCH = 64;

  /** Counts the non-zero inputs it receives (the bias synapse, always 1, excluded). */
  public static class CountingNeuron extends Neuron {
    static long seen;
    static long nonZero;
    static double lastInput;

    @Override
    public void forward(Iterable<Synapse> messages) {
      double sum = 0;
      int i = 0;
      for (Synapse m : messages) {
        if (i++ < INPUTS) {
          seen++;
          nonZero += m.getInput() != 0 ? 1 : 0;
          lastInput = m.getInput();
        }
        sum += m.getInput() * m.getWeight();
      }
      feedforward(squashingFunction.apply(sum));
    }

    @Override
    public void backward(Iterable<Synapse> messages) {}
  }

  private static NetworkSpec net(float inputKeep) {
    HornJob job = new HornJob(new HornConfiguration(), KeepProbabilityTest.class);
    job.inputLayer(INPUTS, inputKeep);
    job.outputLayer(1, Identity.class, CountingNeuron.class);
    job.setCostFunction(SquaredError.class);
    return job.getNetworkSpec();
  }

  /** The share of inputs the output neuron saw non-zero over {@code steps} training steps. */
  private static double keptShare(NetworkSpec spec, int steps) {
    HornConfiguration conf = new HornConfiguration();
    conf.set(HornOptions.THREADS, 1);
    TrainingSettings s = TrainingSettings.from(conf);
    float[] x = new float[INPUTS * BATCH];
    Arrays.fill(x, 1f);
    float[] t = new float[BATCH];
    CountingNeuron.seen = 0;
    CountingNeuron.nonZero = 0;
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, BATCH)) {
      e.setParameters(new float[spec.parameterCount()]);
      Gradients g = new Gradients(spec.parameterCount());
      for (int step = 0; step < steps; step++) {
        g.clear();
        e.computeGradients(x, t, BATCH, step, g);
      }
      assertEquals((long) steps * BATCH * INPUTS, CountingNeuron.seen);
      double share = (double) CountingNeuron.nonZero / CountingNeuron.seen;
      // Inference drops nothing and scales every input by the keep probability.
      e.predict(x, 1, new float[1]);
      assertEquals(1f - spec.layer(0).dropRate(), CountingNeuron.lastInput, 1e-6);
      return share;
    }
  }

  @Test
  void inputLayerKeepsTheGivenShareOfInputs() {
    NetworkSpec spec = net(0.8f);
    assertEquals(0.2f, spec.layer(0).dropRate(), 0f, "stored as the decimal drop rate");
    // 4 x 64 x 1000 Bernoulli draws: the standard error of the share is 0.001.
    double kept = keptShare(spec, 4);
    assertEquals(0.8, kept, 0.01, "kept share of the inputs with inputLayer(n, 0.8f)");
    assertEquals(0.3, keptShare(net(0.3f), 4), 0.01);
    assertEquals(1.0, keptShare(net(1f), 1), 0.0, "1 keeps every input");
  }

  @Test
  void hiddenLayersTakeTheKeepProbabilityToo() {
    HornJob job = new HornJob(new HornConfiguration(), KeepProbabilityTest.class);
    job.inputLayer(4, ReLU.class, StandardNeuron.class);
    job.addLayer(8, 0.9f, ReLU.class, DropoutNeuron.class);
    job.addLayer(8, ReLU.class, DropoutNeuron.class);
    job.addLayer(8, ReLU.class, StandardNeuron.class);
    job.outputLayer(2, Identity.class, StandardNeuron.class);
    NetworkSpec spec = job.getNetworkSpec();
    assertEquals(0f, spec.layer(0).dropRate());
    assertEquals(0.1f, spec.layer(1).dropRate(), 0f);
    assertEquals(1f - DropoutNeuron.DEFAULT_KEEP_PROBABILITY, spec.layer(2).dropRate(), 0f);
    assertEquals(0f, spec.layer(3).dropRate());
    assertEquals(0f, spec.layer(4).dropRate());
  }

  @Test
  void keepProbabilityOutsideZeroToOneIsRefused() {
    HornJob job = new HornJob(new HornConfiguration(), KeepProbabilityTest.class);
    for (float bad : new float[] {0f, -0.5f, 1.5f, Float.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> job.inputLayer(3, bad));
      assertTrue(e.getMessage().contains("keep probability must be in (0, 1]"), e.getMessage());
    }
  }
}
