package io.horn.examples.tools;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.Identity;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.NetworkSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small models, idx files and a way to run {@link ModelTool} with captured output. */
final class ToolFixtures {
  /** Classes of an idx dataset: MnistData always gives 10 targets. */
  static final int CLASSES = 10;
  /** Weight of the hand-set model's identity connections. */
  static final float GAIN = 5f;
  /** Bias of the hand-set model's outputs 3..9, so they never win. */
  static final float OFF = -10f;

  private ToolFixtures() {}

  /** What one run of the tool printed and returned. */
  static final class Result {
    final int status;
    final String out;
    final String err;

    Result(int status, String out, String err) {
      this.status = status;
      this.out = out;
      this.err = err;
    }

    List<String> outLines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }

    @Override
    public String toString() {
      return "status " + status + "\n--- out:\n" + out + "--- err:\n" + err;
    }
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = ModelTool.run(args, o, e);
    }
    return new Result(status, out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"),
        err.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
  }

  /**
   * A hand-set 3-10 SoftMax model: output {@code j < 3} is {@code GAIN * x[j]}, outputs 3..9
   * are {@code OFF}; it predicts the index of the largest of the three features.
   */
  static Model argmaxModel(Map<String, String> metadata) {
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(3, Identity.class, StandardNeuron.class, 0f),
        new LayerSpec(CLASSES, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    float[] p = new float[spec.parameterCount()];
    for (int j = 0; j < CLASSES; j++) {
      int col = j * 4; // (3 inputs + bias) per output, column-major
      if (j < 3) {
        p[col + j] = GAIN;
      } else {
        p[col + 3] = OFF;
      }
    }
    return new Model(spec, p, metadata);
  }

  /** The SoftMax output of {@link #argmaxModel} for class {@code k} of features {@code x}. */
  static double argmaxModelOutput(float[] x, int k) {
    double sum = 0;
    double[] z = new double[CLASSES];
    for (int j = 0; j < CLASSES; j++) {
      z[j] = j < 3 ? GAIN * x[j] : OFF;
      sum += Math.exp(z[j]);
    }
    return Math.exp(z[k]) / sum;
  }

  /** The labels of the known case: four samples of class 0, three of 1, three of 2. */
  static final int[] KNOWN_LABELS = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  /** What {@link #argmaxModel} predicts for each sample of the known case. */
  static final int[] KNOWN_PREDICTED = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};

  /**
   * Writes the known case as {@code train-*} idx files in {@code dir}: ten 1x3 images whose
   * brightest pixel is the predicted class, so that for {@link #argmaxModel} actual 0 is
   * predicted 3 × 0 and 1 × 1, actual 1 is 2 × 1 and 1 × 2, actual 2 is 3 × 2.
   */
  static void writeKnownCase(Path dir) throws IOException {
    byte[][] images = new byte[KNOWN_LABELS.length][3];
    for (int i = 0; i < images.length; i++) {
      images[i][KNOWN_PREDICTED[i]] = (byte) 255;
      images[i][(KNOWN_PREDICTED[i] + 1) % 3] = (byte) 40; // not one-hot: a second, dimmer pixel
    }
    Files.createDirectories(dir);
    writeImages(dir.resolve("train-images-idx3-ubyte"), images, 1, 3);
    writeLabels(dir.resolve("train-labels-idx1-ubyte"), KNOWN_LABELS);
  }

  static void writeImages(Path file, byte[][] images, int rows, int cols) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(0x00000803);
    d.writeInt(images.length);
    d.writeInt(rows);
    d.writeInt(cols);
    for (byte[] img : images) {
      d.write(img);
    }
    d.flush();
    Files.write(file, b.toByteArray());
  }

  static void writeLabels(Path file, int[] labels) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(0x00000801);
    d.writeInt(labels.length);
    for (int l : labels) {
      d.writeByte(l);
    }
    d.flush();
    Files.write(file, b.toByteArray());
  }

  /**
   * Writes 2x2 images of four classes to {@code dir} (class {@code c}: pixel {@code c} bright,
   * the rest dim, with noise), {@code n} samples.
   */
  static void writeClusters(Path dir, int n, long seed) throws IOException {
    Random r = new Random(seed);
    byte[][] images = new byte[n][4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 4;
      for (int p = 0; p < 4; p++) {
        images[i][p] = (byte) (p == labels[i] ? 180 + r.nextInt(76) : r.nextInt(70));
      }
    }
    Files.createDirectories(dir);
    writeImages(dir.resolve("train-images-idx3-ubyte"), images, 2, 2);
    writeLabels(dir.resolve("train-labels-idx1-ubyte"), labels);
  }

  /** Trains 4-8-10 on the idx dataset in {@code dir} in process. */
  static Model trainClusters(Path dir) throws IOException {
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(4, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(8, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(CLASSES, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.EPOCHS, 60);
    c.set(HornOptions.LEARNING_RATE, 0.1f);
    c.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    c.set(HornOptions.BATCH_SIZE, 16);
    c.set(HornOptions.THREADS, 1);
    Model m = new Trainer(spec, TrainingSettings.from(c), new CpuBackend())
        .fit(Datasets.open(dir.toString()), null, null);
    Map<String, String> meta = new LinkedHashMap<>(m.metadata());
    meta.put("data.training", dir.toString());
    meta.put("conf.horn.learning.rate", "0.1");
    return m.withMetadata(meta);
  }

  static Path save(Model m, Path file) throws IOException {
    ModelFile.save(m, file);
    return file;
  }
}
