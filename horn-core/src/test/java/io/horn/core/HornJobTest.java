package io.horn.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.data.IdxFile;
import io.horn.core.engine.TrainingDivergedException;
import io.horn.core.model.HistoryRecord;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.NetworkSpec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HornJobTest {
  /** Side of the synthetic square images. */
  private static final int SIDE = 8;
  private static final int PIXELS = SIDE * SIDE;
  private static final int CLASSES = 4;
  /**
   * IDX label files load as MNIST's ten one-hot classes (MnistData.CLASSES), whatever the largest
   * label, so the output layer is 10 wide; the data use labels 0..3 only.
   */
  private static final int OUTPUTS = 10;

  @TempDir
  Path dir;

  private HornConfiguration conf;

  @BeforeEach
  void setUp() {
    conf = new HornConfiguration();
    conf.set(HornOptions.THREADS, 2);
  }

  private static void assertMentions(Throwable e, String... parts) {
    String m = String.valueOf(e.getMessage());
    for (String p : parts) {
      assertTrue(m.contains(p), "message '" + m + "' should mention '" + p + "'");
    }
  }

  // ---------------------------------------------------------------- declaring the network

  private HornJob hornStyleJob() {
    HornJob job = new HornJob(conf, HornJobTest.class);
    job.setLearningRate(0.1);
    job.setMomentumWeight(0.9);
    job.setRegularizationWeight(0.0);
    job.setMaxIteration(100);
    job.inputLayer(784, Sigmoid.class, StandardNeuron.class);
    job.addLayer(500, Sigmoid.class, StandardNeuron.class);
    job.addLayer(500, Sigmoid.class, StandardNeuron.class);
    job.outputLayer(10, Sigmoid.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    return job;
  }

  @Test
  void hornStyleDeclarationBuildsTheNetwork() {
    HornJob job = hornStyleJob();
    NetworkSpec spec = job.getNetworkSpec();
    assertEquals(4, spec.depth());
    assertEquals(784, spec.inputSize());
    assertEquals(10, spec.outputSize());
    assertEquals(500, spec.size(1));
    assertEquals(500, spec.size(2));
    for (LayerSpec l : spec.layers()) {
      assertEquals(Sigmoid.class, l.activation());
      assertEquals(StandardNeuron.class, l.neuron());
      assertEquals(0f, l.dropRate());
    }
    assertEquals(CrossEntropy.class, spec.cost());
    assertEquals(785 * 500 + 501 * 500 + 501 * 10, spec.parameterCount());
    assertEquals(0.1f, conf.get(HornOptions.LEARNING_RATE));
    assertEquals(100L, conf.get(HornOptions.MAX_ITERATIONS));
    assertEquals(HornJobTest.class, job.getJobClass());
    assertTrue(job.getConfiguration() == conf);
    assertNull(job.getModel());
  }

  @Test
  void badHyperParametersFailNamingTheirKeys() {
    HornJob job = new HornJob(conf, HornJobTest.class);
    assertMentions(assertThrows(IllegalArgumentException.class, () -> job.setLearningRate(-0.1)),
        "horn.learning.rate", "-0.1");
    assertMentions(assertThrows(IllegalArgumentException.class, () -> job.setLearningRate(0)),
        "horn.learning.rate");
    assertMentions(assertThrows(IllegalArgumentException.class,
        () -> job.setMomentumWeight(1.5)), "horn.momentum.weight", "1.5");
    assertMentions(assertThrows(IllegalArgumentException.class, () -> job.setBatchSize(0)),
        "horn.batch.size", "0");
    assertMentions(assertThrows(IllegalArgumentException.class,
        () -> job.setRegularizationWeight(-1)), "horn.regularization.weight");
    assertMentions(assertThrows(IllegalArgumentException.class, () -> job.setEpochs(-1)),
        "horn.epochs");
    assertMentions(assertThrows(IllegalArgumentException.class,
        () -> job.setMaxIteration(-1)), "horn.max.iterations");
    assertMentions(assertThrows(IllegalArgumentException.class,
        () -> job.setConvergenceCheckInterval(0)), "horn.convergence.check.interval");
    // nothing bad was stored
    assertFalse(conf.isSet(HornOptions.LEARNING_RATE));
    assertFalse(conf.isSet(HornOptions.BATCH_SIZE));
    conf.validate();
  }

  @Test
  void settersWriteTypedOptions() {
    HornJob job = new HornJob(conf, HornJobTest.class);
    job.setBatchSize(7).setEpochs(3).setSeed(99).setTrainingMethod(TrainingMethod.ADAM)
        .setConvergenceCheckInterval(11).setTrainingSetPath("/a").setTestSetPath("/b")
        .setModelPath("/c");
    assertEquals(7, conf.get(HornOptions.BATCH_SIZE));
    assertEquals(3, conf.get(HornOptions.EPOCHS));
    assertEquals(99L, conf.get(HornOptions.SEED));
    assertEquals(TrainingMethod.ADAM, conf.get(HornOptions.TRAINING_METHOD));
    assertEquals(11, conf.get(HornOptions.CONVERGENCE_CHECK_INTERVAL));
    assertEquals("/a", conf.get(HornOptions.TRAINING_PATH));
    assertEquals("/b", conf.get(HornOptions.TEST_PATH));
    assertEquals("/c", conf.get(HornOptions.MODEL_PATH));
  }

  @Test
  void layerDeclarationErrors() {
    HornJob job = new HornJob(conf, HornJobTest.class);
    assertMentions(assertThrows(IllegalArgumentException.class,
        () -> job.inputLayer(0, Sigmoid.class, StandardNeuron.class)), "size must be positive");
    assertThrows(IllegalStateException.class,
        () -> job.addLayer(5, Sigmoid.class, StandardNeuron.class));
    assertThrows(IllegalStateException.class,
        () -> job.outputLayer(5, Sigmoid.class, StandardNeuron.class));
    assertThrows(IllegalStateException.class, job::getNetworkSpec);

    job.inputLayer(4, Sigmoid.class, StandardNeuron.class);
    assertThrows(IllegalStateException.class,
        () -> job.inputLayer(4, Sigmoid.class, StandardNeuron.class));
    assertMentions(assertThrows(IllegalArgumentException.class,
        () -> job.addLayer(-3, Sigmoid.class, StandardNeuron.class)), "size must be positive");
    assertThrows(IllegalArgumentException.class,
        () -> job.addLayer(3, 0f, ReLU.class, DropoutNeuron.class));
    assertThrows(NullPointerException.class, () -> job.addLayer(3, null, StandardNeuron.class));
    job.addLayer(3, Tanh.class, StandardNeuron.class);
    assertThrows(IllegalStateException.class, job::getNetworkSpec, "no output layer yet");
    job.outputLayer(2, SoftMax.class, StandardNeuron.class);
    assertThrows(IllegalStateException.class,
        () -> job.outputLayer(2, SoftMax.class, StandardNeuron.class));
    assertThrows(IllegalStateException.class,
        () -> job.addLayer(2, Tanh.class, StandardNeuron.class));
    assertEquals(3, job.getNetworkSpec().depth());
  }

  @Test
  void networkRoundTripsThroughTheConfiguration() {
    HornJob job = new HornJob(conf, HornJobTest.class);
    job.inputLayer(12, 0.8f);
    job.addLayer(9, ReLU.class, DropoutNeuron.class);
    job.addLayer(7, 0.3f, Tanh.class, HornStyleNeuron.class);
    job.outputLayer(3, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(SquaredError.class);
    NetworkSpec original = job.getNetworkSpec();
    assertEquals(DropoutNeuron.DEFAULT_DROP_RATE, original.layer(1).dropRate());

    HornConfiguration shipped = job.getConfiguration().copy();
    HornJob again = new HornJob(shipped, HornJobTest.class);
    assertEquals(original, again.getNetworkSpec());
    assertEquals(SquaredError.class, again.getNetworkSpec().cost());
    assertEquals(0.7f, again.getNetworkSpec().layer(2).dropRate());
    assertEquals(0.2f, again.getNetworkSpec().layer(0).dropRate());
    assertEquals(HornStyleNeuron.class, again.getNetworkSpec().layer(2).neuron());
    // a re-read job is complete: it takes no further layers
    assertThrows(IllegalStateException.class, () -> again.inputLayer(2, 1f));
  }

  @Test
  void costFunctionSetBeforeTheLayersIsKept() {
    HornJob job = new HornJob(conf, HornJobTest.class);
    job.setCostFunction(SquaredError.class);
    job.inputLayer(3, Sigmoid.class, StandardNeuron.class);
    job.outputLayer(2, Sigmoid.class, StandardNeuron.class);
    assertEquals(SquaredError.class, job.getNetworkSpec().cost());
    assertEquals(job.getNetworkSpec(),
        new HornJob(conf.copy(), HornJobTest.class).getNetworkSpec());
  }

  @Test
  void unknownClassInTheConfiguredNetworkIsNamed() {
    conf.set(HornOptions.NETWORK.key(),
        "4,io.horn.core.activation.NoSuch,io.horn.core.StandardNeuron,0.0;"
            + "2,io.horn.core.activation.SoftMax,io.horn.core.StandardNeuron,0.0"
            + "|io.horn.core.cost.CrossEntropy");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new HornJob(conf, HornJobTest.class));
    assertMentions(e, "io.horn.core.activation.NoSuch");

    conf.set(HornOptions.NETWORK.key(),
        "4,io.horn.core.activation.ReLU,java.lang.String,0.0;"
            + "2,io.horn.core.activation.SoftMax,io.horn.core.StandardNeuron,0.0"
            + "|io.horn.core.cost.CrossEntropy");
    assertMentions(assertThrows(IllegalArgumentException.class,
        () -> new HornJob(conf, HornJobTest.class)), "java.lang.String", "Neuron");
  }

  // ---------------------------------------------------------------- running it

  /**
   * Writes a synthetic 4-class set of 8x8 images as IDX files: class k lights up quadrant k
   * (bright, noisy pixels) over a dim, noisy background.
   */
  private static void writeSet(Path dir, String prefix, int n, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] pixels = new byte[n * PIXELS];
    byte[] labels = new byte[n];
    for (int s = 0; s < n; s++) {
      int k = r.nextInt(CLASSES);
      labels[s] = (byte) k;
      int qr = (k / 2) * (SIDE / 2);
      int qc = (k % 2) * (SIDE / 2);
      for (int row = 0; row < SIDE; row++) {
        for (int col = 0; col < SIDE; col++) {
          boolean lit = row >= qr && row < qr + SIDE / 2 && col >= qc && col < qc + SIDE / 2;
          int v = lit ? 120 + r.nextInt(136) : r.nextInt(110);
          pixels[s * PIXELS + row * SIDE + col] = (byte) v;
        }
      }
    }
    try (DataOutputStream out = new DataOutputStream(
        Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")))) {
      out.writeInt(IdxFile.IMAGES_MAGIC);
      out.writeInt(n);
      out.writeInt(SIDE);
      out.writeInt(SIDE);
      out.write(pixels);
    }
    try (DataOutputStream out = new DataOutputStream(
        Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
      out.writeInt(IdxFile.LABELS_MAGIC);
      out.writeInt(n);
      out.write(labels);
    }
  }

  private Path data() throws IOException {
    Path d = dir.resolve("quadrants");
    Files.createDirectories(d);
    writeSet(d, "train", 800, 1);
    writeSet(d, "t10k", 200, 2);
    return d;
  }

  private HornJob quadrantJob(Path data, Class<? extends Neuron> neuron, int inputs) {
    HornJob job = new HornJob(conf, HornJobTest.class);
    job.setLearningRate(0.1).setMomentumWeight(0.9).setBatchSize(20).setEpochs(6).setSeed(5);
    job.inputLayer(inputs, ReLU.class, neuron);
    job.addLayer(32, ReLU.class, neuron);
    job.outputLayer(OUTPUTS, SoftMax.class, neuron);
    job.setCostFunction(CrossEntropy.class);
    job.setTrainingSetPath(data.toString());
    job.setTestSetPath(data + "#t10k");
    return job;
  }

  private static double accuracy(Model m) {
    String a = m.metadata().get("test.accuracy");
    assertNotNull(a, "no test.accuracy in " + m.metadata());
    return Double.parseDouble(a);
  }

  @Test
  void waitForCompletionTrainsEvaluatesAndSavesTheModel() throws Exception {
    Path data = data();
    Path modelFile = dir.resolve("out").resolve("model.bin");
    HornJob job = quadrantJob(data, StandardNeuron.class, PIXELS);
    job.setModelPath(modelFile.toString());

    assertTrue(job.waitForCompletion(false));

    Model m = job.getModel();
    assertNotNull(m);
    assertTrue(accuracy(m) >= 0.9, "test accuracy " + accuracy(m));
    assertEquals("200", m.metadata().get("test.samples"));
    assertEquals("800", m.metadata().get("trained.samples"));
    assertEquals("6", m.metadata().get("trained.epochs"));
    assertEquals(Long.toString(6 * 800 / 20), m.metadata().get("trained.steps"));
    assertEquals("local", m.metadata().get("runner"));
    assertEquals(data.toString(), m.metadata().get("data.training"));
    assertEquals("0.1", m.metadata().get("conf.horn.learning.rate"));
    assertEquals(job.getNetworkSpec(), m.spec());
    // The history the runner wrote reads with the codec: one evaluated record per epoch.
    String text = m.metadata().get("history.group.0");
    List<HistoryRecord> history = HistoryRecord.decode(text);
    assertEquals(text, HistoryRecord.encode(history));
    List<HistoryRecord> evaluated =
        history.stream().filter(HistoryRecord::hasAccuracy).collect(Collectors.toList());
    assertEquals(6, evaluated.size(), text);
    assertEquals(accuracy(m), evaluated.get(5).accuracy(), 1e-4, text);
    assertEquals(Long.parseLong(m.metadata().get("trained.steps")), evaluated.get(5).step());

    assertTrue(Files.isRegularFile(modelFile));
    Model loaded = ModelFile.load(modelFile, null);
    assertEquals(m.spec(), loaded.spec());
    assertEquals(m.metadata(), loaded.metadata());
    float[] a = m.parameters();
    float[] b = loaded.parameters();
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), "parameter " + i);
    }
    try (Stream<Path> files = Files.list(modelFile.getParent())) {
      List<Path> left = files.collect(Collectors.toList());
      assertEquals(List.of(modelFile), left, "no temporary files remain");
    }
  }

  @Test
  void userNeuronsTrainTheSameProblem() throws Exception {
    HornJob job = quadrantJob(data(), HornStyleNeuron.class, PIXELS);
    assertTrue(job.waitForCompletion(true));
    assertTrue(accuracy(job.getModel()) >= 0.9, "test accuracy " + accuracy(job.getModel()));
    assertEquals(HornStyleNeuron.class, job.getModel().spec().layer(1).neuron());
  }

  @Test
  void missingTrainingPathIsNamed() throws Exception {
    Path missing = dir.resolve("no-such-data");
    HornJob job = quadrantJob(data(), StandardNeuron.class, PIXELS);
    job.setTrainingSetPath(missing.toString());
    IOException e = assertThrows(IOException.class, () -> job.waitForCompletion(false));
    assertMentions(e, missing.toString());
    assertNull(job.getModel());
  }

  @Test
  void missingTestSetIsNamed() throws Exception {
    Path data = data();
    HornJob job = quadrantJob(data, StandardNeuron.class, PIXELS);
    job.setTestSetPath(data + "#validation");
    IOException e = assertThrows(IOException.class, () -> job.waitForCompletion(false));
    assertMentions(e, "validation-images-idx3-ubyte");
  }

  @Test
  void noTrainingPathIsNamed() throws Exception {
    HornJob job = quadrantJob(data(), StandardNeuron.class, PIXELS);
    conf.unset(HornOptions.TRAINING_PATH.key());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> job.waitForCompletion(false));
    assertMentions(e, "horn.training.path");
  }

  @Test
  void dataWidthMismatchNamesBothWidths() throws Exception {
    HornJob job = quadrantJob(data(), StandardNeuron.class, 100);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> job.waitForCompletion(false));
    assertMentions(e, "64", "100");
  }

  @Test
  void unknownRunnerIsNamed() throws Exception {
    HornJob job = quadrantJob(data(), StandardNeuron.class, PIXELS);
    conf.set(HornOptions.RUNNER, "nosuch");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> job.waitForCompletion(false));
    assertMentions(e, "nosuch", "horn.runner", "local");
  }

  @Test
  void runnerCanBeNamedExplicitly() throws Exception {
    HornJob job = quadrantJob(data(), StandardNeuron.class, PIXELS);
    job.setEpochs(1);
    conf.set(HornOptions.RUNNER, "LOCAL");
    assertTrue(job.waitForCompletion(false));
    assertEquals("local", job.getModel().metadata().get("runner"));
  }

  @Test
  void badRawOptionFailsBeforeTraining() throws Exception {
    HornJob job = quadrantJob(data(), StandardNeuron.class, PIXELS);
    conf.set("horn.shuffle", "yes");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> job.waitForCompletion(false));
    assertMentions(e, "horn.shuffle", "yes");
    assertNull(job.getModel());
  }

  @Test
  void incompleteNetworkFailsBeforeRunning() {
    HornJob job = new HornJob(conf, HornJobTest.class);
    job.inputLayer(4, Sigmoid.class, StandardNeuron.class);
    assertThrows(IllegalStateException.class, () -> job.waitForCompletion(false));
  }

  @Test
  void existingModelSurvivesARunThatFailsBeforeSaving() throws Exception {
    Path data = data();
    Path modelFile = dir.resolve("model.bin");
    byte[] old = new byte[4096];
    new SplittableRandom(3).nextBytes(old);
    try (OutputStream out = Files.newOutputStream(modelFile)) {
      out.write(old);
    }

    HornJob badPath = quadrantJob(data, StandardNeuron.class, PIXELS);
    badPath.setModelPath(modelFile.toString());
    badPath.setTrainingSetPath(dir.resolve("absent").toString());
    assertThrows(IOException.class, () -> badPath.waitForCompletion(false));
    assertArrayEquals(old, Files.readAllBytes(modelFile));

    conf = new HornConfiguration();
    conf.set(HornOptions.THREADS, 2);
    HornJob diverging = quadrantJob(data, StandardNeuron.class, PIXELS);
    diverging.setModelPath(modelFile.toString());
    diverging.setCostFunction(SquaredError.class);
    diverging.setLearningRate(1e30);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> diverging.waitForCompletion(false));
    assertMentions(e, "horn.learning.rate");
    assertArrayEquals(old, Files.readAllBytes(modelFile));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(2, files.count(), "only the data dir and the old model: " + Arrays.toString(
          dir.toFile().list()));
    }
  }
}
