package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.core.Neuron;
import io.horn.core.StandardNeuron;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real MNIST, trained in process: the fast path and an Apache Horn-style user neuron. */
@Tag("slow")
@Tag("mnist")
class MnistTrainingTest {
  private static ArrayDataset train;
  private static ArrayDataset test;

  @BeforeAll
  static void load() throws IOException {
    Path dir = Paths.get(System.getProperty("horn.mnist.dir", ".cache/mnist"));
    boolean present = Files.exists(dir.resolve("train-images-idx3-ubyte"));
    if (Boolean.getBoolean("horn.require.mnist")) {
      assertTrue(present, "MNIST is missing in " + dir + ": run bin/fetch-mnist");
    }
    assumeTrue(present, "MNIST not in " + dir + " (bin/fetch-mnist); skipping");
    train = MnistData.load(dir, "train");
    test = MnistData.load(dir, "t10k");
  }

  private static NetworkSpec net(Class<? extends Neuron> neuron, int... hidden) {
    List<LayerSpec> layers = new java.util.ArrayList<>();
    layers.add(new LayerSpec(784, ReLU.class, neuron, 0f));
    for (int h : hidden) {
      layers.add(new LayerSpec(h, ReLU.class, neuron, 0f));
    }
    layers.add(new LayerSpec(10, SoftMax.class, neuron, 0f));
    return new NetworkSpec(layers, CrossEntropy.class);
  }

  private static TrainingSettings settings(int epochs) {
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.EPOCHS, epochs);
    c.set(HornOptions.LEARNING_RATE, 0.05f);
    c.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    c.set(HornOptions.BATCH_SIZE, 128);
    return TrainingSettings.from(c);
  }

  @Test
  void fastPathReaches97PercentInTwoEpochs() {
    Model m = new Trainer(net(StandardNeuron.class, 500, 500), settings(2), new CpuBackend())
        .fit(train, test, null);
    double acc = Double.parseDouble(m.metadata().get("test.accuracy"));
    assertTrue(acc >= 0.97, "test accuracy " + acc);
  }

  @Test
  void hornStyleUserNeuronLearnsMnist() {
    Model m = new Trainer(net(MultiLayerPerceptron.UserNeuron.class, 32), settings(1),
        new CpuBackend()).fit(train.subset(0, 12000), test, null);
    double acc = Double.parseDouble(m.metadata().get("test.accuracy"));
    assertTrue(acc >= 0.88, "test accuracy " + acc);
  }
}
