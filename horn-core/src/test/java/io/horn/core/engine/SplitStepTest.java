package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.math.BlasThreads;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A step split over the engine's threads (each part's samples through every layer, gradients by
 * neurons) computes what one thread computes: the same dropout masks, the same gradients, cost and
 * updated weights up to float rounding (BLAS may round a split product differently), for batches
 * smaller than, equal to and larger than the thread count.
 */
class SplitStepTest {
  private static final int MAX_BATCH = 130;

  /**
   * 450-301-37-5 with input and hidden dropout: every piece of the step runs, and the bottom layer
   * is large enough to be reported in blocks (uneven ones).
   */
  private static NetworkSpec net() {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(450, Sigmoid.class, StandardNeuron.class, 0.2f));
    layers.add(new LayerSpec(301, ReLU.class, StandardNeuron.class, 0.5f));
    layers.add(new LayerSpec(37, Tanh.class, StandardNeuron.class, 0f));
    layers.add(new LayerSpec(5, SoftMax.class, StandardNeuron.class, 0f));
    return new NetworkSpec(layers, CrossEntropy.class);
  }

  private static TrainingSettings settings(int threads) {
    return Nets.settings("horn.threads", threads, "horn.learning.rate", 0.1,
        "horn.momentum.weight", 0.9);
  }

  /** Three training steps; returns {gradients of the last, weights after, cost, predictions}. */
  private static float[][] train(NetworkSpec spec, int threads, int batch) {
    float[] p = Initializer.initialize(spec, "auto", 7);
    try (NetworkEngine e = new CpuBackend().createEngine(spec, settings(threads), MAX_BATCH)) {
      if (threads > 1) {
        assertEquals(BlasThreads.callerOnly() ? threads : 1, CpuBackend.stepThreads(e),
            "a step is split over the engine's threads wherever BLAS runs on its callers");
      }
      e.setParameters(p);
      Gradients g = new Gradients(spec.parameterCount());
      for (int step = 0; step < 3; step++) {
        float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), batch, 100 + step);
        g.clear();
        e.computeGradients(b[0], b[1], batch, step, g);
        e.applyUpdate(g);
      }
      float[] after = new float[spec.parameterCount()];
      e.getParameters(after);
      float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), batch, 9);
      float[] y = new float[spec.outputSize() * batch];
      e.predict(b[0], batch, y);
      return new float[][] {g.sums().clone(), after, {(float) g.cost()}, y};
    }
  }

  @ParameterizedTest(name = "batch {0}")
  @ValueSource(ints = {1, 2, 7, 128})
  void splitStepsMatchOneThread(int batch) {
    NetworkSpec spec = net();
    float[][] one = train(spec, 1, batch);
    for (int threads : new int[] {2, 3}) {
      float[][] split = train(spec, threads, batch);
      String what = threads + " threads, batch " + batch;
      // A mask drawn differently would change whole units: far beyond these tolerances.
      assertClose(one[0], split[0], 2e-4f, "gradient sums, " + what);
      assertClose(one[1], split[1], 2e-5f, "weights after three updates, " + what);
      assertEquals(one[2][0], split[2][0], 1e-4f * Math.abs(one[2][0]), "cost, " + what);
      assertClose(one[3], split[3], 1e-5f, "predictions, " + what);
    }
  }

  /**
   * The in-process trainer's step ({@code trainStep}) fuses momentum descent into the gradient
   * products: it must move the weights as computing the gradients and then applying them does,
   * up to float rounding, one thread or split, with dropout.
   */
  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 3})
  void theFusedStepMovesTheWeightsAsGradientsThenUpdate(int threads) {
    NetworkSpec spec = net();
    float[] p = Initializer.initialize(spec, "auto", 5);
    float[][] viaGradients = new float[2][];
    float[][] fused = new float[2][];
    for (boolean fuse : new boolean[] {false, true}) {
      try (NetworkEngine e = new CpuBackend().createEngine(spec, settings(threads), MAX_BATCH)) {
        e.setParameters(p);
        Gradients g = new Gradients(spec.parameterCount());
        double cost = 0;
        for (int step = 0; step < 4; step++) {
          float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), 64, 300 + step);
          if (fuse) {
            cost = e.trainStep(b[0], b[1], 64, step, g);
            assertEquals(0, g.count(), "the fused step writes no gradients");
          } else {
            g.clear();
            e.computeGradients(b[0], b[1], 64, step, g);
            e.applyUpdate(g);
            cost = g.cost();
          }
        }
        float[] w = new float[spec.parameterCount()];
        e.getParameters(w);
        float[][] out = fuse ? fused : viaGradients;
        out[0] = w;
        out[1] = new float[] {(float) cost, e.optimizerState().updates()};
      }
    }
    assertClose(viaGradients[0], fused[0], 2e-5f, "weights after four steps");
    assertEquals(viaGradients[1][0], fused[1][0], 1e-4f * Math.abs(viaGradients[1][0]), "cost");
    assertEquals(4f, fused[1][1], "updates counted");
  }

  @org.junit.jupiter.api.Test
  void aFusedStepWithANonFiniteCostChangesNothing() {
    NetworkSpec spec = net();
    float[] p = Initializer.initialize(spec, "auto", 5);
    try (NetworkEngine e = new CpuBackend().createEngine(spec, settings(2), MAX_BATCH)) {
      e.setParameters(p);
      float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), 32, 1);
      b[0][7] = Float.NaN;
      double cost = e.trainStep(b[0], b[1], 32, 0, new Gradients(spec.parameterCount()));
      assertTrue(Double.isNaN(cost), "cost " + cost);
      float[] after = new float[p.length];
      e.getParameters(after);
      assertArrayEquals(p, after, 0f);
      assertEquals(0, e.optimizerState().updates());
    }
  }

  /** A user neuron whose backward pass fails while {@link #fail} is set. */
  public static class FailingNeuron extends io.horn.core.Neuron {
    static volatile boolean fail;
    static final java.util.concurrent.atomic.AtomicInteger CALLS =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void forward(Iterable<io.horn.core.Synapse> messages) throws java.io.IOException {
      double sum = 0;
      for (io.horn.core.Synapse m : messages) {
        sum += m.getInput() * m.getWeight();
      }
      feedforward(squashingFunction.apply(sum));
    }

    @Override
    public void backward(Iterable<io.horn.core.Synapse> messages) throws java.io.IOException {
      for (io.horn.core.Synapse m : messages) {
        backpropagate(squashingFunction.applyDerivative(getOutput()) * m.getDelta()
            * m.getWeight());
        push(-getLearningRate() * getOutput() * m.getDelta());
      }
      // Fails after many neurons and samples have pushed: their sums are half made.
      if (fail && CALLS.incrementAndGet() > 200) {
        throw new java.io.IOException("neuron failed on purpose");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aStepThatFailsInAUserLayerLeavesTheNextStepExact() {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(40, Sigmoid.class, StandardNeuron.class, 0f));
    layers.add(new LayerSpec(30, Tanh.class, FailingNeuron.class, 0f));
    layers.add(new LayerSpec(4, SoftMax.class, StandardNeuron.class, 0f));
    NetworkSpec spec = new NetworkSpec(layers, CrossEntropy.class);
    float[] p = Initializer.initialize(spec, "auto", 3);
    float[][] b = Nets.batch(40, 4, 16, 21);
    Gradients expected = new Gradients(spec.parameterCount());
    try (NetworkEngine e = new CpuBackend().createEngine(spec, settings(2), 16)) {
      e.setParameters(p);
      e.computeGradients(b[0], b[1], 16, 1, expected);
    }
    Gradients after = new Gradients(spec.parameterCount());
    try (NetworkEngine e = new CpuBackend().createEngine(spec, settings(2), 16)) {
      e.setParameters(p);
      FailingNeuron.CALLS.set(0);
      FailingNeuron.fail = true;
      try {
        Gradients g = new Gradients(spec.parameterCount());
        java.io.UncheckedIOException thrown = org.junit.jupiter.api.Assertions.assertThrows(
            java.io.UncheckedIOException.class, () -> e.computeGradients(b[0], b[1], 16, 1, g));
        assertTrue(thrown.getMessage().contains("neuron failed on purpose"), thrown.getMessage());
      } finally {
        FailingNeuron.fail = false;
      }
      e.computeGradients(b[0], b[1], 16, 1, after);
    }
    // The failed step's half-summed pushes must not leak into the next step.
    assertArrayEquals(expected.sums(), after.sums(), 0f);
  }

  private static void assertClose(float[] expected, float[] actual, float tol, String what) {
    assertEquals(expected.length, actual.length, what);
    float scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 0, what + ": all zero");
    for (int i = 0; i < expected.length; i++) {
      float d = Math.abs(expected[i] - actual[i]);
      if (d > tol * Math.max(1f, scale)) {
        assertArrayEquals(expected, actual, tol * Math.max(1f, scale), what + " at " + i);
      }
    }
  }
}
