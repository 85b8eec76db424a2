package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.Initializer;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end of a job keeps the trained weights even when their evaluation fails. */
class JobOutputTest {
  @TempDir
  Path dir;

  @Test
  void aTestSetGoneByTheEndCostsTheScoreNotTheModel() throws Exception {
    HornJob job = new HornJob(new HornConfiguration(), JobOutputTest.class);
    job.inputLayer(64, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    NetworkSpec spec = job.getNetworkSpec();
    HornConfiguration conf = job.getConfiguration();
    Path model = dir.resolve("kept.model");
    conf.set(HornOptions.MODEL_PATH, model.toString());
    conf.set(HornOptions.TEST_PATH, dir.resolve("gone").toString());
    TrainingSettings settings = TrainingSettings.from(conf);
    float[] weights = Initializer.initialize(spec, settings.initialization, 3);
    Map<String, String> meta = new LinkedHashMap<>();

    IOException e = assertThrows(IOException.class,
        () -> JobOutput.finish(conf, spec, settings, weights, meta, new Configuration()));
    assertTrue(e.getMessage().contains("gone") && e.getMessage().contains(model.toString()),
        e.getMessage());
    assertTrue(Files.exists(model), "the model was lost");
    Model saved = ModelFile.load(model, null);
    assertArrayEquals(weights, saved.parameters());
    assertFalse(saved.metadata().containsKey("test.accuracy"));
    assertTrue(saved.metadata().get("test.error").contains("gone"));
  }
}
