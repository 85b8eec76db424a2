package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.DropoutNeuron;
import io.horn.core.HornStyleNeuron;
import io.horn.core.Neuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-neuron path running an Apache Horn-style user neuron must train exactly like the whole-layer BLAS
 * path of the built-in StandardNeuron.
 */
class EquivalenceTest {

  private static float[] train(NetworkSpec spec, TrainingSettings s, int steps, int batch) {
    float[] p = Initializer.initialize(spec, "auto", 7);
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, batch)) {
      e.setParameters(p);
      Gradients g = new Gradients(spec.parameterCount());
      for (int step = 0; step < steps; step++) {
        float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), batch, 100 + step);
        g.clear();
        e.computeGradients(b[0], b[1], batch, step, g);
        e.applyUpdate(g);
      }
      e.getParameters(p);
    }
    return p;
  }

  private static void assertClose(float[] expected, float[] actual, double relTol) {
    double diff = 0;
    double norm = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - actual[i]);
      diff += d * d;
      norm += (double) expected[i] * expected[i];
      worst = Math.max(worst, d / Math.max(Math.abs(expected[i]), 1e-2));
    }
    double rel = Math.sqrt(diff / norm);
    assertTrue(rel <= relTol, "relative difference " + rel + " > " + relTol);
    assertTrue(worst <= 100 * relTol, "worst element differs by " + worst);
  }

  @SafeVarargs
  private static NetworkSpec net(Class<? extends Neuron> neuron, Class<? extends ActivationFunction>
      out, Class<? extends ActivationFunction>... hidden) {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(20, Sigmoid.class, neuron, 0f));
    int[] widths = {16, 12};
    for (int i = 0; i < hidden.length; i++) {
      layers.add(new LayerSpec(widths[i], hidden[i], neuron, 0f));
    }
    layers.add(new LayerSpec(5, out, neuron, 0f));
    return new NetworkSpec(layers, out == SoftMax.class ? CrossEntropy.class : SquaredError.class);
  }

  @Test
  void hornStyleNeuronMatchesBlasPathWithMomentum() {
    TrainingSettings s = Nets.settings("horn.learning.rate", 0.2, "horn.momentum.weight", 0.9);
    float[] fast = train(net(StandardNeuron.class, SoftMax.class, Sigmoid.class, ReLU.class), s, 8, 16);
    float[] user = train(net(HornStyleNeuron.class, SoftMax.class, Sigmoid.class, ReLU.class), s, 8, 16);
    assertClose(fast, user, 1e-5);
  }

  @Test
  void hornStyleNeuronMatchesWithSquaredErrorTanhAndDecay() {
    TrainingSettings s = Nets.settings("horn.learning.rate", 0.1, "horn.momentum.weight", 0.5,
        "horn.regularization.weight", 0.01);
    float[] fast = train(net(StandardNeuron.class, Sigmoid.class, Tanh.class), s, 6, 9);
    float[] user = train(net(HornStyleNeuron.class, Sigmoid.class, Tanh.class), s, 6, 9);
    assertClose(fast, user, 1e-5);
  }

  @Test
  void standardNeuronOnPerNeuronPathMatchesBlasPath() {
    TrainingSettings fastS = Nets.settings("horn.learning.rate", 0.2);
    TrainingSettings slowS = Nets.settings("horn.learning.rate", 0.2, "horn.neuron.fastpath",
        false);
    NetworkSpec spec = net(StandardNeuron.class, SoftMax.class, ReLU.class, ReLU.class);
    assertClose(train(spec, fastS, 5, 8), train(spec, slowS, 5, 8), 1e-5);
  }

  @Test
  void dropoutIsTheSameOnBothPaths() {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(20, ReLU.class, StandardNeuron.class, 0.2f));
    layers.add(new LayerSpec(16, ReLU.class, DropoutNeuron.class, 0.5f));
    layers.add(new LayerSpec(5, SoftMax.class, StandardNeuron.class, 0f));
    NetworkSpec spec = new NetworkSpec(layers, CrossEntropy.class);
    float[] fast = train(spec, Nets.settings("horn.learning.rate", 0.1), 6, 8);
    float[] slow = train(spec, Nets.settings("horn.learning.rate", 0.1, "horn.neuron.fastpath",
        false), 6, 8);
    assertClose(fast, slow, 1e-5);
  }

  @Test
  void mixedNetworkTrainsLikeAllBuiltIn() {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(20, Sigmoid.class, StandardNeuron.class, 0f));
    layers.add(new LayerSpec(16, ReLU.class, HornStyleNeuron.class, 0f));
    layers.add(new LayerSpec(12, Tanh.class, StandardNeuron.class, 0f));
    layers.add(new LayerSpec(5, SoftMax.class, HornStyleNeuron.class, 0f));
    NetworkSpec mixed = new NetworkSpec(layers, CrossEntropy.class);
    TrainingSettings s = Nets.settings("horn.learning.rate", 0.2, "horn.momentum.weight", 0.8);
    float[] fast = train(net(StandardNeuron.class, SoftMax.class, ReLU.class, Tanh.class), s, 6,
        10);
    assertClose(fast, train(mixed, s, 6, 10), 1e-5);
  }

  @Test
  void resultsDoNotDependOnThreadCount() {
    NetworkSpec spec = net(HornStyleNeuron.class, SoftMax.class, ReLU.class, ReLU.class);
    float[] one = train(spec, Nets.settings("horn.threads", 1), 4, 7);
    float[] three = train(spec, Nets.settings("horn.threads", 3), 4, 7);
    for (int i = 0; i < one.length; i++) {
      assertEquals(Float.floatToIntBits(one[i]), Float.floatToIntBits(three[i]), "param " + i);
    }
  }
}
