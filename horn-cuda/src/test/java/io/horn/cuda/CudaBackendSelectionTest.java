package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.core.HornJob;
import io.horn.core.Neuron;
import io.horn.core.StandardNeuron;
import io.horn.core.Synapse;
import io.horn.core.activation.Identity;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.IdxFile;
import io.horn.core.engine.Trainer;
import io.horn.core.math.Availability;
import io.horn.core.math.MathBackend;
import io.horn.core.math.MathBackends;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How Horn picks a math backend with horn-cuda on the class path. Without a usable GPU (the usual
 * case where these run) {@code auto} must fall back to the CPU and a request for {@code cuda}
 * must fail with the probe's reason; with one, {@code auto} takes cuda. Each test branches on
 * {@link CudaProbe#result()} and prints what it found.
 */
class CudaBackendSelectionTest {

  @TempDir
  Path dir;

  /** A user-written neuron: the standard math on the per-neuron path. */
  public static class UserNeuron extends Neuron {
    @Override
    public void forward(Iterable<Synapse> messages) throws IOException {
      double sum = 0;
      for (Synapse m : messages) {
        sum += m.getInput() * m.getWeight();
      }
      feedforward(getSquashingFunction().apply(sum));
    }

    @Override
    public void backward(Iterable<Synapse> messages) throws IOException {
      for (Synapse m : messages) {
        backpropagate(getSquashingFunction().applyDerivative(getOutput())
            * (m.getDelta() * m.getWeight()));
        push(-getLearningRate() * getOutput() * m.getDelta()
            + getMomentumWeight() * m.getPrevWeight());
      }
    }
  }

  /** Not exactly StandardNeuron: user code, so it runs on the CPU. */
  public static class SubclassedNeuron extends StandardNeuron {}

  private static CudaProbe.Result probe() {
    return CudaProbe.result();
  }

  private static void note(String what) {
    System.out.println("[CudaBackendSelectionTest] " + what);
  }

  private static NetworkSpec spec(Class<? extends Neuron> hidden) {
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(4, Identity.class, StandardNeuron.class, 0f));
    layers.add(new LayerSpec(16, ReLU.class, hidden, 0f));
    layers.add(new LayerSpec(3, SoftMax.class, StandardNeuron.class, 0f));
    return new NetworkSpec(layers, CrossEntropy.class);
  }

  private static TrainingSettings settings(boolean fastPath) {
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.THREADS, 2);
    c.set(HornOptions.LEARNING_RATE, 0.1f);
    c.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    c.set(HornOptions.BATCH_SIZE, 20);
    c.set(HornOptions.EPOCHS, 30);
    c.set(HornOptions.SEED, 7L);
    c.set(HornOptions.FAST_PATH, fastPath);
    return TrainingSettings.from(c);
  }

  private static boolean hasLinkageError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof LinkageError) {
        return true;
      }
    }
    return false;
  }

  @Test
  void cudaIsListedBeforeCpu() {
    List<String> names = new ArrayList<>();
    for (MathBackend b : MathBackends.all()) {
      names.add(b.name());
    }
    note("registered backends, best first: " + names);
    assertTrue(names.contains("cuda"), "horn-cuda is not registered: " + names);
    assertTrue(names.contains("cpu"), names.toString());
    assertTrue(names.indexOf("cuda") < names.indexOf("cpu"), names.toString());
    CudaBackend cuda = new CudaBackend();
    assertEquals("cuda", cuda.name());
    assertEquals(100, cuda.priority());
  }

  @Test
  void availabilityFollowsTheProbe() {
    Availability a = new CudaBackend().availability();
    CudaProbe.Result r = probe();
    note("cuda availability: " + a);
    assertEquals(r.usable, a.isUsable());
    assertEquals(r.reason, a.reason());
    assertFalse(a.reason().isEmpty());
    if (a.isUsable()) {
      assertTrue(a.reason().startsWith("NVIDIA"), a.reason());
      assertTrue(a.reason().matches(".*, compute \\d+\\.\\d+, \\d+ GiB, (cuBLAS|own sgemm kernel)"),
          a.reason());
    }
  }

  @Test
  void autoFallsBackToCpuWithoutAGpu() {
    NetworkSpec spec = spec(StandardNeuron.class);
    TrainingSettings s = settings(true);
    MathBackend chosen = MathBackends.select("auto", spec, s);
    Availability cuda = new CudaBackend().availability();
    if (cuda.isUsable()) {
      note("GPU present, auto picks cuda (" + cuda.reason() + "); fallback not exercised");
      assertEquals("cuda", chosen.name());
      return;
    }
    note("auto chose " + chosen.name() + "; it logs: passed over: cuda: " + cuda.reason());
    assertEquals("cpu", chosen.name());
    assertFalse(cuda.reason().trim().isEmpty(), "auto must be able to log why cuda was skipped");
  }

  @Test
  void namingCudaWithoutAGpuFailsWithTheReason() {
    CudaProbe.Result r = probe();
    assumeTrue(!r.usable, "skipped: CUDA is usable here (" + r.reason + ")");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> MathBackends.select("cuda", spec(StandardNeuron.class), settings(true)));
    note("select(\"cuda\") fails: " + e.getMessage());
    assertTrue(e.getMessage().contains("not usable here"), e.getMessage());
    assertTrue(e.getMessage().contains(r.reason), e.getMessage());
    assertFalse(hasLinkageError(e), "a LinkageError leaked into the cause chain");
  }

  @Test
  void userWrittenNeuronsAndTheSlowPathAreNotSupported() {
    CudaBackend cuda = new CudaBackend();
    assertTrue(cuda.supports(spec(StandardNeuron.class), settings(true)),
        CudaBackend.unsupported(spec(StandardNeuron.class), settings(true)));
    assertNull(CudaBackend.unsupported(spec(StandardNeuron.class), settings(true)));

    assertFalse(cuda.supports(spec(UserNeuron.class), settings(true)));
    String why = CudaBackend.unsupported(spec(UserNeuron.class), settings(true));
    note("user neuron: " + why);
    assertTrue(why.contains(UserNeuron.class.getName()), why);

    assertFalse(cuda.supports(spec(SubclassedNeuron.class), settings(true)),
        "only exactly StandardNeuron/DropoutNeuron run on the GPU");
    assertFalse(cuda.supports(spec(StandardNeuron.class), settings(false)),
        "horn.neuron.fastpath=false must keep the network on the CPU");

    // auto never hands a user neuron to cuda, GPU or not.
    assertEquals("cpu", MathBackends.select("auto", spec(UserNeuron.class), settings(true)).name());
  }

  private static ArrayDataset blobs(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] centers = {{2, 0, -2, 0}, {-2, 2, 0, 0}, {0, -2, 2, 2}};
    float[] x = new float[n * 4];
    int[] y = new int[n];
    for (int s = 0; s < n; s++) {
      y[s] = r.nextInt(3);
      for (int i = 0; i < 4; i++) {
        x[s * 4 + i] = centers[y[s]][i] + (float) ((r.nextDouble() - 0.5) * 1.5);
      }
    }
    return ArrayDataset.ofLabels(x, 4, y, 3);
  }

  @Test
  void trainingThroughAutoWorks() {
    NetworkSpec spec = spec(StandardNeuron.class);
    TrainingSettings s = settings(true);
    MathBackend backend = MathBackends.select("auto", spec, s);
    note("training on " + backend.name() + " (" + backend.availability().reason() + ")");
    ArrayDataset train = blobs(300, 1);
    ArrayDataset test = blobs(150, 2);
    Model m = new Trainer(spec, s, backend).fit(train, test, null);
    for (float p : m.parameters()) {
      assertTrue(Float.isFinite(p));
    }
    double acc = Double.parseDouble(m.metadata().get("test.accuracy"));
    note("test accuracy on " + backend.name() + ": " + acc);
    assertTrue(acc > 0.9, "accuracy " + acc + " on separable blobs");
  }

  // ------------------------------------------------------------------ a HornJob asking for cuda

  private static final int SIDE = 4;
  private static final int PIXELS = SIDE * SIDE;

  /** Synthetic IDX set: label k (0..3) lights quadrant k of a 4x4 image. */
  private static void writeSet(Path d, String prefix, int n, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] pixels = new byte[n * PIXELS];
    byte[] labels = new byte[n];
    for (int s = 0; s < n; s++) {
      int k = r.nextInt(4);
      labels[s] = (byte) k;
      for (int row = 0; row < SIDE; row++) {
        for (int col = 0; col < SIDE; col++) {
          boolean lit = row / 2 == k / 2 && col / 2 == k % 2;
          pixels[s * PIXELS + row * SIDE + col] = (byte) (lit ? 150 + r.nextInt(100) : r.nextInt(80));
        }
      }
    }
    try (DataOutputStream out = new DataOutputStream(
        Files.newOutputStream(d.resolve(prefix + "-images-idx3-ubyte")))) {
      out.writeInt(IdxFile.IMAGES_MAGIC);
      out.writeInt(n);
      out.writeInt(SIDE);
      out.writeInt(SIDE);
      out.write(pixels);
    }
    try (DataOutputStream out = new DataOutputStream(
        Files.newOutputStream(d.resolve(prefix + "-labels-idx1-ubyte")))) {
      out.writeInt(IdxFile.LABELS_MAGIC);
      out.writeInt(n);
      out.write(labels);
    }
  }

  private HornJob cudaJob() throws IOException {
    Path data = dir.resolve("quadrants");
    Files.createDirectories(data);
    writeSet(data, "train", 200, 1);
    HornConfiguration conf = new HornConfiguration();
    conf.set(HornOptions.THREADS, 2);
    conf.set(HornOptions.RUNNER, "local");
    conf.set(HornOptions.MATH_BACKEND, "cuda");
    HornJob job = new HornJob(conf, CudaBackendSelectionTest.class);
    job.setLearningRate(0.1).setMomentumWeight(0.9).setBatchSize(20).setEpochs(2).setSeed(3);
    job.inputLayer(PIXELS, ReLU.class, StandardNeuron.class);
    job.addLayer(16, ReLU.class, StandardNeuron.class);
    // IDX labels load as MNIST's ten one-hot classes.
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    job.setTrainingSetPath(data.toString());
    return job;
  }

  @Test
  void hornJobAskingForCudaFailsClearlyWithoutAGpu() throws Exception {
    CudaProbe.Result r = probe();
    assumeTrue(!r.usable, "skipped: CUDA is usable here (" + r.reason + ")");
    HornJob job = cudaJob();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> job.waitForCompletion(false));
    note("HornJob with horn.math.backend=cuda fails: " + e.getMessage());
    assertTrue(e.getMessage().contains("not usable here"), e.getMessage());
    assertTrue(e.getMessage().contains(r.reason), e.getMessage());
    assertFalse(hasLinkageError(e), "a LinkageError leaked into the cause chain");
    assertNull(job.getModel());
  }

  // ------------------------------------------------------------------ GPU machines only

  /** On a GPU machine (run-gpu-checks.sh): auto takes cuda and a HornJob trains on it. */
  @Tag("gpu")
  @Test
  void gpuRunsAHornJob() throws Exception {
    CudaProbe.Result r = probe();
    if (!r.usable && !CudaProbeTest.gpuRequired()) {
      note("gpu check skipped (no usable GPU and horn.require.gpu is not set): " + r.reason);
    }
    assumeTrue(r.usable || CudaProbeTest.gpuRequired(), "skipped: no usable GPU: " + r.reason);
    assertTrue(r.usable, "CUDA must be usable on this machine, but: " + r.describe());
    assertSame(CudaBackend.class,
        MathBackends.select("auto", spec(StandardNeuron.class), settings(true)).getClass());
    HornJob job = cudaJob();
    assertTrue(job.waitForCompletion(false));
    Model m = job.getModel();
    assertNotNull(m);
    assertEquals("cuda", m.metadata().get("backend"));
    note("HornJob trained on " + r.describe() + " in " + m.metadata().get("trained.steps")
        + " steps");
  }
}
