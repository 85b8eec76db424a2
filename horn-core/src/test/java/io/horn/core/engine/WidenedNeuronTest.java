package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.Neuron;
import io.horn.core.HornStyleNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * User neurons compiled to run many samples at once train to the very bits of the per-neuron
 * path; those that cannot be compiled say why and run on the per-neuron path.
 */
class WidenedNeuronTest {
  /** More than one pass of lanes, the last one partial. */
  private static final int BATCH = LayerPathsTestSupport.LANES + 23;

  static NetworkSpec net(Class<? extends Neuron> neuron, float drop) {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(13, Sigmoid.class, neuron, 0f));
    layers.add(new LayerSpec(11, ReLU.class, neuron, drop));
    layers.add(new LayerSpec(9, Tanh.class, StandardNeuron.class, 0f));
    layers.add(new LayerSpec(7, Sigmoid.class, neuron, 0f));
    layers.add(new LayerSpec(5, SoftMax.class, neuron, 0f));
    return new NetworkSpec(layers, CrossEntropy.class);
  }

  /** Parameters after some momentum + decay steps, then the predictions of a batch. */
  static float[][] train(NetworkSpec spec, boolean widen, boolean fastPath) {
    TrainingSettings s = Nets.settings("horn.learning.rate", 0.1, "horn.momentum.weight", 0.9,
        "horn.regularization.weight", 0.01, "horn.neuron.widen", widen,
        "horn.neuron.fastpath", fastPath);
    float[] p = Initializer.initialize(spec, "auto", 11);
    float[] y = new float[spec.outputSize() * BATCH];
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, BATCH)) {
      e.setParameters(p);
      Gradients g = new Gradients(spec.parameterCount());
      for (int step = 0; step < 4; step++) {
        float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), BATCH, 300 + step);
        g.clear();
        e.computeGradients(b[0], b[1], BATCH, step, g);
        e.applyUpdate(g);
      }
      e.getParameters(p);
      e.predict(Nets.batch(spec.inputSize(), spec.outputSize(), BATCH, 999)[0], BATCH, y);
    }
    return new float[][] {p, y};
  }

  static void assertSameBits(NetworkSpec spec, boolean fastPath) {
    float[][] scalar = train(spec, false, fastPath);
    float[][] widened = train(spec, true, fastPath);
    assertArrayEquals(scalar[0], widened[0], "parameters of " + spec);
    assertArrayEquals(scalar[1], widened[1], "predictions of " + spec);
  }

  private static LayerPaths.Path path(NetworkSpec spec, int layer) {
    return LayerPaths.of(spec, Nets.settings()).get(layer);
  }

  @Test
  void projectNeuronsCompileAndMatchBitForBit() {
    List<Class<? extends Neuron>> neurons = List.of(HornStyleNeuron.class, TestNeurons.ScaledTanh.class,
        TestNeurons.Softplus.class);
    for (Class<? extends Neuron> n : neurons) {
      NetworkSpec spec = net(n, 0f);
      assertEquals(LayerPaths.Kind.COMPILED, path(spec, 1).kind(), path(spec, 1).describe());
      assertEquals(LayerPaths.Kind.BLAS, path(spec, 2).kind());
      assertSameBits(spec, true);
      assertSameBits(net(n, 0.4f), true);
    }
  }

  @Test
  void builtInNeuronsOffTheFastPathCompileAndMatch() {
    NetworkSpec spec = net(StandardNeuron.class, 0.3f);
    TrainingSettings slow = Nets.settings("horn.neuron.fastpath", false);
    assertEquals(LayerPaths.Kind.COMPILED, LayerPaths.of(spec, slow).get(2).kind());
    assertSameBits(spec, false);
  }

  @Test
  void whatCannotBeWidenedSaysWhyAndRunsOneSampleAtATime() {
    LayerPaths.Path dropout = path(net(TestNeurons.Horn2016Dropout.class, 0f), 1);
    assertEquals(LayerPaths.Kind.SCALAR, dropout.kind());
    assertTrue(dropout.reason().startsWith("forward() line "), dropout.reason());
    assertTrue(dropout.describe().contains("Horn2016Dropout"), dropout.describe());
    LayerPaths.Path helper = path(net(TestNeurons.WithHelper.class, 0f), 1);
    assertEquals(LayerPaths.Kind.SCALAR, helper.kind());
    assertTrue(helper.reason().contains("calls") && helper.reason().contains("squash"),
        helper.reason());
    // Still the same training either way (both runs take the per-neuron path).
    assertSameBits(net(TestNeurons.WithHelper.class, 0.2f), true);
    LayerPaths.Path off = LayerPaths.of(net(HornStyleNeuron.class, 0f),
        Nets.settings("horn.neuron.widen", false)).get(1);
    assertEquals(LayerPaths.Kind.SCALAR, off.kind());
    assertEquals("horn.neuron.widen is false", off.reason());
  }
}
