package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.core.Neuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.MnistData;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.examples.bench.NeuronPathBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The examples' user neurons, compiled to run many samples at once, train on real MNIST to the
 * same bits as on the per-neuron path, and the model says which path each layer took.
 */
class WidenedExampleNeuronsTest {

  private static Model train(Class<? extends Neuron> neuron, ArrayDataset data, boolean widen) {
    List<LayerSpec> layers = List.of(new LayerSpec(784, ReLU.class, neuron, 0f),
        new LayerSpec(24, ReLU.class, neuron, 0.2f), new LayerSpec(10, SoftMax.class, neuron, 0f));
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.MAX_ITERATIONS, 3L);
    c.set(HornOptions.BATCH_SIZE, 100);
    c.set(HornOptions.LEARNING_RATE, 0.05f);
    c.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    c.set(HornOptions.WIDEN, widen);
    return new Trainer(new NetworkSpec(layers, CrossEntropy.class), TrainingSettings.from(c),
        new CpuBackend()).fit(data, null, null);
  }

  @Test
  void exampleNeuronsMatchThePerNeuronPathBitForBit() throws Exception {
    Path dir = Paths.get(System.getProperty("horn.mnist.dir", ".cache/mnist"));
    boolean present = Files.exists(dir.resolve("t10k-images-idx3-ubyte"));
    if (Boolean.getBoolean("horn.require.mnist")) {
      assertTrue(present, "MNIST is missing in " + dir + ": run bin/fetch-mnist");
    }
    assumeTrue(present, "MNIST not in " + dir + " (bin/fetch-mnist); skipping");
    ArrayDataset data = MnistData.load(dir, "t10k").subset(0, 300);
    for (Class<? extends Neuron> n : List.of(MultiLayerPerceptron.UserNeuron.class,
        NeuronPathBenchmark.NoPush.class, NeuronPathBenchmark.PushOnly.class)) {
      Model widened = train(n, data, true);
      Model scalar = train(n, data, false);
      assertArrayEquals(scalar.parameters(), widened.parameters(), n.getName());
      assertEquals("compiled neuron × 64 (" + n.getSimpleName() + ")",
          widened.metadata().get("path.layer.1"));
      assertEquals("scalar neuron (" + n.getSimpleName() + "): horn.neuron.widen is false",
          scalar.metadata().get("path.layer.1"));
    }
  }
}
