package io.horn.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.horn.core.DropoutNeuron;
import io.horn.core.Neuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.activation.LeakyReLU;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.MnistData;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported models run in ONNX Runtime and give Horn's own outputs, on 1,000 real MNIST test
 * images: a model trained here, and a random-weight one with every activation and dropout.
 */
class OnnxExportTest {
  private static final int SAMPLES = 1000;
  private static final float TOLERANCE = 1e-5f;
  private static ArrayDataset train;
  private static ArrayDataset test;

  @TempDir Path dir;

  /** Loads MNIST once; skips the calling test without it (fails with horn.require.mnist). */
  private static void loadMnist() throws IOException {
    if (test != null) {
      return;
    }
    String prop = System.getProperty("horn.mnist.dir", "");
    Path mnist = prop.isEmpty() ? null : Paths.get(prop);
    if (mnist == null || !Files.isDirectory(mnist)) {
      String why = "MNIST not found in '" + prop + "' (system property horn.mnist.dir)";
      if (Boolean.getBoolean("horn.require.mnist")) {
        fail(why);
      }
      Assumptions.assumeTrue(false, why);
    }
    train = MnistData.load(mnist, MnistData.TRAIN).subset(0, 6000);
    test = MnistData.load(mnist, MnistData.TEST).subset(0, SAMPLES);
  }

  private static TrainingSettings settings() {
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.THREADS, 2);
    c.set(HornOptions.EPOCHS, 2);
    c.set(HornOptions.BATCH_SIZE, 32);
    c.set(HornOptions.LEARNING_RATE, 0.1f);
    return TrainingSettings.from(c);
  }

  @Test
  @Tag("mnist")
  void trainedModelGivesHornsOutputsInOnnxRuntime() throws Exception {
    loadMnist();
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(784, Identity.class, StandardNeuron.class, 0f),
        new LayerSpec(64, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(10, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    Model model = new Trainer(spec, settings(), new CpuBackend()).fit(train, null, null);
    float[] horn = hornOutputs(model);
    float[] onnx = onnxOutputs(model);
    assertClose(horn, onnx);
    // A trained model, not a degenerate one: most test images classified right.
    int correct = 0;
    for (int s = 0; s < SAMPLES; s++) {
      correct += argmax(onnx, s * 10) == test.label(s) ? 1 : 0;
    }
    assertTrue(correct >= 850, "ONNX Runtime classifies " + correct + " of 1000 right");
  }

  @Test
  @Tag("mnist")
  void everyActivationAndDropoutScaleMatch() throws Exception {
    loadMnist();
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(784, Identity.class, StandardNeuron.class, 0.2f),
        new LayerSpec(48, Sigmoid.class, StandardNeuron.class, 0f),
        new LayerSpec(32, Tanh.class, DropoutNeuron.class, 0.5f),
        new LayerSpec(24, LeakyReLU.class, StandardNeuron.class, 0.1f),
        new LayerSpec(16, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(10, Identity.class, StandardNeuron.class, 0f)), SquaredError.class);
    float[] p = new float[spec.parameterCount()];
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (r.nextGaussian() * 0.3);
    }
    Model model = new Model(spec, p, Collections.emptyMap());
    assertClose(hornOutputs(model), onnxOutputs(model));
  }

  @Test
  void graphDeclaresItsInputAndOutput() throws Exception {
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(5, Identity.class, StandardNeuron.class, 0f),
        new LayerSpec(3, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    Model model = new Model(spec, new float[spec.parameterCount()], Collections.emptyMap());
    Path file = dir.resolve("m.onnx");
    OnnxExport.save(model, file);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
      Map<String, NodeInfo> in = s.getInputInfo();
      Map<String, NodeInfo> out = s.getOutputInfo();
      assertEquals(List.of(OnnxExport.INPUT), List.copyOf(in.keySet()));
      assertEquals(List.of(OnnxExport.OUTPUT), List.copyOf(out.keySet()));
      assertArrayEquals(new long[] {-1, 5}, ((TensorInfo) in.get("input").getInfo()).getShape());
      assertArrayEquals(new long[] {-1, 3}, ((TensorInfo) out.get("output").getInfo()).getShape());
      assertEquals("Horn", s.getMetadata().getProducerName());
      assertEquals(spec.toConfString(),
          s.getMetadata().getCustomMetadataValue("horn.network").orElse(null));
    }
  }

  /** A neuron whose forward is user code. */
  public static final class ClippedNeuron extends StandardNeuron {}

  /** An activation without an ONNX operator. */
  public static final class Cube extends ActivationFunction {
    @Override
    public double apply(double x) {
      return x * x * x;
    }

    @Override
    public double applyDerivative(double y) {
      return 3 * Math.cbrt(y) * Math.cbrt(y);
    }
  }

  @Test
  void refusesUserNeuronsAndUnknownActivations() {
    Model neuron = zeros(spec(ClippedNeuron.class, Sigmoid.class));
    UnsupportedModelException e =
        assertThrows(UnsupportedModelException.class, () -> OnnxExport.toBytes(neuron));
    assertTrue(e.getMessage().contains("layer 1 (4 units)"), e.getMessage());
    assertTrue(e.getMessage().contains(ClippedNeuron.class.getName()), e.getMessage());

    Model act = zeros(spec(StandardNeuron.class, Cube.class));
    e = assertThrows(UnsupportedModelException.class, () -> OnnxExport.save(act, dir.resolve("x")));
    assertTrue(e.getMessage().contains("layer 1 (4 units)"), e.getMessage());
    assertTrue(e.getMessage().contains(Cube.class.getName()), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("x")), "a refused model leaves no file");
  }

  private static NetworkSpec spec(Class<? extends Neuron> neuron,
      Class<? extends ActivationFunction> act) {
    return new NetworkSpec(List.of(
        new LayerSpec(3, Identity.class, StandardNeuron.class, 0f),
        new LayerSpec(4, act, neuron, 0f),
        new LayerSpec(2, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
  }

  private static Model zeros(NetworkSpec spec) {
    return new Model(spec, new float[spec.parameterCount()], Collections.emptyMap());
  }

  private static float[] features() {
    float[] x = new float[SAMPLES * test.featureCount()];
    for (int s = 0; s < SAMPLES; s++) {
      for (int j = 0; j < test.featureCount(); j++) {
        x[s * test.featureCount() + j] = test.feature(s, j);
      }
    }
    return x;
  }

  private static float[] hornOutputs(Model model) {
    NetworkSpec spec = model.spec();
    float[] y = new float[SAMPLES * spec.outputSize()];
    try (NetworkEngine e =
        new CpuBackend().createEngine(spec, TrainingSettings.defaults(), 256)) {
      e.setParameters(model.parameters());
      e.predict(features(), SAMPLES, y);
    }
    return y;
  }

  private float[] onnxOutputs(Model model) throws Exception {
    Path file = dir.resolve("model.onnx");
    OnnxExport.save(model, file);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
        OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(features()),
            new long[] {SAMPLES, model.spec().inputSize()});
        OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, x))) {
      float[][] out = (float[][]) r.get(OnnxExport.OUTPUT).get().getValue();
      assertEquals(SAMPLES, out.length);
      float[] flat = new float[SAMPLES * model.spec().outputSize()];
      for (int i = 0; i < SAMPLES; i++) {
        System.arraycopy(out[i], 0, flat, i * out[i].length, out[i].length);
      }
      return flat;
    }
  }

  private static void assertClose(float[] horn, float[] onnx) {
    assertEquals(horn.length, onnx.length);
    float worst = 0;
    int at = -1;
    for (int i = 0; i < horn.length; i++) {
      float d = Math.abs(horn[i] - onnx[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    System.out.println("largest |Horn - ONNX Runtime| over " + horn.length + " outputs: " + worst);
    assertTrue(worst <= TOLERANCE, "output " + at + ": Horn " + (at < 0 ? "" : horn[at])
        + ", ONNX Runtime " + (at < 0 ? "" : onnx[at]) + " (max " + TOLERANCE + "); all Horn "
        + Arrays.toString(Arrays.copyOf(horn, 10)));
  }

  private static int argmax(float[] v, int off) {
    int best = 0;
    for (int i = 1; i < 10; i++) {
      best = v[off + i] > v[off + best] ? i : best;
    }
    return best;
  }
}
