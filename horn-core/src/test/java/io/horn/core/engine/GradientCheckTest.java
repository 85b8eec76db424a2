package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.DropoutNeuron;
import io.horn.core.HornStyleNeuron;
import io.horn.core.Neuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.activation.LeakyReLU;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CostFunction;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backpropagation against central finite differences of the cost, for every activation as a
 * hidden and as an output layer, every cost, and every layer type (BLAS layers, the per-neuron
 * path, dropout). For user neurons, with learning rate 1 and no momentum, the pushed changes are
 * minus the gradient.
 */
class GradientCheckTest {

  static Stream<Arguments> cases() {
    List<Arguments> a = new ArrayList<>();
    List<Class<? extends ActivationFunction>> hidden =
        List.of(Sigmoid.class, Tanh.class, ReLU.class, LeakyReLU.class, Identity.class);
    for (Class<? extends ActivationFunction> h : hidden) {
      a.add(Arguments.of(h, SoftMax.class, CrossEntropy.class, StandardNeuron.class, 0f));
      a.add(Arguments.of(h, Sigmoid.class, CrossEntropy.class, HornStyleNeuron.class, 0f));
    }
    a.add(Arguments.of(Tanh.class, Sigmoid.class, SquaredError.class, StandardNeuron.class, 0f));
    a.add(Arguments.of(Sigmoid.class, SoftMax.class, SquaredError.class, StandardNeuron.class, 0f));
    a.add(Arguments.of(Sigmoid.class, Identity.class, SquaredError.class, HornStyleNeuron.class, 0f));
    a.add(Arguments.of(ReLU.class, Identity.class, SquaredError.class, StandardNeuron.class, 0f));
    a.add(Arguments.of(Sigmoid.class, SoftMax.class, CrossEntropy.class, DropoutNeuron.class,
        0.3f));
    a.add(Arguments.of(Tanh.class, SoftMax.class, CrossEntropy.class, HornStyleNeuron.class, 0.3f));
    return a.stream();
  }

  @ParameterizedTest(name = "{0} hidden, {1} out, {2}, {3}, drop {4}")
  @MethodSource("cases")
  void backpropMatchesFiniteDifferences(Class<? extends ActivationFunction> hidden,
      Class<? extends ActivationFunction> out, Class<? extends CostFunction> cost,
      Class<? extends Neuron> neuron, float drop) {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(6, Identity.class, neuron, 0f));
    layers.add(new LayerSpec(5, hidden, neuron, drop));
    layers.add(new LayerSpec(4, hidden, neuron, 0f));
    layers.add(new LayerSpec(3, out, neuron, 0f));
    NetworkSpec spec = new NetworkSpec(layers, cost);
    TrainingSettings s = Nets.settings("horn.learning.rate", 1, "horn.momentum.weight", 0);
    boolean user = neuron == HornStyleNeuron.class;
    int batch = 4;
    float[][] b = Nets.batch(6, 3, batch, 11);
    if (out != SoftMax.class && cost == CrossEntropy.class) {
      for (int i = 0; i < b[1].length; i++) {
        b[1][i] = 0.2f + 0.6f * b[1][i];
      }
    }
    float[] p = Initializer.initialize(spec, "xavier", 3);
    for (int i = 0; i < p.length; i++) {
      p[i] += 0.05f * (float) Math.sin(i); // non-zero biases too
    }
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, batch)) {
      e.setParameters(p);
      Gradients g = new Gradients(p.length);
      e.computeGradients(b[0], b[1], batch, 5, g);
      float[] analytic = g.sums().clone();
      // Kinks of piecewise-linear functions need a smaller step than float noise would like.
      boolean kinked = hidden == ReLU.class || hidden == LeakyReLU.class;
      double h = kinked ? 1e-3 : 1e-2;
      int checked = 0;
      for (int i = 0; i < p.length; i++) {
        double plus = costAt(e, p, i, (float) h, b, batch);
        double minus = costAt(e, p, i, (float) -h, b, batch);
        double numeric = (plus - minus) / (2 * h);
        double got = user ? -analytic[i] : analytic[i];
        double tol = 2e-2 * Math.max(Math.abs(numeric), Math.abs(got)) + 2e-3;
        assertTrue(Math.abs(numeric - got) <= tol,
            "parameter " + i + ": backprop " + got + ", finite difference " + numeric);
        checked++;
      }
      assertTrue(checked == spec.parameterCount());
    }
  }

  private static double costAt(NetworkEngine e, float[] p, int i, float h, float[][] b,
      int batch) {
    float[] q = p.clone();
    q[i] += h;
    e.setParameters(q);
    Gradients g = new Gradients(p.length);
    e.computeGradients(b[0], b[1], batch, 5, g); // same step: the same dropout mask
    e.setParameters(p);
    return g.cost();
  }
}
