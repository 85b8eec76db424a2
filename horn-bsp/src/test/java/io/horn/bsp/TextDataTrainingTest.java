package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.Identity;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.DataShape;
import io.horn.core.data.Datasets;
import io.horn.core.data.MnistData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real MNIST written as CSV (header, label first) and LibSVM (1-based, zeros left out), read back
 * exactly, and trained on in Hama's local mode with the files split over the workers by Hama.
 */
@Tag("mnist")
class TextDataTrainingTest {
  private static final int TRAIN = 3000;
  private static final int TEST = 1000;
  private static final DataShape SHAPE = new DataShape(784, 10);

  @TempDir static Path dir;
  private static ArrayDataset train;
  private static ArrayDataset test;

  @BeforeAll
  static void writeMnistAsText() throws IOException {
    long t0 = System.nanoTime();
    String prop = System.getProperty("horn.mnist.dir", "");
    Path mnist = prop.isEmpty() ? null : Paths.get(prop);
    if (mnist == null || !Files.isDirectory(mnist)) {
      String why = "MNIST not found in '" + prop + "' (system property horn.mnist.dir)";
      if (Boolean.getBoolean("horn.require.mnist")) {
        fail(why);
      }
      Assumptions.assumeTrue(false, why);
    }
    train = MnistData.load(mnist, MnistData.TRAIN).subset(0, TRAIN);
    test = MnistData.load(mnist, MnistData.TEST).subset(0, TEST);
    writeCsv(train, dir.resolve("mnist-train.csv"));
    writeCsv(test, dir.resolve("mnist-test.csv"));
    writeLibSvm(train, dir.resolve("mnist-train.libsvm"));
    writeLibSvm(test, dir.resolve("mnist-test.libsvm"));
    System.out.printf("MNIST loaded and written as text in %.1f s%n",
        (System.nanoTime() - t0) / 1e9);
  }

  /** MNIST's pixel values k / 255 as text, made once: Float.toString is the slow part. */
  private static final String[] PIXEL = new String[256];

  static {
    for (int k = 0; k < 256; k++) {
      PIXEL[k] = k == 0 ? "0" : Float.toString(k / 255f);
    }
  }

  private static String pixel(float v) {
    String s = PIXEL[Math.round(v * 255)];
    assertEquals(v, Float.parseFloat(s), "an MNIST pixel is k / 255");
    return s;
  }

  private static void writeCsv(ArrayDataset d, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("label");
      for (int j = 0; j < d.featureCount(); j++) {
        w.write(",pixel" + j);
      }
      w.newLine();
      for (int i = 0; i < d.size(); i++) {
        w.write(Integer.toString(d.label(i)));
        for (int j = 0; j < d.featureCount(); j++) {
          w.write(',');
          w.write(pixel(d.feature(i, j)));
        }
        w.newLine();
      }
    }
  }

  private static void writeLibSvm(ArrayDataset d, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < d.size(); i++) {
        w.write(Integer.toString(d.label(i)));
        for (int j = 0; j < d.featureCount(); j++) {
          if (d.feature(i, j) != 0f) {
            w.write(" " + (j + 1) + ":" + pixel(d.feature(i, j)));
          }
        }
        w.newLine();
      }
    }
  }

  @Test
  void textFilesReadBackExactly() throws IOException {
    for (String name : List.of("mnist-train.csv", "mnist-train.libsvm")) {
      ArrayDataset d = (ArrayDataset) Datasets.open(dir.resolve(name).toString(), SHAPE);
      assertEquals(TRAIN, d.size(), name);
      for (int i = 0; i < TRAIN; i++) {
        assertEquals(train.label(i), d.label(i), name + " sample " + i);
        for (int j = 0; j < 784; j++) {
          if (train.feature(i, j) != d.feature(i, j)) {
            fail(name + " sample " + i + " pixel " + j + ": " + d.feature(i, j) + ", not "
                + train.feature(i, j));
          }
        }
      }
    }
  }

  private static HornJob job(String trainFile, String testFile, int workers) {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    HornJob job = new HornJob(conf, TextDataTrainingTest.class);
    job.setTrainingSetPath(dir.resolve(trainFile).toString());
    job.setTestSetPath(dir.resolve(testFile).toString());
    job.setWorkers(workers);
    job.setEpochs(3);
    job.setBatchSize(32);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.inputLayer(784, Identity.class, StandardNeuron.class);
    job.addLayer(32, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    return job;
  }

  private static void trainsWell(HornJob job) throws Exception {
    assertTrue(job.waitForCompletion(false));
    double accuracy = Double.parseDouble(job.getModel().metadata().get("test.accuracy"));
    System.out.println(job.getConfiguration().get(HornOptions.TRAINING_PATH) + ": test accuracy "
        + accuracy + " after " + job.getModel().metadata().get("trained.steps") + " steps");
    assertTrue(accuracy >= 0.85, "accuracy " + accuracy);
    assertEquals(Integer.toString(TRAIN), job.getModel().metadata().get("trained.samples"),
        "every line read once over the workers' splits");
    assertEquals(Integer.toString(TEST), job.getModel().metadata().get("test.samples"));
  }

  @Test
  void trainsOnCsvSplitOverTwoWorkers() throws Exception {
    trainsWell(job("mnist-train.csv", "mnist-test.csv", 2));
  }

  @Test
  void trainsOnLibSvmSplitOverThreeWorkers() throws Exception {
    trainsWell(job("mnist-train.libsvm", "mnist-test.libsvm", 3));
  }

  @Test
  void aBadLineFailsTheJobNamingFileLineAndColumn() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("mnist-train.csv"));
    String[] f = lines.get(2500).split(",", -1);
    f[100] = "0.5.1";
    lines.set(2500, String.join(",", f));
    Path bad = dir.resolve("bad.csv");
    Files.write(bad, lines);
    HornJob job = job("bad.csv", "mnist-test.csv", 2);
    Exception e = assertThrows(Exception.class, () -> job.waitForCompletion(false));
    String m = String.valueOf(e.getMessage()) + " / " + e.getCause();
    assertTrue(m.contains(bad + ", line 2501, column 101: feature '0.5.1' is not a number"), m);
  }

  @Test
  void aNarrowFileFailsBeforeSubmitting() throws IOException {
    Path narrow = dir.resolve("narrow.csv");
    Files.write(narrow, List.of("label,a,b", "1,0.5,0.25"));
    HornJob job = job("narrow.csv", "mnist-test.csv", 2);
    Exception e = assertThrows(Exception.class, () -> job.waitForCompletion(false));
    assertEquals(narrow + ", line 2, column 3: 2 feature columns (and a label), but the input"
        + " layer takes 784 features", e.getMessage());
  }
}
