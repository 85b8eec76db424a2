package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

// A Horn 2016 program's imports, with org.apache.horn.core replaced by the classes of
// docs/porting.md; everything below them is the program as Apache Horn's README wrote it.
import io.horn.bsp.HornJob;
import io.horn.core.DropoutNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.TrainingMethod;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Evaluation;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hama.HamaConfiguration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Horn 2016 program, ported as docs/porting.md says, trains on real MNIST through Hama (local
 * mode) and keeps its meaning: {@code inputLayer(features, 0.8f)} keeps 80% of the inputs and
 * {@code addLayer(hu, 0.5f, ...)} half the hidden units, and the model it writes classifies the
 * 10,000 test digits.
 */
@Tag("mnist")
class Horn2016ProgramTest {
  @TempDir
  Path dir;

  /** Apache Horn's README {@code createJob}, unchanged but for the test set it is not given. */
  static HornJob createJob(HamaConfiguration conf, String modelPath, String inputPath,
      double learningRate, double momemtumWeight, double regularizationWeight, int features,
      int hu, int labels, int miniBatch, int maxIteration) throws IOException {
    HornJob job = new HornJob(conf, Horn2016ProgramTest.class);
    job.setTrainingSetPath(inputPath);
    job.setModelPath(modelPath);

    job.setMaxIteration(maxIteration);
    job.setLearningRate(learningRate);
    job.setMomentumWeight(momemtumWeight);
    job.setRegularizationWeight(regularizationWeight);

    job.setConvergenceCheckInterval(1000);
    job.setBatchSize(miniBatch);

    job.setTrainingMethod(TrainingMethod.GRADIENT_DESCENT);

    job.inputLayer(features, 0.8f); // keep probability
    job.addLayer(hu, 0.5f, ReLU.class, DropoutNeuron.class);
    job.outputLayer(labels, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);

    return job;
  }

  @Test
  void portedProgramTrainsOnMnistWithItsOwnMeaning() throws Exception {
    Path mnist = Paths.get(System.getProperty("horn.mnist.dir", ".cache/mnist"));
    boolean present = Files.exists(mnist.resolve("train-images-idx3-ubyte"))
        || Files.exists(mnist.resolve("train-images-idx3-ubyte.gz"));
    if (Boolean.getBoolean("horn.require.mnist")) {
      assertTrue(present, "MNIST is missing in " + mnist + ": run bin/fetch-mnist");
    }
    assumeTrue(present, "MNIST not in " + mnist + " (bin/fetch-mnist); skipping");

    HamaConfiguration conf = new HamaConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.setInt("horn.threads", 2);
    Path modelPath = dir.resolve("mlp.model");
    HornJob ann = createJob(conf, modelPath.toString(), mnist.toString(), 0.05, 0.9, 0.0, 784,
        200, 10, 100, 1200);
    assertTrue(ann.waitForCompletion(false));

    Model model = ModelFile.load(modelPath, null);
    assertEquals("bsp", model.metadata().get("runner"), "trained through Hama");
    assertEquals(0.2f, model.spec().layer(0).dropRate(), 1e-6f, "inputs kept with 0.8");
    assertEquals(0.5f, model.spec().layer(1).dropRate(), 1e-6f, "hidden units kept with 0.5");
    assertEquals("local", conf.get("bsp.master.address"));
    assertEquals("local", ann.getConfiguration().getRaw("bsp.master.address"), "Hama keys pass on");
    try (NetworkEngine e = new CpuBackend().createEngine(model.spec(),
        io.horn.core.conf.TrainingSettings.from(ann.getConfiguration()), 1000)) {
      e.setParameters(model.parameters());
      Evaluation ev = Evaluation.of(e, Datasets.open(mnist + "#t10k"));
      assertEquals(10_000, ev.samples());
      // 1,200 steps of 100 (two epochs), 80% of the inputs kept: 0.954; with the floats read
      // as drop rates (20% kept) the same program reached 0.895.
      assertTrue(ev.accuracy() >= 0.93, "test accuracy " + ev.accuracy());
    }
  }
}
